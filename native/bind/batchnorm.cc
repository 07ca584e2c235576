// N-API wrappers for batchnorm_fwd, batchnorm_bwd. Outputs (and the running statistics, which
// are updated in place) are storages of their own.
#include "backend.h"
#include "napi_util.h"

// batchnorm_fwd(y, mean, invstd, x, gamma|null, beta|null, runMean|null, runVar|null, M, N, momentum, eps, training)
NR_KERNEL(batchnorm_fwd) {
  int64_t M = a.size(8, "M"), N = a.size(9, "N");
  int64_t MN = a.mul(M, N);
  backend::batchnorm_fwd(a.out_f32(0, "y", MN), a.out_f32(1, "mean", N), a.out_f32(2, "invstd", N), a.f32(3, "x", MN),
                         a.f32_opt(4, "gamma", N), a.f32_opt(5, "beta", N), a.out_f32_opt(6, "runMean", N),
                         a.out_f32_opt(7, "runVar", N), M, N, static_cast<float>(a.number(10, "momentum")),
                         static_cast<float>(a.number(11, "eps")), a.flag(12, "training"));
  return a.undefined();
}

// batchnorm_bwd(dx|null, dgamma|null, dbeta|null, dy, x, mean, invstd, gamma|null, M, N, training)
NR_KERNEL(batchnorm_bwd) {
  int64_t M = a.size(8, "M"), N = a.size(9, "N");
  int64_t MN = a.mul(M, N);
  backend::batchnorm_bwd(a.out_f32_opt(0, "dx", MN), a.out_f32_opt(1, "dgamma", N), a.out_f32_opt(2, "dbeta", N),
                         a.f32(3, "dy", MN), a.f32(4, "x", MN), a.f32(5, "mean", N), a.f32(6, "invstd", N),
                         a.f32_opt(7, "gamma", N), M, N, a.flag(10, "training"));
  return a.undefined();
}
