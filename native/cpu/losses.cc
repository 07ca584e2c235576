#include "cpu/losses.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "simd.h"
#include "threadpool.h"
#include "vmath.h"

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

// Inner loops. Sums that can vectorize keep separate lanes (no -ffast-math to reorder them).
// Loops around exp/log1p come twice: an AVX2+FMA form on vmath.h's vector functions (last
// n % 8 elements masked, so an element's bits never depend on where its block starts), and a
// portable scalar form on libm, the fallback. Each kernel picks one per call.

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

#if NR_HAVE_X86
using vmath::avx2::acc_pd;
using vmath::avx2::exp;
using vmath::avx2::hsum_pd;
using vmath::avx2::kStageBlock;
using vmath::avx2::load_tail;
using vmath::avx2::log1p_unit;
using vmath::avx2::nabs;
using vmath::avx2::store_tail;
using vmath::avx2::sum_f32;
using vmath::avx2::tail_mask;

// d loss/dz·n = sigmoid(z) - y from e = e^-|z|: (z >= 0 ? 1 : e)/(1+e) - y.
NR_AVX2 inline __m256 bce_grad(__m256 z, __m256 y, __m256 e, __m256 inv_n) {
  __m256 num = _mm256_blendv_ps(_mm256_set1_ps(1.f), e, _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_LT_OQ));
  __m256 sig = _mm256_div_ps(num, _mm256_add_ps(_mm256_set1_ps(1.f), e));
  return _mm256_mul_ps(_mm256_sub_ps(sig, y), inv_n);
}
// The loss term max(z,0) - z·y + log1p(e).
NR_AVX2 inline __m256 bce_term(__m256 z, __m256 y, __m256 e) {
  return _mm256_add_ps(_mm256_fnmadd_ps(z, y, _mm256_max_ps(z, _mm256_setzero_ps())), log1p_unit(e));
}

// In blocks of vmath::avx2::kStageBlock: e = e^-|z| (never overflows) into a buffer, then the
// gradient and the loss terms from it, then the terms' sum (sum_f32: fixed order).
NR_AVX2 double bce_range_avx2(float* g, const float* z, const float* y, int64_t n, float inv_n) {
  const __m256 vi = _mm256_set1_ps(inv_n);
  __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
  alignas(32) float te[kStageBlock], tl[kStageBlock];
  for (int64_t b = 0; b < n; b += kStageBlock) {
    const int64_t cnt = std::min(kStageBlock, n - b), full = cnt & ~int64_t{7};
    const float *zb = z + b, *yb = y + b;
    float* gb = g + b;
    for (int64_t j = 0; j < full; j += 8) _mm256_store_ps(te + j, exp(nabs(_mm256_loadu_ps(zb + j))));
    for (int64_t j = 0; j < full; j += 8) {
      __m256 zv = _mm256_loadu_ps(zb + j), yv = _mm256_loadu_ps(yb + j), e = _mm256_load_ps(te + j);
      _mm256_storeu_ps(gb + j, bce_grad(zv, yv, e, vi));
      _mm256_store_ps(tl + j, bce_term(zv, yv, e));
    }
    if (full < cnt) {
      __m256i m = tail_mask(cnt - full);
      __m256 zv = load_tail(zb + full, m), yv = load_tail(yb + full, m), e = exp(nabs(zv));
      store_tail(gb + full, m, bce_grad(zv, yv, e, vi));
      _mm256_store_ps(tl + full, bce_term(zv, yv, e));  // lanes past cnt are never summed
    }
    sum_f32(lo, hi, tl, cnt);
  }
  return hsum_pd(lo, hi);
}

// As row_max (same result: max_ps(z, acc) is z > acc ? z : acc, so NaN is skipped alike).
NR_AVX2 float row_max_avx2(const float* z, int64_t C) {
  __m256 a = _mm256_set1_ps(-std::numeric_limits<float>::infinity()), b = a;
  int64_t j = 0;
  for (; j + 16 <= C; j += 16) {
    a = _mm256_max_ps(_mm256_loadu_ps(z + j), a);
    b = _mm256_max_ps(_mm256_loadu_ps(z + j + 8), b);
  }
  if (j + 8 <= C) {
    a = _mm256_max_ps(_mm256_loadu_ps(z + j), a);
    j += 8;
  }
  alignas(32) float t[8];
  _mm256_store_ps(t, _mm256_max_ps(b, a));
  float m = -std::numeric_limits<float>::infinity();
  for (; j < C; ++j) m = z[j] > m ? z[j] : m;
  for (int k = 0; k < 8; ++k) m = t[k] > m ? t[k] : m;
  return m;
}

NR_AVX2 void scale_row_avx2(float* g, int64_t C, float s) {
  const __m256 v = _mm256_set1_ps(s);
  int64_t j = 0;
  for (; j + 8 <= C; j += 8) _mm256_storeu_ps(g + j, _mm256_mul_ps(_mm256_loadu_ps(g + j), v));
  for (; j < C; ++j) g[j] *= s;
}

// g = e^(z - m), returns Σ g (sum_f32 over the row: fixed order).
NR_AVX2 double exp_shift_avx2(float* g, const float* z, int64_t C, float m) {
  const __m256 vm = _mm256_set1_ps(m);
  int64_t j = 0;
  for (; j + 8 <= C; j += 8) _mm256_storeu_ps(g + j, exp(_mm256_sub_ps(_mm256_loadu_ps(z + j), vm)));
  if (j < C) {
    __m256i k = tail_mask(C - j);
    store_tail(g + j, k, exp(_mm256_sub_ps(load_tail(z + j, k), vm)));
  }
  __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
  sum_f32(lo, hi, g, C);
  return hsum_pd(lo, hi);
}


// Σ of 8 vectors pairwise (3 roundings at most per lane).
NR_AVX2 inline __m256 tree8(const __m256* v) {
  return _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(v[0], v[1]), _mm256_add_ps(v[2], v[3])),
                       _mm256_add_ps(_mm256_add_ps(v[4], v[5]), _mm256_add_ps(v[6], v[7])));
}

// As exp_shift_avx2, and also xs = Σ x, xzm = Σ x·(z - m), in a pass of their own (no exp in
// its dependency chains) summed like sum_f32: 64 elements pairwise in float, then in double.
// Both sums have terms of one sign for x >= 0 (z - m <= 0), so the float steps keep their
// relative accuracy, and counts (small integers) sum exactly.
NR_AVX2 double exp_shift_x_avx2(float* g, const float* z, const float* x, int64_t C, float m, double* xs, double* xzm) {
  const __m256 vm = _mm256_set1_ps(m);
  __m256d alo = _mm256_setzero_pd(), ahi = alo, blo = alo, bhi = alo;
  int64_t j = 0;
  for (; j + 64 <= C; j += 64) {
    __m256 xv[8], pv[8];
    for (int k = 0; k < 8; ++k) {
      xv[k] = _mm256_loadu_ps(x + j + 8 * k);
      pv[k] = _mm256_mul_ps(xv[k], _mm256_sub_ps(_mm256_loadu_ps(z + j + 8 * k), vm));
    }
    acc_pd(alo, ahi, tree8(xv));
    acc_pd(blo, bhi, tree8(pv));
  }
  for (; j + 8 <= C; j += 8) {
    __m256 xv = _mm256_loadu_ps(x + j);
    acc_pd(alo, ahi, xv);
    acc_pd(blo, bhi, _mm256_mul_ps(xv, _mm256_sub_ps(_mm256_loadu_ps(z + j), vm)));
  }
  if (j < C) {
    __m256i k = tail_mask(C - j);
    __m256 xv = load_tail(x + j, k);  // 0 past C
    acc_pd(alo, ahi, xv);
    acc_pd(blo, bhi, _mm256_and_ps(_mm256_mul_ps(xv, _mm256_sub_ps(load_tail(z + j, k), vm)), _mm256_castsi256_ps(k)));
  }
  *xs = hsum_pd(alo, ahi);
  *xzm = hsum_pd(blo, bhi);
  return exp_shift_avx2(g, z, C, m);
}

// As kl_range, in float lanes: e^lv - 1 and h = e^lv - 1 - lv from vmath's expm1 (h >= 0 and
// free of cancellation near 0, so mu² + h, summed in double, keeps its relative accuracy).
NR_AVX2 inline void kl_lanes(float* dmu, float* dlv, const float* mu, const float* lv, __m256i m, bool tail,
                             __m256 inv_n, __m256 half_inv_n, __m256d& lo, __m256d& hi) {
  __m256 mv = tail ? load_tail(mu, m) : _mm256_loadu_ps(mu), lvv = tail ? load_tail(lv, m) : _mm256_loadu_ps(lv);
  __m256 h;
  __m256 em1 = vmath::avx2::expm1(lvv, &h);
  __m256 gm = _mm256_mul_ps(mv, inv_n), gl = _mm256_mul_ps(em1, half_inv_n);
  if (tail) {
    store_tail(dmu, m, gm);
    store_tail(dlv, m, gl);
  } else {
    _mm256_storeu_ps(dmu, gm);
    _mm256_storeu_ps(dlv, gl);
  }
  __m256d m0 = _mm256_cvtps_pd(_mm256_castps256_ps128(mv)), m1 = _mm256_cvtps_pd(_mm256_extractf128_ps(mv, 1));
  lo = _mm256_add_pd(lo, _mm256_fmadd_pd(m0, m0, _mm256_cvtps_pd(_mm256_castps256_ps128(h))));
  hi = _mm256_add_pd(hi, _mm256_fmadd_pd(m1, m1, _mm256_cvtps_pd(_mm256_extractf128_ps(h, 1))));
}

NR_AVX2 double kl_range_avx2(float* dmu, float* dlv, const float* mu, const float* lv, int64_t n, double inv_n) {
  const __m256 vi = _mm256_set1_ps(static_cast<float>(inv_n)), vh = _mm256_set1_ps(static_cast<float>(0.5 * inv_n));
  __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
  const __m256i all = _mm256_set1_epi32(-1);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) kl_lanes(dmu + i, dlv + i, mu + i, lv + i, all, false, vi, vh, lo, hi);
  if (i < n) kl_lanes(dmu + i, dlv + i, mu + i, lv + i, tail_mask(n - i), true, vi, vh, lo, hi);  // 0 past n: adds 0
  return hsum_pd(lo, hi);
}
#endif

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

// The kernels' choice, made once per call.
double bce_range_any(bool v, float* g, const float* z, const float* y, int64_t n, float inv_n) {
#if NR_HAVE_X86
  if (v) return bce_range_avx2(g, z, y, n, inv_n);
#endif
  return bce_range(g, z, y, n, inv_n);
}
float row_max_any(bool v, const float* z, int64_t C) {
#if NR_HAVE_X86
  if (v) return row_max_avx2(z, C);
#endif
  return row_max(z, C);
}
void scale_row_any(bool v, float* g, int64_t C, float s) {
#if NR_HAVE_X86
  if (v) return scale_row_avx2(g, C, s);
#endif
  scale_row(g, C, s);
}
double kl_range_any(bool v, float* dmu, float* dlv, const float* mu, const float* lv, int64_t n, double inv_n) {
#if NR_HAVE_X86
  if (v) return kl_range_avx2(dmu, dlv, mu, lv, n, inv_n);
#endif
  return kl_range(dmu, dlv, mu, lv, n, inv_n);
}
double exp_shift_any(bool v, float* g, const float* z, int64_t C, float m) {
#if NR_HAVE_X86
  if (v) return exp_shift_avx2(g, z, C, m);
#endif
  return exp_shift(g, z, C, m);
}
double exp_shift_x_any(bool v, float* g, const float* z, const float* x, int64_t C, float m, double* xs, double* xzm) {
#if NR_HAVE_X86
  if (v) return exp_shift_x_avx2(g, z, x, C, m, xs, xzm);
#endif
  return exp_shift_x(g, z, x, C, m, xs, xzm);
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
  const bool v = cpu_has_avx2_fma();
  double s = blocked_sum(n, kBlock, [&](int64_t b, int64_t e) {
    return bce_range_any(v, grad + b, logits + b, targets + b, e - b, inv_n);
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
  const bool v = cpu_has_avx2_fma();
  double s = blocked_sum(N, row_block(C), [&](int64_t r0, int64_t r1) {
    double part = 0.0;
    for (int64_t i = r0; i < r1; ++i) {
      const float* z = logits + i * C;
      float* g = grad + i * C;
      float m = row_max_any(v, z, C);
      double se = exp_shift_any(v, g, z, C, m);
      scale_row_any(v, g, C, static_cast<float>(inv_n / se));
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
  const bool v = cpu_has_avx2_fma();
  double s = blocked_sum(N, row_block(C), [&](int64_t r0, int64_t r1) {
    double part = 0.0;
    for (int64_t i = r0; i < r1; ++i) {
      const float* z = logits + i * C;
      const float* x = targets + i * C;
      float* g = grad + i * C;
      float m = row_max_any(v, z, C);
      double xs, xzm;
      double se = exp_shift_x_any(v, g, z, x, C, m, &xs, &xzm);
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
  const bool v = cpu_has_avx2_fma();
  double s = blocked_sum(N * D, kBlock, [&](int64_t b, int64_t e) {
    return kl_range_any(v, dmu + b, dlogvar + b, mu + b, logvar + b, e - b, inv_n);
  });
  *loss = static_cast<float>(0.5 * s * inv_n);
}

}  // namespace neurec::cpu
