// N-API wrappers for matmul_fwd, linear_fwd, linear_bwd: check args, call the backend.
#include "backend.h"
#include "napi_util.h"

// matmul_fwd(out, a, b, M, N, K, transA, transB, accumulate)
NR_KERNEL(matmul_fwd) {
  int64_t M = a.size(3, "M"), N = a.size(4, "N"), K = a.size(5, "K");
  int64_t MN = a.mul(M, N), MK = a.mul(M, K), KN = a.mul(K, N);
  backend::matmul_fwd(a.out_f32(0, "out", MN), a.f32(1, "a", MK), a.f32(2, "b", KN), M, N, K, a.flag(6, "transA"),
                      a.flag(7, "transB"), a.flag(8, "accumulate"));
  return a.undefined();
}

// linear_fwd(y, x, w, bias|null, M, K, N, relu)
NR_KERNEL(linear_fwd) {
  int64_t M = a.size(4, "M"), K = a.size(5, "K"), N = a.size(6, "N");
  int64_t MN = a.mul(M, N), MK = a.mul(M, K), NK = a.mul(N, K);
  backend::linear_fwd(a.out_f32(0, "y", MN), a.f32(1, "x", MK), a.f32(2, "w", NK), a.f32_opt(3, "bias", N), M, K, N,
                      a.flag(7, "relu"));
  return a.undefined();
}

// linear_bwd(dx|null, dw|null, db|null, dy, x, w, y|null, M, K, N, relu, accumulate)
NR_KERNEL(linear_bwd) {
  int64_t M = a.size(7, "M"), K = a.size(8, "K"), N = a.size(9, "N");
  int64_t MK = a.mul(M, K), NK = a.mul(N, K), MN = a.mul(M, N);
  bool relu = a.flag(10, "relu");
  const float* y = a.f32_opt(6, "y", MN);
  if (relu && !y) a.fail("relu backward needs the forward output y");
  backend::linear_bwd(a.out_f32_opt(0, "dx", MK), a.out_f32_opt(1, "dw", NK), a.out_f32_opt(2, "db", N),
                      a.f32(3, "dy", MN), a.f32(4, "x", MK), a.f32(5, "w", NK), y, M, K, N, relu,
                      a.flag(11, "accumulate"));
  return a.undefined();
}
