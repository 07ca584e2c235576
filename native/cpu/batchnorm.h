// BatchNorm over the rows of x (M,N): each of the N features (columns) is normalised with its
// own statistics. Sums use fixed row blocks in double, so results don't depend on thread count.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace neurec::cpu {

// y (M,N) = (x (M,N) - mean) * invstd * gamma (N) + beta (N); gamma/beta null mean 1/0.
// training: mean (N) and invstd (N) = 1/sqrt(biased var + eps) from the batch, and the running
// stats run_mean/run_var (N, null: not tracked) move by momentum towards the batch mean and the
// unbiased variance (PyTorch). Eval: mean/invstd come from the running stats. mean and invstd
// are outputs in both modes, saved for the backward.
void batchnorm_fwd(float* y, float* mean, float* invstd, const float* x, const float* gamma, const float* beta,
                   float* run_mean, float* run_var, int64_t M, int64_t N, float momentum, float eps, bool training);

// dx (M,N), dgamma (N), dbeta (N) (any may be null) from dy (M,N), x (M,N), the saved mean (N)
// and invstd (N), gamma (N, null: 1). training: the fused backward through the batch
// statistics; eval: the statistics are constants.
void batchnorm_bwd(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x, const float* mean,
                   const float* invstd, const float* gamma, int64_t M, int64_t N, bool training);

// batchnorm_fwd's argument checks (host values only), shared with the CUDA launcher.
inline void check_batchnorm_fwd_args(const float* run_mean, const float* run_var, int64_t M, float momentum, float eps,
                                     bool training) {
  if (!(eps >= 0.f)) throw std::invalid_argument("eps must be >= 0, got " + std::to_string(eps));
  if (!(momentum >= 0.f && momentum <= 1.f)) throw std::invalid_argument("momentum must be in [0, 1], got " + std::to_string(momentum));
  if ((run_mean == nullptr) != (run_var == nullptr)) throw std::invalid_argument("pass both running mean and variance, or neither");
  if (training) {
    if (M < 2) throw std::invalid_argument("training needs more than one row per feature, got M = " + std::to_string(M));
  } else if (!run_mean) {
    throw std::invalid_argument("eval mode needs the running mean and variance");
  }
}

}  // namespace neurec::cpu
