// N-API wrappers for batchnorm_fwd, batchnorm_bwd.
#include "backend.h"
#include "napi_util.h"

// batchnorm_fwd(y, mean, invstd, x, gamma|null, beta|null, runMean|null, runVar|null, M, N, momentum, eps, training)
NR_KERNEL(batchnorm_fwd) {
  int64_t M = a.size(8, "M"), N = a.size(9, "N");
  backend::batchnorm_fwd(a.f32(0, "y", M * N), a.f32(1, "mean", N), a.f32(2, "invstd", N), a.f32(3, "x", M * N),
                         a.f32_opt(4, "gamma", N), a.f32_opt(5, "beta", N), a.f32_opt(6, "runMean", N),
                         a.f32_opt(7, "runVar", N), M, N, static_cast<float>(a.number(10, "momentum")),
                         static_cast<float>(a.number(11, "eps")), a.flag(12, "training"));
  return a.undefined();
}

// batchnorm_bwd(dx|null, dgamma|null, dbeta|null, dy, x, mean, invstd, gamma|null, M, N, training)
NR_KERNEL(batchnorm_bwd) {
  int64_t M = a.size(8, "M"), N = a.size(9, "N");
  backend::batchnorm_bwd(a.f32_opt(0, "dx", M * N), a.f32_opt(1, "dgamma", N), a.f32_opt(2, "dbeta", N),
                         a.f32(3, "dy", M * N), a.f32(4, "x", M * N), a.f32(5, "mean", N), a.f32(6, "invstd", N),
                         a.f32_opt(7, "gamma", N), M, N, a.flag(10, "training"));
  return a.undefined();
}
