#include "cpu/optim.h"

#include "cpu/adam_coef.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "simd.h"
#include "threadpool.h"

namespace neurec::cpu {
namespace {

constexpr int64_t kGrain = 1 << 15;  // elements per thread below which a step runs inline

// One pass: reads p, g, m, v and writes p, m, v (7 floats of traffic per element).
NR_VECTORIZE void adam_range(float* p, const float* g, float* m, float* v, int64_t n, AdamCoef c) {
  const float b1 = c.b1, b2 = c.b2, one_b1 = c.one_b1, one_b2 = c.one_b2, step_size = c.step_size;
  const float inv_sqrt_bc2 = c.inv_sqrt_bc2, eps = c.eps, l2 = c.l2, decay = c.decay;
  for (int64_t i = 0; i < n; ++i) {
    float gi = g[i] + l2 * p[i];
    float mi = b1 * m[i] + one_b1 * gi;
    float vi = b2 * v[i] + one_b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * decay - step_size * mi / (std::sqrt(vi) * inv_sqrt_bc2 + eps);
  }
}

NR_VECTORIZE void sgd_plain_range(float* p, const float* g, int64_t n, float lr, float wd) {
  for (int64_t i = 0; i < n; ++i) p[i] -= lr * (g[i] + wd * p[i]);
}

NR_VECTORIZE void sgd_momentum_range(float* p, const float* g, float* vel, int64_t n, float lr, float mom, float wd) {
  for (int64_t i = 0; i < n; ++i) {
    float vi = mom * vel[i] + (g[i] + wd * p[i]);
    vel[i] = vi;
    p[i] -= lr * vi;
  }
}

NR_VECTORIZE void sgd_nesterov_range(float* p, const float* g, float* vel, int64_t n, float lr, float mom, float wd) {
  for (int64_t i = 0; i < n; ++i) {
    float gi = g[i] + wd * p[i];
    float vi = mom * vel[i] + gi;
    vel[i] = vi;
    p[i] -= lr * (gi + mom * vi);
  }
}

}  // namespace

void sgd_step(float* param, const float* grad, float* velocity, int64_t n, double lr, double momentum,
              double weight_decay, bool nesterov) {
  if (!(lr >= 0) || !std::isfinite(lr)) throw std::invalid_argument("lr must be finite and >= 0, got " + std::to_string(lr));
  if (!(momentum >= 0)) throw std::invalid_argument("momentum must be >= 0, got " + std::to_string(momentum));
  if (!(weight_decay >= 0)) throw std::invalid_argument("weight decay must be >= 0, got " + std::to_string(weight_decay));
  if (momentum != 0 && !velocity) throw std::invalid_argument("momentum " + std::to_string(momentum) + " needs a velocity buffer");
  if (nesterov && momentum == 0) throw std::invalid_argument("nesterov needs momentum > 0");
  const float lr_f = static_cast<float>(lr), mom = static_cast<float>(momentum), wd = static_cast<float>(weight_decay);
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    if (momentum == 0) sgd_plain_range(param + b, grad + b, e - b, lr_f, wd);
    else if (nesterov) sgd_nesterov_range(param + b, grad + b, velocity + b, e - b, lr_f, mom, wd);
    else sgd_momentum_range(param + b, grad + b, velocity + b, e - b, lr_f, mom, wd);
  });
}

void adam_step(float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
               double eps, double weight_decay, int64_t step, bool decoupled) {
  const AdamCoef c = adam_coef(lr, beta1, beta2, eps, weight_decay, step, decoupled);
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) { adam_range(param + b, grad + b, m + b, v + b, e - b, c); });
}

void sparse_adam_step(float* param, float* m, float* v, const int32_t* rows, const float* values, int64_t U, int64_t D,
                      int64_t R, double lr, double beta1, double beta2, double eps, double weight_decay, int64_t step,
                      bool decoupled) {
  const AdamCoef c = adam_coef(lr, beta1, beta2, eps, weight_decay, step, decoupled);
  for (int64_t u = 0; u < U; ++u) {
    if (rows[u] < 0 || rows[u] >= R)
      throw std::out_of_range("row " + std::to_string(rows[u]) + " at position " + std::to_string(u) +
                              " is out of range for a table of " + std::to_string(R) + " rows");
    if (u > 0 && rows[u] <= rows[u - 1])
      throw std::invalid_argument("rows must be strictly ascending (coalesce them first), got " + std::to_string(rows[u - 1]) +
                                  " then " + std::to_string(rows[u]) + " at position " + std::to_string(u));
  }
  parallel_for(U, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, D)), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t off = static_cast<int64_t>(rows[u]) * D;
      adam_range(param + off, values + u * D, m + off, v + off, D, c);
    }
  });
}

}  // namespace neurec::cpu
