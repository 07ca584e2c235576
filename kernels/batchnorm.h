// BatchNorm over the rows of x (M,N) on the device: each of the N features (columns) is
// normalised with its own statistics. Same signatures and semantics as native/cpu/batchnorm.h;
// every pointer is a device pointer. Sums are in double over a fixed row partition, so results
// are deterministic.
#pragma once
#include <cstdint>

namespace neurec::cuda {

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

}  // namespace neurec::cuda
