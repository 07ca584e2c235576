#include "cpu/losses.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "simd.h"
#include "threadpool.h"

namespace neurec::cpu {
namespace {

// Items per partial sum. Fixed (not derived from the thread count), so the blocks, and the
// order their sums are added in, are the same on every machine and every call.
constexpr int64_t kBlock = 1 << 14;

// Σ fn(begin, end) over [0, n) cut into blocks of `block` items: blocks run in parallel, each
// into its own slot, and the slots are added serially in block order.
template <class F>
double blocked_sum(int64_t n, int64_t block, F fn) {
  int64_t nb = (n + block - 1) / block;
  if (nb <= 1) return n > 0 ? fn(0, n) : 0.0;
  std::vector<double> part(static_cast<size_t>(nb));
  parallel_for(nb, 1, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) part[k] = fn(k * block, std::min(n, (k + 1) * block));
  });
  double s = 0.0;
  for (double p : part) s += p;
  return s;
}

// Rows per block for row-wise losses: about kBlock elements, at least one row.
int64_t row_block(int64_t C) { return std::max<int64_t>(1, kBlock / std::max<int64_t>(1, C)); }

// Inner loops. Sums that can vectorize keep separate lanes (no -ffast-math to reorder them);
// loops around exp/log1p stay scalar, as libm has no vector forms without -ffast-math.

NR_VECTORIZE double bce_range(float* g, const float* z, const float* y, int64_t n, float inv_n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    // e^-|z| never overflows; sigmoid and log1p are both built from it.
    float e = std::exp(-std::fabs(z[i]));
    float sig = z[i] >= 0.f ? 1.f / (1.f + e) : e / (1.f + e);
    g[i] = (sig - y[i]) * inv_n;
    s += std::max(z[i], 0.f) - z[i] * y[i] + std::log1p(e);
  }
  return s;
}

NR_VECTORIZE double mse_range(float* g, const float* p, const float* t, int64_t n, float scale) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) {
      float d = p[i + k] - t[i + k];
      g[i + k] = d * scale;
      acc[k] += static_cast<double>(d) * d;
    }
  double s = 0.0;
  for (; i < n; ++i) {
    float d = p[i] - t[i];
    g[i] = d * scale;
    s += static_cast<double>(d) * d;
  }
  return s + (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

NR_VECTORIZE double sum_range(const float* x, int64_t n) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) acc[k] += x[i + k];
  double s = 0.0;
  for (; i < n; ++i) s += x[i];
  return s + (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

// Unobserved entries (m == 0) contribute exactly 0, even where their target is NaN or inf.
NR_VECTORIZE double masked_mse_range(float* g, const float* p, const float* t, const float* m, int64_t n, float scale) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) {
      float d = m[i + k] != 0.f ? p[i + k] - t[i + k] : 0.f;
      float md = m[i + k] * d;
      g[i + k] = md * scale;
      acc[k] += static_cast<double>(md) * d;
    }
  double s = 0.0;
  for (; i < n; ++i) {
    float d = m[i] != 0.f ? p[i] - t[i] : 0.f;
    float md = m[i] * d;
    g[i] = md * scale;
    s += static_cast<double>(md) * d;
  }
  return s + (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

NR_VECTORIZE float row_max(const float* z, int64_t C) {
  const float lo = -std::numeric_limits<float>::infinity();
  float acc[8] = {lo, lo, lo, lo, lo, lo, lo, lo};
  int64_t j = 0;
  for (; j + 8 <= C; j += 8)
    for (int k = 0; k < 8; ++k) acc[k] = z[j + k] > acc[k] ? z[j + k] : acc[k];
  float m = lo;
  for (; j < C; ++j) m = z[j] > m ? z[j] : m;
  for (int k = 0; k < 8; ++k) m = acc[k] > m ? acc[k] : m;
  return m;
}

// g = e^(z - m), returns Σ g.
NR_VECTORIZE double exp_shift(float* g, const float* z, int64_t C, float m) {
  double s = 0.0;
  for (int64_t j = 0; j < C; ++j) {
    g[j] = std::exp(z[j] - m);
    s += g[j];
  }
  return s;
}

NR_VECTORIZE void scale_row(float* g, int64_t C, float s) {
  for (int64_t j = 0; j < C; ++j) g[j] *= s;
}

// As exp_shift, and also xs = Σ x, xzm = Σ x·(z - m) for the multinomial likelihood.
NR_VECTORIZE double exp_shift_x(float* g, const float* z, const float* x, int64_t C, float m, double* xs, double* xzm) {
  double s = 0.0, a = 0.0, b = 0.0;
  for (int64_t j = 0; j < C; ++j) {
    float zm = z[j] - m;
    g[j] = std::exp(zm);
    s += g[j];
    a += x[j];
    b += static_cast<double>(x[j]) * zm;
  }
  *xs = a;
  *xzm = b;
  return s;
}

// g = g·a - x·b
NR_VECTORIZE void axpby_row(float* g, const float* x, int64_t C, float a, float b) {
  for (int64_t j = 0; j < C; ++j) g[j] = g[j] * a - x[j] * b;
}

NR_VECTORIZE double kl_range(float* dmu, float* dlv, const float* mu, const float* lv, int64_t n, double inv_n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    // expm1 in double: 1 + lv - e^lv cancels badly near lv = 0 in float.
    double em1 = std::expm1(static_cast<double>(lv[i]));
    dmu[i] = static_cast<float>(mu[i] * inv_n);
    dlv[i] = static_cast<float>(0.5 * em1 * inv_n);
    s += static_cast<double>(mu[i]) * mu[i] + (em1 - lv[i]);
  }
  return s;
}

void check_labels(const int32_t* labels, int64_t N, int64_t C) {
  // Checked before any thread starts: an exception must not escape a pool worker.
  for (int64_t i = 0; i < N; ++i)
    if (labels[i] < 0 || labels[i] >= C)
      throw std::out_of_range("label " + std::to_string(labels[i]) + " at row " + std::to_string(i) +
                              " is out of range for " + std::to_string(C) + " classes");
}

}  // namespace

void bce_logits_fwd(float* loss, float* grad, const float* logits, const float* targets, int64_t n) {
  float inv_n = static_cast<float>(1.0 / static_cast<double>(n));
  double s = blocked_sum(n, kBlock, [&](int64_t b, int64_t e) {
    return bce_range(grad + b, logits + b, targets + b, e - b, inv_n);
  });
  *loss = static_cast<float>(s / static_cast<double>(n));
}

void mse_fwd(float* loss, float* grad, const float* pred, const float* target, int64_t n) {
  float scale = static_cast<float>(2.0 / static_cast<double>(n));
  double s = blocked_sum(n, kBlock, [&](int64_t b, int64_t e) {
    return mse_range(grad + b, pred + b, target + b, e - b, scale);
  });
  *loss = static_cast<float>(s / static_cast<double>(n));
}

void masked_mse_fwd(float* loss, float* grad, const float* pred, const float* target, const float* mask, int64_t n) {
  // Σ mask first (one cheap read) so the fused pass can write the final gradient directly.
  double count = blocked_sum(n, kBlock, [&](int64_t b, int64_t e) { return sum_range(mask + b, e - b); });
  float scale = count != 0.0 ? static_cast<float>(2.0 / count) : 0.f;
  double s = blocked_sum(n, kBlock, [&](int64_t b, int64_t e) {
    return masked_mse_range(grad + b, pred + b, target + b, mask + b, e - b, scale);
  });
  *loss = count != 0.0 ? static_cast<float>(s / count) : 0.f;
}

void softmax_ce_fwd(float* loss, float* grad, const float* logits, const int32_t* labels, int64_t N, int64_t C) {
  check_labels(labels, N, C);
  double inv_n = 1.0 / static_cast<double>(N);
  double s = blocked_sum(N, row_block(C), [&](int64_t r0, int64_t r1) {
    double part = 0.0;
    for (int64_t i = r0; i < r1; ++i) {
      const float* z = logits + i * C;
      float* g = grad + i * C;
      float m = row_max(z, C);
      double se = exp_shift(g, z, C, m);
      scale_row(g, C, static_cast<float>(inv_n / se));
      g[labels[i]] -= static_cast<float>(inv_n);
      part += std::log(se) - (static_cast<double>(z[labels[i]]) - m);
    }
    return part;
  });
  *loss = static_cast<float>(s * inv_n);
}

void multinomial_nll_fwd(float* loss, float* grad, const float* logits, const float* targets, int64_t N, int64_t C) {
  if (C == 0) {  // no classes: every row's likelihood is an empty sum
    *loss = N > 0 ? 0.f : std::numeric_limits<float>::quiet_NaN();
    return;
  }
  double inv_n = 1.0 / static_cast<double>(N);
  double s = blocked_sum(N, row_block(C), [&](int64_t r0, int64_t r1) {
    double part = 0.0;
    for (int64_t i = r0; i < r1; ++i) {
      const float* z = logits + i * C;
      const float* x = targets + i * C;
      float* g = grad + i * C;
      float m = row_max(z, C);
      double xs, xzm;
      double se = exp_shift_x(g, z, x, C, m, &xs, &xzm);
      axpby_row(g, x, C, static_cast<float>(xs * inv_n / se), static_cast<float>(inv_n));
      // -Σ x·(z - m - log se): two non-negative terms for x ≥ 0, so no cancellation.
      part += xs * std::log(se) - xzm;
    }
    return part;
  });
  *loss = static_cast<float>(s * inv_n);
}

void gaussian_kl_fwd(float* loss, float* dmu, float* dlogvar, const float* mu, const float* logvar, int64_t N,
                     int64_t D) {
  double inv_n = 1.0 / static_cast<double>(N);
  double s = blocked_sum(N * D, kBlock, [&](int64_t b, int64_t e) {
    return kl_range(dmu + b, dlogvar + b, mu + b, logvar + b, e - b, inv_n);
  });
  *loss = static_cast<float>(0.5 * s * inv_n);
}

}  // namespace neurec::cpu
