// shape.cu against native/cpu/shape.cc: column-block copies, transposes, sums over one axis
// (a warp per row, chunked block rows, column tiles, chunked column sums) and broadcasts.
#include "check.h"
#include "cpu/shape.h"
#include "shape.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

void copy_cols(int64_t rows, int64_t oc, int64_t oo, int64_t xc, int64_t xo, int64_t len, bool acc, int off) {
  F x(rows * xc, off), out(rows * oc, off), ref(rows * oc);
  x.uniform(-1, 1);
  out.uniform(-1, 1);  // columns outside the block must survive
  std::memcpy(ref.p, out.p, sizeof(float) * out.n);
  const std::string what = fmt("copy_cols rows=%lld out=%lld+%lld x=%lld+%lld len=%lld acc=%d off=%d", (long long)rows,
                               (long long)oc, (long long)oo, (long long)xc, (long long)xo, (long long)len, acc, off);
  run(what, [&] {
    cpu::copy_cols(ref.p, x.p, rows, oc, oo, xc, xo, len, acc);
    cuda::copy_cols(out.p, x.p, rows, oc, oo, xc, xo, len, acc);
    same(what, out, ref);
  });
}

void transpose(int64_t M, int64_t N, int off) {
  F x(M * N, off), out(M * N, off), ref(M * N);
  x.uniform(-1, 1);
  const std::string what = fmt("transpose_fwd (%lld,%lld) off=%d", (long long)M, (long long)N, off);
  run(what, [&] {
    cpu::transpose_fwd(ref.p, x.p, M, N);
    cuda::transpose_fwd(out.p, x.p, M, N);
    same(what, out, ref);
  });
}

void sum(int64_t outer, int64_t R, int64_t inner, float scale, int off) {
  F x(outer * R * inner, off), out(outer * inner, off), ref(outer * inner);
  x.uniform(-1, 1);
  const std::string what = fmt("sum_fwd outer=%lld R=%lld inner=%lld scale=%g off=%d", (long long)outer, (long long)R,
                               (long long)inner, scale, off);
  run(what, [&] {
    cpu::sum_fwd(ref.p, x.p, outer, R, inner, scale);
    cuda::sum_fwd(out.p, x.p, outer, R, inner, scale);
    close(what, out, ref, 1e-6 * (R + 1), 1e-5);  // summation orders differ
  });
}

void broadcast(int64_t outer, int64_t R, int64_t inner, float scale, int off) {
  F x(outer * inner, off), out(outer * R * inner, off), ref(outer * R * inner);
  x.uniform(-1, 1);
  const std::string what = fmt("broadcast_fwd outer=%lld R=%lld inner=%lld scale=%g off=%d", (long long)outer,
                               (long long)R, (long long)inner, scale, off);
  run(what, [&] {
    cpu::broadcast_fwd(ref.p, x.p, outer, R, inner, scale);
    cuda::broadcast_fwd(out.p, x.p, outer, R, inner, scale);
    same(what, out, ref);
  });
}

}  // namespace

void check_shape() {
  // rows, out_cols, out_off, x_cols, x_off, len: float4-able ones, then odd ones
  const int64_t cc[][6] = {{1, 8, 4, 12, 0, 4},  {5, 12, 4, 8, 4, 4},  {5, 12, 4, 8, 0, 8},    {33, 40, 8, 20, 0, 20},
                           {7, 10, 3, 9, 2, 5},  {3, 5, 0, 5, 0, 5},   {100, 130, 1, 64, 0, 64}, {1, 9, 1, 3, 0, 3},
                           {4, 12, 4, 10, 4, 4}, {0, 4, 0, 4, 0, 4},   {6, 4, 0, 4, 0, 0}};
  for (auto& c : cc)
    for (int acc = 0; acc < 2; ++acc)
      for (int off = 0; off < 2; ++off) copy_cols(c[0], c[1], c[2], c[3], c[4], c[5], acc, off);

  const int64_t tr[][2] = {{1, 1}, {1, 5}, {5, 1}, {2, 3}, {31, 33}, {64, 64}, {100, 37}, {3, 200}, {0, 4}};
  for (auto& t : tr)
    for (int off = 0; off < 2; ++off) transpose(t[0], t[1], off);

  // outer, R, inner: rows by warps (32 <= R <= 1024), by chunked blocks (R > 1024), short rows
  // and inner > 1 by column tiles, tall ones chunked over R.
  const int64_t sm[][3] = {{1, 0, 1},    {3, 1, 1},    {4, 5, 1},     {7, 31, 1},   {3, 32, 1},   {5, 33, 1},
                           {2, 100, 1},  {3, 1024, 1}, {2, 1025, 1},  {3, 2000, 1}, {3, 5000, 1}, {1, 10000, 1},
                           {1, 5000, 3}, {2, 3000, 33}, {4, 7, 5},    {3, 0, 4},    {1, 1, 100},  {6, 40, 64},
                           {1, 2000, 300}, {0, 5, 3},  {1, 700, 2}};
  for (auto& s : sm)
    for (float scale : {1.f, 0.25f})
      for (int off = 0; off < 2; ++off) sum(s[0], s[1], s[2], scale, off);

  for (int t = 0; t < 120; ++t) {  // random shapes, every strategy
    const int64_t inner = rng() % 3 == 0 ? 1 : 1 + rng() % 50, R = rng() % (rng() % 4 == 0 ? 6000 : 200);
    sum(1 + rng() % 5, R, inner, rng() % 2 ? 1.f : 0.5f, static_cast<int>(rng() % 2));
    const int64_t len = rng() % 20, xo = rng() % 5, oo = rng() % 5;
    copy_cols(rng() % 20, oo + len + rng() % 5, oo, xo + len + rng() % 5, xo, len, rng() % 2, static_cast<int>(rng() % 2));
    broadcast(rng() % 6, 1 + rng() % 9, 1 + rng() % 17, 2.f, static_cast<int>(rng() % 2));
  }

  const int64_t bc[][3] = {{1, 1, 1}, {2, 3, 4}, {3, 5, 7}, {4, 2, 8}, {1, 100, 1}, {5, 1, 12}, {0, 3, 4}, {2, 33, 16}};
  for (auto& b : bc)
    for (float scale : {1.f, -0.5f})
      for (int off = 0; off < 2; ++off) broadcast(b[0], b[1], b[2], scale, off);
}

}  // namespace chk
