// N-API wrappers for sgd_step, adam_step, sparse_adam_step. Each updates param and its state in
// place, so every updated buffer is a storage of its own.
#include "backend.h"
#include "napi_util.h"

// sgd_step(param, grad, velocity|null, n, lr, momentum, weightDecay, nesterov)
NR_KERNEL(sgd_step) {
  int64_t n = a.size(3, "n");
  backend::sgd_step(a.out_f32(0, "param", n), a.f32(1, "grad", n), a.out_f32_opt(2, "velocity", n), n,
                    a.number(4, "lr"), a.number(5, "momentum"), a.number(6, "weightDecay"), a.flag(7, "nesterov"));
  return a.undefined();
}

// adam_step(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step, decoupled)
NR_KERNEL(adam_step) {
  int64_t n = a.size(4, "n");
  backend::adam_step(a.out_f32(0, "param", n), a.f32(1, "grad", n), a.out_f32(2, "m", n), a.out_f32(3, "v", n), n,
                     a.number(5, "lr"), a.number(6, "beta1"), a.number(7, "beta2"), a.number(8, "eps"),
                     a.number(9, "weightDecay"), a.integer(10, "step", 0), a.flag(11, "decoupled"));
  return a.undefined();
}

// sparse_adam_step(param, m, v, rows, values, U, D, R, lr, beta1, beta2, eps, weightDecay, step, decoupled)
NR_KERNEL(sparse_adam_step) {
  int64_t U = a.size(5, "U"), D = a.size(6, "D"), R = a.size(7, "R");
  int64_t RD = a.mul(R, D), UD = a.mul(U, D);
  backend::sparse_adam_step(a.out_f32(0, "param", RD), a.out_f32(1, "m", RD), a.out_f32(2, "v", RD),
                            a.i32(3, "rows", U), a.f32(4, "values", UD), U, D, R, a.number(8, "lr"),
                            a.number(9, "beta1"), a.number(10, "beta2"), a.number(11, "eps"),
                            a.number(12, "weightDecay"), a.integer(13, "step", 0), a.flag(14, "decoupled"));
  return a.undefined();
}
