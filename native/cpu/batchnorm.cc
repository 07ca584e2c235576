#include "cpu/batchnorm.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "simd.h"
#include "threadpool.h"

namespace neurec::cpu {
namespace {

constexpr int64_t kGrain = 1 << 14;   // elements per thread below which a loop runs inline
constexpr int64_t kRowBlock = 64;     // rows per partial sum: fixed, so sums ignore thread count

NR_VECTORIZE void acc_row(double* acc, const float* x, int64_t N) {
  for (int64_t j = 0; j < N; ++j) acc[j] += x[j];
}
NR_VECTORIZE void acc_sq_dev(double* acc, const float* x, const double* mean, int64_t N) {
  for (int64_t j = 0; j < N; ++j) {
    double d = x[j] - mean[j];
    acc[j] += d * d;
  }
}
// acc[0,N) += dy, acc[N,2N) += dy * (x - mean)
NR_VECTORIZE void acc_bwd(double* acc, const float* dy, const float* x, const float* mean, int64_t N) {
  for (int64_t j = 0; j < N; ++j) {
    acc[j] += dy[j];
    acc[N + j] += static_cast<double>(dy[j]) * (x[j] - mean[j]);
  }
}
NR_VECTORIZE void add_d(double* dst, const double* src, int64_t n) {
  for (int64_t j = 0; j < n; ++j) dst[j] += src[j];
}
NR_VECTORIZE void normalize_row(float* y, const float* x, const float* mean, const float* scale, const float* shift, int64_t N) {
  for (int64_t j = 0; j < N; ++j) y[j] = (x[j] - mean[j]) * scale[j] + shift[j];
}
// dx = a * (dy - b - (x - mean) * c)
NR_VECTORIZE void bwd_row(float* dx, const float* dy, const float* x, const float* mean, const float* a, const float* b,
                          const float* c, int64_t N) {
  for (int64_t j = 0; j < N; ++j) dx[j] = a[j] * (dy[j] - b[j] - (x[j] - mean[j]) * c[j]);
}

// Sums W values per row over M rows: block k of kRowBlock rows adds into its own partials
// (row_fn(acc, i)), and the blocks are combined in order.
template <class RowFn>
std::vector<double> column_sums(int64_t M, int64_t W, RowFn row_fn) {
  const int64_t nb = (M + kRowBlock - 1) / kRowBlock;
  std::vector<double> part(static_cast<size_t>(nb * W), 0.0);
  parallel_for(nb, std::max<int64_t>(1, kGrain / (kRowBlock * std::max<int64_t>(1, W))), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      double* acc = part.data() + b * W;
      for (int64_t i = b * kRowBlock, e = std::min(M, i + kRowBlock); i < e; ++i) row_fn(acc, i);
    }
  });
  std::vector<double> total(static_cast<size_t>(W), 0.0);
  for (int64_t b = 0; b < nb; ++b) add_d(total.data(), part.data() + b * W, W);
  return total;
}

int64_t row_grain(int64_t N) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(1, N)); }

}  // namespace

void batchnorm_fwd(float* y, float* mean, float* invstd, const float* x, const float* gamma, const float* beta,
                   float* run_mean, float* run_var, int64_t M, int64_t N, float momentum, float eps, bool training) {
  check_batchnorm_fwd_args(run_mean, run_var, M, momentum, eps, training);
  if (N == 0) return;  // no features: nothing to write, and no loop over the rows
  if (training) {
    std::vector<double> mu = column_sums(M, N, [&](double* acc, int64_t i) { acc_row(acc, x + i * N, N); });
    for (auto& m : mu) m /= static_cast<double>(M);
    std::vector<double> sq = column_sums(M, N, [&](double* acc, int64_t i) { acc_sq_dev(acc, x + i * N, mu.data(), N); });
    for (int64_t j = 0; j < N; ++j) {
      double var = sq[j] / static_cast<double>(M);
      mean[j] = static_cast<float>(mu[j]);
      invstd[j] = static_cast<float>(1.0 / std::sqrt(var + eps));
      if (run_mean) {
        run_mean[j] = static_cast<float>((1.0 - momentum) * run_mean[j] + momentum * mu[j]);
        run_var[j] = static_cast<float>((1.0 - momentum) * run_var[j] + momentum * var * M / (M - 1));
      }
    }
  } else {
    for (int64_t j = 0; j < N; ++j) {
      mean[j] = run_mean[j];
      invstd[j] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(run_var[j]) + eps));
    }
  }
  std::vector<float> scale(static_cast<size_t>(N)), shift(static_cast<size_t>(N));
  for (int64_t j = 0; j < N; ++j) {
    scale[j] = (gamma ? gamma[j] : 1.f) * invstd[j];
    shift[j] = beta ? beta[j] : 0.f;
  }
  parallel_for(M, row_grain(N), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) normalize_row(y + i * N, x + i * N, mean, scale.data(), shift.data(), N);
  });
}

void batchnorm_bwd(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x, const float* mean,
                   const float* invstd, const float* gamma, int64_t M, int64_t N, bool training) {
  if (N == 0) return;  // no features: nothing to write, and no loop over the rows
  std::vector<double> s(static_cast<size_t>(2 * N), 0.0);  // Σ dy, Σ dy·(x - mean) per feature
  if (training || dgamma || dbeta)
    s = column_sums(M, 2 * N, [&](double* acc, int64_t i) { acc_bwd(acc, dy + i * N, x + i * N, mean, N); });
  for (int64_t j = 0; j < N; ++j) {
    if (dbeta) dbeta[j] = static_cast<float>(s[j]);
    if (dgamma) dgamma[j] = static_cast<float>(s[N + j] * invstd[j]);
  }
  if (!dx) return;
  // dx = gamma·invstd·(dy - Σdy/M - xhat·Σ(dy·xhat)/M), xhat = (x - mean)·invstd; eval keeps only dy.
  std::vector<float> ca(static_cast<size_t>(N)), cb(static_cast<size_t>(N), 0.f), cc(static_cast<size_t>(N), 0.f);
  for (int64_t j = 0; j < N; ++j) {
    ca[j] = (gamma ? gamma[j] : 1.f) * invstd[j];
    if (training) {
      cb[j] = static_cast<float>(s[j] / M);
      cc[j] = static_cast<float>(s[N + j] * invstd[j] * invstd[j] / M);
    }
  }
  parallel_for(M, row_grain(N), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) bwd_row(dx + i * N, dy + i * N, x + i * N, mean, ca.data(), cb.data(), cc.data(), N);
  });
}

}  // namespace neurec::cpu
