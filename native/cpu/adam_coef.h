// Adam's per-step constants, checked and folded once on the host (in double, rounded to float
// once), so the inner loop is multiply-adds, one sqrt and one divide. Shared by the CPU kernel
// (optim.cc) and the CUDA launcher (kernels/optim.cu), so both apply the very same constants.
#pragma once
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace neurec::cpu {

struct AdamCoef {
  float b1, b2, one_b1, one_b2;  // β1, β2, 1-β1, 1-β2
  float step_size;               // lr / (1 - β1^t)
  float inv_sqrt_bc2;            // 1 / sqrt(1 - β2^t)
  float eps;
  float l2;                      // wd for Adam, 0 for AdamW
  float decay;                   // 1 - lr·wd for AdamW, 1 for Adam
};

inline AdamCoef adam_coef(double lr, double beta1, double beta2, double eps, double wd, int64_t step, bool decoupled) {
  if (!(lr >= 0) || !std::isfinite(lr)) throw std::invalid_argument("lr must be finite and >= 0, got " + std::to_string(lr));
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
    throw std::invalid_argument("betas must be in [0, 1), got (" + std::to_string(beta1) + ", " + std::to_string(beta2) + ")");
  if (!(eps >= 0)) throw std::invalid_argument("eps must be >= 0, got " + std::to_string(eps));
  if (!(wd >= 0)) throw std::invalid_argument("weight decay must be >= 0, got " + std::to_string(wd));
  if (step < 1) throw std::invalid_argument("step is 1-based, got " + std::to_string(step));
  const double t = static_cast<double>(step);
  AdamCoef c;
  c.b1 = static_cast<float>(beta1);
  c.b2 = static_cast<float>(beta2);
  c.one_b1 = static_cast<float>(1 - beta1);
  c.one_b2 = static_cast<float>(1 - beta2);
  c.step_size = static_cast<float>(lr / (1 - std::pow(beta1, t)));
  c.inv_sqrt_bc2 = static_cast<float>(1 / std::sqrt(1 - std::pow(beta2, t)));
  c.eps = static_cast<float>(eps);
  c.l2 = decoupled ? 0.f : static_cast<float>(wd);
  c.decay = decoupled ? static_cast<float>(1 - lr * wd) : 1.f;
  return c;
}

}  // namespace neurec::cpu
