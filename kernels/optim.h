// Optimizer steps on the device, in place, one fused pass each: SGD (momentum, Nesterov,
// weight decay), Adam / AdamW, and lazy sparse Adam over the rows of an embedding table.
// PyTorch's semantics. Same signatures as native/cpu/optim.h; every pointer is a device pointer.
#pragma once
#include <cstdint>

namespace neurec::cuda {

// param (n), grad (n), velocity (n, null when momentum is 0):
// g = grad + wd·p; v = momentum·v + g; p -= lr·(nesterov ? g + momentum·v : v)  (v = g when momentum is 0).
void sgd_step(float* param, const float* grad, float* velocity, int64_t n, double lr, double momentum,
              double weight_decay, bool nesterov);

// param (n), grad (n), m (n), v (n); step is 1-based (bias correction). decoupled (AdamW):
// p -= lr·wd·p; otherwise (Adam, L2): g += wd·p. Then m, v move towards g, g² and
// p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps).
void adam_step(float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
               double eps, double weight_decay, int64_t step, bool decoupled);

// Lazy Adam: the rows rows (U) int32 of param, m, v (R,D) take the Adam step with gradient rows
// values (U,D); other rows, and their moments, are left alone. rows must be strictly ascending
// (as coalesce_rows gives) so no two threads share a row. A row outside [0, R) is skipped and
// reported as a device error (thrown at the next synchronisation); the other rows are updated.
void sparse_adam_step(float* param, float* m, float* v, const int32_t* rows, const float* values, int64_t U, int64_t D,
                      int64_t R, double lr, double beta1, double beta2, double eps, double weight_decay, int64_t step,
                      bool decoupled);

}  // namespace neurec::cuda
