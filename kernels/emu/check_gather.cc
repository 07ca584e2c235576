// gather.cu against native/cpu/gather.cc: row gathers (float4 and float rows, a thread group
// per row), the scatter-add backward (atomics: any order, so to rounding), coalesce_rows
// (CUB radix sort + segment sums: bit for bit), and indices out of range reported.
#include "check.h"
#include "cpu/gather.h"
#include "gather.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

void indices(I& idx, int64_t R) {
  for (int64_t b = 0; b < idx.n; ++b) idx[b] = static_cast<int32_t>(rng() % R);
  if (idx.n > 3) idx[1] = idx[0], idx[2] = static_cast<int32_t>(R - 1);  // repeats, the last row
}

void fwd(int64_t B, int64_t D, int64_t R, int off, int64_t bad = INT64_MIN) {
  F table(R * D, off), out(B * D, off), ref(B * D);
  I idx(B);
  table.uniform(-1, 1);
  indices(idx, R);
  const std::string what = fmt("gather_fwd B=%lld D=%lld R=%lld off=%d", (long long)B, (long long)D, (long long)R, off);
  if (bad != INT64_MIN) {
    idx[B / 2] = static_cast<int32_t>(bad);
    return expect_throw<std::out_of_range>(what + " reports index " + std::to_string(bad),
                                           [&] { cuda::gather_fwd(out.p, table.p, idx.p, B, D, R); });
  }
  run(what, [&] {
    cpu::gather_fwd(ref.p, table.p, idx.p, B, D, R);
    cuda::gather_fwd(out.p, table.p, idx.p, B, D, R);
    neurec::cuda::throw_if_device_error();
    same(what, out, ref);
  });
}

void bwd(int64_t B, int64_t D, int64_t R, int off, int64_t bad = INT64_MIN) {
  F dy(B * D, off), dt(R * D, off);
  I idx(B);
  dy.uniform(-1, 1), dt.uniform(-1, 1);
  indices(idx, R);
  F ref(dt, 0);
  const std::string what = fmt("gather_bwd B=%lld D=%lld R=%lld off=%d", (long long)B, (long long)D, (long long)R, off);
  if (bad != INT64_MIN) {
    idx[0] = static_cast<int32_t>(bad);
    return expect_throw<std::out_of_range>(what + " reports index " + std::to_string(bad),
                                           [&] { cuda::gather_bwd(dt.p, dy.p, idx.p, B, D, R); });
  }
  run(what, [&] {
    cpu::gather_bwd(ref.p, dy.p, idx.p, B, D, R);
    cuda::gather_bwd(dt.p, dy.p, idx.p, B, D, R);
    neurec::cuda::throw_if_device_error();
    close(what, dt, ref, 1e-6, 1e-6);  // atomics add a row's repeats in any order
  });
}

void coalesce(int64_t B, int64_t D, int64_t span, int off) {
  F vals(B * D, off), ov(B * D, off), rv(B * D);
  I rows(B), orows(B), rr(B);
  vals.uniform(-1, 1);
  for (int64_t b = 0; b < B; ++b) rows[b] = static_cast<int32_t>(rng() % span) - static_cast<int32_t>(span / 4);
  const std::string what = fmt("coalesce_rows B=%lld D=%lld span=%lld off=%d", (long long)B, (long long)D, (long long)span, off);
  run(what, [&] {
    const int64_t ru = cpu::coalesce_rows(rr.p, rv.p, rows.p, vals.p, B, D);
    const int64_t u = cuda::coalesce_rows(orows.p, ov.p, rows.p, vals.p, B, D);
    record(u == ru, what + " U", fmt("got %lld want %lld", (long long)u, (long long)ru));
    // past U both stay poisoned; below it the same adds in the same (input) order
    same(what + " rows", orows, rr);
    same(what + " vals", ov, rv);
  });
}

}  // namespace

void check_gather() {
  const int64_t s[][3] = {{1, 1, 1}, {7, 3, 5}, {7, 4, 5}, {33, 5, 10}, {100, 8, 30}, {20, 32, 7}, {9, 33, 40},
                          {50, 100, 13}, {12, 132, 12}, {5, 0, 3}, {0, 4, 3}};
  for (auto& c : s)
    for (int off = 0; off < 2; ++off) {
      fwd(c[0], c[1], c[2], off);
      bwd(c[0], c[1], c[2], off);
    }
  for (int64_t bad : {-1, 5, 1 << 30}) {
    fwd(9, 4, 5, 0, bad);
    bwd(9, 3, 5, 1, bad);
  }
  for (int t = 0; t < 100; ++t) {  // random shapes
    const int64_t B = rng() % 300, D = rng() % 70, R = 1 + rng() % 50;
    const int off = static_cast<int>(rng() % 2);
    fwd(B, D, R, off);
    bwd(B, D, R, off);
    coalesce(B, D, 1 + rng() % 100, off);
  }
  const int64_t cs[][3] = {{1, 1, 1}, {10, 4, 3}, {10, 3, 3}, {100, 8, 40}, {64, 5, 1000}, {300, 1, 7}, {50, 33, 20},
                           {7, 0, 3}, {0, 4, 3}};
  for (auto& c : cs)
    for (int off = 0; off < 2; ++off) coalesce(c[0], c[1], c[2], off);
}

}  // namespace chk
