#include "cpu/linear.h"

#include <vector>

#include "cpu/gemm.h"
#include "cpu/shape.h"
#include "simd.h"
#include "threadpool.h"

namespace neurec::cpu {
namespace {
NR_VECTORIZE void relu_mask(float* dz, const float* dy, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dz[i] = y[i] > 0.f ? dy[i] : 0.f;
}
NR_VECTORIZE void add_to(float* o, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] += x[i];
}
}  // namespace

void matmul_fwd(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t K, bool trans_a,
                bool trans_b, bool accumulate) {
  int64_t ars = trans_a ? 1 : K, acs = trans_a ? M : 1;
  int64_t brs = trans_b ? 1 : N, bcs = trans_b ? K : 1;
  gemm(out, a, b, M, N, K, ars, acs, brs, bcs, accumulate, nullptr, false);
}

void linear_fwd(float* y, const float* x, const float* w, const float* bias, int64_t M, int64_t K, int64_t N, bool relu) {
  gemm(y, x, w, M, N, K, K, 1, 1, K, false, bias, relu);
}

void linear_bwd(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w, const float* y,
                int64_t M, int64_t K, int64_t N, bool relu, bool accumulate) {
  std::vector<float> masked;
  const float* dz = dy;
  if (relu) {
    masked.resize(static_cast<size_t>(M * N));
    parallel_for(M * N, 1 << 15, [&](int64_t b, int64_t e) { relu_mask(masked.data() + b, dy + b, y + b, e - b); });
    dz = masked.data();
  }
  if (dx) gemm(dx, dz, w, M, K, N, N, 1, K, 1, accumulate, nullptr, false);
  if (dw) gemm(dw, dz, x, N, K, M, 1, N, K, 1, accumulate, nullptr, false);
  if (db) {
    if (!accumulate) {
      sum_fwd(db, dz, 1, M, N, 1.f);
    } else {
      std::vector<float> tmp(static_cast<size_t>(N));
      sum_fwd(tmp.data(), dz, 1, M, N, 1.f);
      add_to(db, tmp.data(), N);
    }
  }
}

}  // namespace neurec::cpu
