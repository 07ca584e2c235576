// linear.cu (and gemm.cuh) against native/cpu/linear.cc: products with every transpose, the
// 128/64/32 tiles, split-K, K = 0, bias and ReLU epilogues, and linear_bwd's three outputs.
#include "check.h"
#include "cpu/linear.h"
#include "linear.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

// Sums of K products in different orders (and the CPU's FMAs): error grows with the depth.
double atol_k(int64_t K) { return 1e-5 * (K + 1); }

void matmul(int64_t M, int64_t N, int64_t K, bool ta, bool tb, bool acc, int off) {
  F a(M * K, off), b(K * N, off), out(M * N, off);
  a.uniform(-1, 1), b.uniform(-1, 1), out.uniform(-1, 1);
  F ref(out, 0);
  const std::string what = fmt("matmul_fwd M=%lld N=%lld K=%lld ta=%d tb=%d acc=%d off=%d", (long long)M, (long long)N,
                               (long long)K, ta, tb, acc, off);
  run(what, [&] {
    cpu::matmul_fwd(ref.p, a.p, b.p, M, N, K, ta, tb, acc);
    cuda::matmul_fwd(out.p, a.p, b.p, M, N, K, ta, tb, acc);
    close(what, out, ref, atol_k(K), 1e-5);
  });
}

void linear(int64_t M, int64_t K, int64_t N, bool bias, bool relu, int off) {
  F x(M * K, off), w(N * K, off), bb(N, off), y(M * N, off), ry(M * N);
  x.uniform(-1, 1), w.uniform(-1, 1), bb.uniform(-1, 1);
  const std::string what = fmt("linear M=%lld K=%lld N=%lld bias=%d relu=%d off=%d", (long long)M, (long long)K,
                               (long long)N, bias, relu, off);
  run(what + " fwd", [&] {
    cpu::linear_fwd(ry.p, x.p, w.p, bias ? bb.p : nullptr, M, K, N, relu);
    cuda::linear_fwd(y.p, x.p, w.p, bias ? bb.p : nullptr, M, K, N, relu);
    close(what + " fwd", y, ry, atol_k(K), 1e-5);
  });
  for (int mask = 0; mask < 8; ++mask)  // which of dx, dw, db are wanted
    for (int acc = 0; acc < 2; ++acc) {
      if (M * N * K > 300000 && mask != 7) continue;
      F dy(M * N, off), dx(M * K, off), dw(N * K, off), db(N, off);
      dy.uniform(-1, 1), dx.uniform(-1, 1), dw.uniform(-1, 1), db.uniform(-1, 1);
      F rdx(dx, 0), rdw(dw, 0), rdb(db, 0);
      const bool wx = mask & 1, ww = mask & 2, wb = mask & 4;
      const std::string t = what + fmt(" bwd mask=%d acc=%d", mask, acc);
      run(t, [&] {
        cpu::linear_bwd(wx ? rdx.p : nullptr, ww ? rdw.p : nullptr, wb ? rdb.p : nullptr, dy.p, x.p, w.p,
                        relu ? ry.p : nullptr, M, K, N, relu, acc);
        cuda::linear_bwd(wx ? dx.p : nullptr, ww ? dw.p : nullptr, wb ? db.p : nullptr, dy.p, x.p, w.p,
                         relu ? ry.p : nullptr, M, K, N, relu, acc);
        close(t + " dx", dx, rdx, atol_k(N), 1e-5);
        close(t + " dw", dw, rdw, atol_k(M), 1e-5);
        close(t + " db", db, rdb, atol_k(M), 1e-5);
      });
    }
}

}  // namespace

// NEUREC_CUDA_TF32=1 (read once per process: run.sh runs this family in a process of its own):
// the WMMA kernel, on shapes large enough to take it (M, N, K >= 128, >= 66 128x128 tiles).
// TF32 keeps 10 mantissa bits: errors of ~2^-11 per product.
void check_linear_tf32() {
  const int64_t mm[][3] = {{768, 1408, 128}, {769, 1410, 131}};
  for (auto& s : mm)
    for (int t = 0; t < 4; ++t) {  // every transpose; accumulate with the last
      const int64_t M = s[0], N = s[1], K = s[2];
      const int off = t & 1;
      F a(M * K, off), b(K * N, off), out(M * N, off);
      a.uniform(-1, 1), b.uniform(-1, 1), out.uniform(-1, 1);
      F ref(out, 0);
      const std::string what = fmt("matmul_fwd tf32 M=%lld N=%lld K=%lld ta=%d tb=%d acc=%d", (long long)M, (long long)N,
                                   (long long)K, t & 1, (t >> 1) & 1, t == 3);
      run(what, [&] {
        cpu::matmul_fwd(ref.p, a.p, b.p, M, N, K, t & 1, t & 2, t == 3);
        cuda::matmul_fwd(out.p, a.p, b.p, M, N, K, t & 1, t & 2, t == 3);
        close(what, out, ref, 2e-3 * std::sqrt(static_cast<double>(K)), 1e-3);
      });
    }
  F x(768 * 200, 1), w(1412 * 200, 1), bb(1412, 1), y(768 * 1412, 1), ry(768 * 1412);
  x.uniform(-1, 1), w.uniform(-1, 1), bb.uniform(-1, 1);
  run("linear_fwd tf32 bias relu", [&] {  // the epilogue, unaligned: the scalar stores
    cpu::linear_fwd(ry.p, x.p, w.p, bb.p, 768, 200, 1412, true);
    cuda::linear_fwd(y.p, x.p, w.p, bb.p, 768, 200, 1412, true);
    close("linear_fwd tf32 bias relu", y, ry, 2e-3 * std::sqrt(200.0), 1e-3);
  });
}

void check_linear() {
  // 32x32 tiles, 64x64 (>= 132 tiles), split-K over shallow and deep K, K = 0, empty outputs
  const int64_t mm[][3] = {{1, 1, 1},   {1, 5, 3},    {7, 1, 9},     {33, 47, 5},  {256, 32, 64}, {17, 19, 0},
                           {0, 5, 3},   {5, 0, 3},    {40, 30, 600}, {64, 64, 16}, {65, 63, 17},  {100, 70, 1500},
                           {700, 800, 9}, {1501, 1409, 3}};
  for (auto& s : mm)
    for (int t = 0; t < 4; ++t)
      for (int acc = 0; acc < 2; ++acc) {
        if (s[0] * s[1] * s[2] > 2000000 && t + acc != 0 && t + acc != 4) continue;
        matmul(s[0], s[1], s[2], t & 1, t & 2, acc, (t + acc) % 2);
      }
  const int64_t ls[][3] = {{1, 1, 1}, {33, 5, 47}, {256, 64, 32}, {16, 0, 8}, {0, 4, 4}, {9, 13, 8}, {40, 600, 30},
                           {64, 1100, 36}};
  for (auto& s : ls)
    for (int f = 0; f < 4; ++f)
      for (int off = 0; off < 2; ++off) linear(s[0], s[1], s[2], f & 1, f & 2, off);
}

}  // namespace chk
