// BatchNorm over the rows of x (M,N), native/cpu/batchnorm.cc's semantics on the device.
// Per-feature statistics: batchnorm_colsum_kernel sums each column over a fixed partition of the
// rows (row slices x threads) in double, and one thread per feature adds the slices' partials
// in order, so results are deterministic. Training is two passes as on the CPU (the mean, then
// Σ (x - mean)²). Per-feature coefficients are computed once (batchnorm_stats_kernel,
// batchnorm_coef_kernel); y and dx are then grid-stride elementwise kernels (float4 where
// aligned) that carry the column index along without dividing.
//
// nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -I native -I kernels -Xcompiler -fPIC,-Wall -c kernels/batchnorm.cu -o /tmp/batchnorm.o
#include "batchnorm.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "allocator.h"
#include "common.cuh"
#include "cpu/batchnorm.h"

namespace neurec::cuda {
namespace {

constexpr int kSMs = 132;
constexpr int kBlock = 256;

enum SumMode : int { kSumX = 0, kSumSqDev = 1, kSumBwd = 2 };

// Partial column sums over row slices: block (cx, ry), grid (ceil(N/cx), S). Thread (tx,ty)
// takes column j and rows r0+ty, r0+ty+ry, ... of slice blockIdx.y, so a warp reads adjacent
// columns of a row (coalesced); the ry partials are then added in order in shared memory.
// kSumX: Σ x. kSumSqDev: Σ (x - mu)² with mu the double mean. kSumBwd: Σ dy and
// Σ dy·(x - mean) (float difference, as the CPU) into part[s*2N + j] and part[s*2N + N + j].
template <int MODE>
__global__ void batchnorm_colsum_kernel(double* __restrict__ part, const float* __restrict__ x,
                                        const float* __restrict__ dy, const double* __restrict__ mu,
                                        const float* __restrict__ mean, int64_t M, int64_t N, int64_t rows) {
  __shared__ double sh[2][kBlock];
  const int tx = threadIdx.x, ty = threadIdx.y, cx = blockDim.x, ry = blockDim.y;
  const int64_t j = static_cast<int64_t>(blockIdx.x) * cx + tx;
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * rows, r1 = r0 + rows < M ? r0 + rows : M;
  double s0 = 0.0, s1 = 0.0;
  if (j < N) {
    const double mj = MODE == kSumSqDev ? mu[j] : 0.0;
    const float mf = MODE == kSumBwd ? mean[j] : 0.f;
#pragma unroll 4
    for (int64_t r = r0 + ty; r < r1; r += ry) {
      const float xv = x[r * N + j];
      if (MODE == kSumX) {
        s0 += xv;
      } else if (MODE == kSumSqDev) {
        const double d = xv - mj;
        s0 += d * d;
      } else {
        const float g = dy[r * N + j];
        s0 += g;
        s1 += static_cast<double>(g) * (xv - mf);
      }
    }
  }
  sh[0][ty * cx + tx] = s0;
  sh[1][ty * cx + tx] = s1;
  __syncthreads();
  if (ty == 0 && j < N) {
    double t0 = 0.0, t1 = 0.0;
    for (int q = 0; q < ry; ++q) {
      t0 += sh[0][q * cx + tx];
      t1 += sh[1][q * cx + tx];
    }
    const int64_t W = MODE == kSumBwd ? 2 * N : N;
    part[blockIdx.y * W + j] = t0;
    if (MODE == kSumBwd) part[blockIdx.y * W + N + j] = t1;
  }
}

// mu (N) = Σ_slices part / M in double: one thread per feature, slices in order.
__global__ void batchnorm_mean_kernel(double* __restrict__ mu, const double* __restrict__ part, int64_t S, int64_t M,
                                      int64_t N) {
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < N;
       j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    double t = 0.0;
    for (int64_t s = 0; s < S; ++s) t += part[s * N + j];
    mu[j] = t / static_cast<double>(M);
  }
}

// One thread per feature. Training: the biased variance from the Σ (x - mu)² partials, the
// mean/invstd outputs and the running stats' momentum step towards mu and the unbiased
// variance; eval: mean/invstd from the running stats. Then the normalisation's coefficients
// scale = gamma·invstd and shift = beta. Double arithmetic in the CPU's order.
__global__ void batchnorm_stats_kernel(float* mean, float* invstd, float* __restrict__ scale,
                                       float* __restrict__ shift, float* run_mean, float* run_var,
                                       const double* __restrict__ mu, const double* __restrict__ part, int64_t S,
                                       const float* __restrict__ gamma, const float* __restrict__ beta, int64_t M,
                                       int64_t N, float momentum, float eps, bool training) {
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < N;
       j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float inv;
    if (training) {
      double sq = 0.0;
      for (int64_t s = 0; s < S; ++s) sq += part[s * N + j];
      const double var = sq / static_cast<double>(M);
      mean[j] = static_cast<float>(mu[j]);
      inv = static_cast<float>(1.0 / sqrt(var + eps));
      if (run_mean) {
        run_mean[j] = static_cast<float>((1.0 - momentum) * run_mean[j] + momentum * mu[j]);
        run_var[j] = static_cast<float>((1.0 - momentum) * run_var[j] +
                                        momentum * var * static_cast<double>(M) / static_cast<double>(M - 1));
      }
    } else {
      mean[j] = run_mean[j];
      inv = static_cast<float>(1.0 / sqrt(static_cast<double>(run_var[j]) + eps));
    }
    invstd[j] = inv;
    scale[j] = (gamma ? gamma[j] : 1.f) * inv;
    shift[j] = beta ? beta[j] : 0.f;
  }
}

// One thread per feature: Σ dy and Σ dy·(x - mean) from the partials (zero when part is null),
// dbeta, dgamma, and dx's coefficients a = gamma·invstd, b = Σdy/M, c = Σdy(x-mean)·invstd²/M
// (b = c = 0 in eval) into coef[0,N), [N,2N), [2N,3N) when coef is given.
__global__ void batchnorm_coef_kernel(float* dgamma, float* dbeta, float* __restrict__ coef,
                                      const double* __restrict__ part, int64_t S, const float* __restrict__ invstd,
                                      const float* __restrict__ gamma, int64_t M, int64_t N, bool training) {
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < N;
       j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    double s0 = 0.0, s1 = 0.0;
    if (part)
      for (int64_t s = 0; s < S; ++s) {
        s0 += part[s * 2 * N + j];
        s1 += part[s * 2 * N + N + j];
      }
    const float inv = invstd[j];
    if (dbeta) dbeta[j] = static_cast<float>(s0);
    if (dgamma) dgamma[j] = static_cast<float>(s1 * inv);
    if (coef) {
      coef[j] = (gamma ? gamma[j] : 1.f) * inv;
      coef[N + j] = training ? static_cast<float>(s0 / static_cast<double>(M)) : 0.f;
      coef[2 * N + j] = training ? static_cast<float>(s1 * inv * inv / static_cast<double>(M)) : 0.f;
    }
  }
}

// Grid-stride over n units of W floats of a row-major (.,N) matrix (W = 4 needs N % 4 == 0, so
// a float4 never crosses a row), calling f(i, j) with j the column of the unit's first float;
// j advances by the stride mod N, so the loop has no division.
template <int W, class F>
__device__ __forceinline__ void for_each_col(int64_t n, int64_t N, F f) {
  int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t j = (i * W) % N;
  const int64_t jstep = (stride * W) % N;
  for (; i < n; i += stride) {
    f(i, j);
    j += jstep;
    if (j >= N) j -= N;
  }
}

// y = (x - mean)·scale + shift per column: one thread per float (or float4 when VEC).
template <bool VEC>
__global__ void batchnorm_fwd_kernel(float* __restrict__ y, const float* __restrict__ x, const float* __restrict__ mean,
                                     const float* __restrict__ scale, const float* __restrict__ shift, int64_t total,
                                     int64_t N) {
  if (VEC) {
    for_each_col<4>(total / 4, N, [&](int64_t i, int64_t j) {
      const float4 v = reinterpret_cast<const float4*>(x)[i];
      const float4 m = *reinterpret_cast<const float4*>(mean + j);
      const float4 a = *reinterpret_cast<const float4*>(scale + j);
      const float4 b = *reinterpret_cast<const float4*>(shift + j);
      reinterpret_cast<float4*>(y)[i] = make_float4((v.x - m.x) * a.x + b.x, (v.y - m.y) * a.y + b.y,
                                                    (v.z - m.z) * a.z + b.z, (v.w - m.w) * a.w + b.w);
    });
  } else {
    for_each_col<1>(total, N, [&](int64_t i, int64_t j) { y[i] = (x[i] - mean[j]) * scale[j] + shift[j]; });
  }
}

// dx = a·(dy - b - (x - mean)·c) per column (coef = a | b | c): one thread per float or float4.
template <bool VEC>
__global__ void batchnorm_bwd_kernel(float* __restrict__ dx, const float* __restrict__ dy, const float* __restrict__ x,
                                     const float* __restrict__ mean, const float* __restrict__ coef, int64_t total,
                                     int64_t N) {
  const float* ca = coef;
  const float* cb = coef + N;
  const float* cc = coef + 2 * N;
  if (VEC) {
    for_each_col<4>(total / 4, N, [&](int64_t i, int64_t j) {
      const float4 g = reinterpret_cast<const float4*>(dy)[i];
      const float4 v = reinterpret_cast<const float4*>(x)[i];
      const float4 m = *reinterpret_cast<const float4*>(mean + j);
      const float4 a = *reinterpret_cast<const float4*>(ca + j);
      const float4 b = *reinterpret_cast<const float4*>(cb + j);
      const float4 c = *reinterpret_cast<const float4*>(cc + j);
      reinterpret_cast<float4*>(dx)[i] =
          make_float4(a.x * (g.x - b.x - (v.x - m.x) * c.x), a.y * (g.y - b.y - (v.y - m.y) * c.y),
                      a.z * (g.z - b.z - (v.z - m.z) * c.z), a.w * (g.w - b.w - (v.w - m.w) * c.w));
    });
  } else {
    for_each_col<1>(total, N, [&](int64_t i, int64_t j) {
      dx[i] = ca[j] * (dy[i] - cb[j] - (x[i] - mean[j]) * cc[j]);
    });
  }
}

// Geometry of batchnorm_colsum_kernel: cx columns per block (the smallest power of two >= N,
// at most a warp) by ry = 256/cx rows; row slices sized for about 4 blocks per SM with each
// thread summing at least ~8 rows. Depends on M and N only, so sums are reproducible.
struct ColGrid {
  dim3 grid, block;
  int64_t slices, rows;
};
ColGrid col_grid(int64_t M, int64_t N) {
  int cx = kWarp;
  while (cx > 1 && cx / 2 >= N) cx /= 2;
  const int ry = kBlock / cx;
  const int64_t cb = ceil_div(N, cx);
  if (cb > INT32_MAX) throw std::invalid_argument("batchnorm: too many features: " + std::to_string(N));
  int64_t S = std::min(ceil_div(4 * kSMs, cb), ceil_div(M, 8 * ry));
  S = std::max<int64_t>(1, std::min<int64_t>(S, 65535));
  const int64_t rows = ceil_div(M, S);
  if (rows > 0) S = ceil_div(M, rows);
  return {dim3(static_cast<unsigned>(cb), static_cast<unsigned>(S)), dim3(cx, ry), S, rows};
}

template <int MODE>
void launch_colsum(const ColGrid& cg, double* part, const float* x, const float* dy, const double* mu,
                   const float* mean, int64_t M, int64_t N) {
  batchnorm_colsum_kernel<MODE><<<cg.grid, cg.block, 0, stream()>>>(part, x, dy, mu, mean, M, N, cg.rows);
  CUDA_CHECK_LAUNCH("batchnorm_colsum_kernel");
}

}  // namespace

void batchnorm_fwd(float* y, float* mean, float* invstd, const float* x, const float* gamma, const float* beta,
                   float* run_mean, float* run_var, int64_t M, int64_t N, float momentum, float eps, bool training) {
  cpu::check_batchnorm_fwd_args(run_mean, run_var, M, momentum, eps, training);
  if (N == 0) return;
  ScratchBuffer coefs(static_cast<size_t>(2 * N) * sizeof(float));
  float* scale = coefs.as<float>();
  float* shift = scale + N;
  const unsigned gN = grid_for(N, kBlock);
  if (training) {
    const ColGrid cg = col_grid(M, N);
    ScratchBuffer part(static_cast<size_t>(cg.slices * N) * sizeof(double));
    ScratchBuffer mu(static_cast<size_t>(N) * sizeof(double));
    launch_colsum<kSumX>(cg, part.as<double>(), x, nullptr, nullptr, nullptr, M, N);
    batchnorm_mean_kernel<<<gN, kBlock, 0, stream()>>>(mu.as<double>(), part.as<double>(), cg.slices, M, N);
    CUDA_CHECK_LAUNCH("batchnorm_mean_kernel");
    // part is reused: stream order puts this pass after batchnorm_mean_kernel has read it.
    launch_colsum<kSumSqDev>(cg, part.as<double>(), x, nullptr, mu.as<double>(), nullptr, M, N);
    batchnorm_stats_kernel<<<gN, kBlock, 0, stream()>>>(mean, invstd, scale, shift, run_mean, run_var, mu.as<double>(),
                                                        part.as<double>(), cg.slices, gamma, beta, M, N, momentum,
                                                        eps, true);
  } else {
    batchnorm_stats_kernel<<<gN, kBlock, 0, stream()>>>(mean, invstd, scale, shift, run_mean, run_var, nullptr,
                                                        nullptr, 0, gamma, beta, M, N, momentum, eps, false);
  }
  CUDA_CHECK_LAUNCH("batchnorm_stats_kernel");
  const int64_t total = M * N;
  if (total == 0) return;
  if (N % 4 == 0 && aligned16(y) && aligned16(x) && aligned16(mean) && aligned16(scale)) {
    batchnorm_fwd_kernel<true><<<grid_for(total / 4, kBlock), kBlock, 0, stream()>>>(y, x, mean, scale, shift, total, N);
  } else {
    batchnorm_fwd_kernel<false><<<grid_for(total, kBlock), kBlock, 0, stream()>>>(y, x, mean, scale, shift, total, N);
  }
  CUDA_CHECK_LAUNCH("batchnorm_fwd_kernel");
}

void batchnorm_bwd(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x, const float* mean,
                   const float* invstd, const float* gamma, int64_t M, int64_t N, bool training) {
  if (N == 0 || (!dx && !dgamma && !dbeta)) return;
  const bool sums = training || dgamma || dbeta;  // eval dx alone needs no statistics
  const ColGrid cg = col_grid(M, N);
  ScratchBuffer part(sums ? static_cast<size_t>(cg.slices * 2 * N) * sizeof(double) : 0);
  if (sums) launch_colsum<kSumBwd>(cg, part.as<double>(), x, dy, nullptr, mean, M, N);
  ScratchBuffer coef(dx ? static_cast<size_t>(3 * N) * sizeof(float) : 0);
  batchnorm_coef_kernel<<<grid_for(N, kBlock), kBlock, 0, stream()>>>(
      dgamma, dbeta, coef.as<float>(), part.as<double>(), cg.slices, invstd, gamma, M, N, training);
  CUDA_CHECK_LAUNCH("batchnorm_coef_kernel");
  const int64_t total = M * N;
  if (!dx || total == 0) return;
  const float* cf = coef.as<float>();
  if (N % 4 == 0 && aligned16(dx) && aligned16(dy) && aligned16(x) && aligned16(mean)) {
    batchnorm_bwd_kernel<true><<<grid_for(total / 4, kBlock), kBlock, 0, stream()>>>(dx, dy, x, mean, cf, total, N);
  } else {
    batchnorm_bwd_kernel<false><<<grid_for(total, kBlock), kBlock, 0, stream()>>>(dx, dy, x, mean, cf, total, N);
  }
  CUDA_CHECK_LAUNCH("batchnorm_bwd_kernel");
}

}  // namespace neurec::cuda
