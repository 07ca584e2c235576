// Vector transcendentals for float32: exp, log, log1p and, built on them, sigmoid, tanh and
// softplus, eight lanes at a time with AVX2+FMA, plus scalar fallbacks (std::) and array
// functions that pick one of the two once per call (cpu_has_avx2_fma()).
//
// libm has no vector forms without -ffast-math, so loops around std::exp stay scalar; these
// are written out instead (Cody-Waite / mantissa-exponent range reduction and minimax
// polynomials fitted for relative error), accurate to 1-2 float32 ulp (max relative error
// under 2e-7; test/ops/vmath.test.ts sweeps and reports them), with IEEE
// special values: exp(-inf) = 0, exp(x > 88.72) = inf, log(0) = -inf, log(x < 0) = NaN,
// log(inf) = inf, NaN in gives NaN out, subnormal inputs and outputs handled.
//
// Every vector function is a pure function of its lane, and the array functions do their last
// n % 8 elements with masked loads and stores through the same code, so an element's result
// does not depend on where a thread's chunk starts: results are the same bits whatever the
// thread count. (The scalar fallback gives libm's bits, which differ from the vector ones in
// the last place; a process only ever uses one of the two.)
//
// Header-only and napi-free. Vector functions carry NR_AVX2 (target("avx2,fma")) and are
// inlined only into functions that carry it too; call them from an NR_AVX2 function behind a
// cpu_has_avx2_fma() check, never from an NR_VECTORIZE (target_clones) one.
#pragma once
#include <cmath>
#include <cstdint>

#include "simd.h"

#if NR_HAVE_X86
#include <immintrin.h>
#define NR_AVX2 __attribute__((target("avx2,fma")))
#endif

namespace neurec::vmath {

// ---- scalar forms (the fallback, and the reference the vector forms are tested against) ----

inline float exp_s(float x) { return std::exp(x); }
inline float log_s(float x) { return std::log(x); }
inline float log1p_s(float x) { return std::log1p(x); }
// 1/(1+e^-x) from e^-|x| (never overflows): exactly 0 or 1 where the result rounds there.
inline float sigmoid_s(float x) {
  float e = std::exp(-std::fabs(x));
  return (x >= 0.f ? 1.f : e) / (1.f + e);
}
inline float tanh_s(float x) { return std::tanh(x); }
// log(1 + e^x) = max(x,0) + log1p(e^-|x|): no overflow, and exactly x for large x.
inline float softplus_s(float x) { return (x > 0.f ? x : 0.f) + std::log1p(std::exp(-std::fabs(x))); }

#if NR_HAVE_X86
namespace avx2 {

NR_AVX2 inline __m256 f(float v) { return _mm256_set1_ps(v); }
NR_AVX2 inline __m256i i(int v) { return _mm256_set1_epi32(v); }

NR_AVX2 inline __m256 abs(__m256 x) { return _mm256_andnot_ps(f(-0.f), x); }
// -|x|
NR_AVX2 inline __m256 nabs(__m256 x) { return _mm256_or_ps(f(-0.f), x); }

// Lanes [0, r) set (r in 0..8): the mask for a masked load/store of the last r elements.
NR_AVX2 inline __m256i tail_mask(int64_t r) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(r)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
// Masked-off lanes load as 0 and are never touched by the store.
NR_AVX2 inline __m256 load_tail(const float* p, __m256i m) { return _mm256_maskload_ps(p, m); }
NR_AVX2 inline void store_tail(float* p, __m256i m, __m256 v) { _mm256_maskstore_ps(p, m, v); }

// ---- exp ----
// e^x = 2^n·e^r, n = round(x/ln2), r = x - n·ln2 (Cody-Waite: ln2 in two parts, n·hi exact),
// |r| <= ln2/2, e^r = 1 + r·(1 + r·q(r)) with q of degree 4: minimax for the relative error
// (3.8e-9 with these float coefficients, far below float's 6e-8 rounding). The loops are
// bound by arithmetic throughput, so Horner's scheme (fewest operations) is used throughout.
NR_AVX2 inline __m256 exp_q(__m256 r) {  // (e^r - 1 - r)/r²
  __m256 q = _mm256_fmadd_ps(f(1.381461275741458e-3f), r, f(8.368710055947304e-3f));
  q = _mm256_fmadd_ps(q, r, f(4.166838899254799e-2f));
  q = _mm256_fmadd_ps(q, r, f(1.666652113199234e-1f));
  return _mm256_fmadd_ps(q, r, f(4.999999403953552e-1f));
}
NR_AVX2 inline __m256 exp_reduced(__m256 r) {  // e^r, in [sqrt(1/2), sqrt(2)]
  return _mm256_fmadd_ps(_mm256_fmadd_ps(exp_q(r), r, f(1.f)), r, f(1.f));
}

// x clamped to [-104, 89] (beyond, e^x rounds to 0 or overflows anyway; NaN, min/max's second
// operand, passes unchanged), and 2^n applied as two multiplies by 2^(n/2): subnormal results
// (x < -87.3) round once and correctly, overflow gives inf.
NR_AVX2 inline __m256 exp_wide(__m256 x) {
  x = _mm256_min_ps(f(89.f), _mm256_max_ps(f(-104.f), x));
  __m256 n = _mm256_round_ps(_mm256_mul_ps(x, f(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, f(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, f(-2.12194440e-4f), r);
  __m256 y = exp_reduced(r);
  __m256i ni = _mm256_cvtps_epi32(n);  // n in [-150, 128]
  __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, i(127)), 23));
  __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, i(127)), 23));
  return _mm256_mul_ps(_mm256_mul_ps(y, s1), s2);
}

// e^x. Where every lane has |x| < 86 (results normal), n comes from adding 1.5·2^23 (which
// rounds x/ln2 to an integer in the low mantissa bits) and 2^n is an integer add of n << 23
// into y's exponent field; otherwise exp_wide does the vector. Both give the same bits where
// both apply (scaling a normal float by 2^n is exact), so the branch never changes a result.
NR_AVX2 inline __m256 exp(__m256 x) {
  if (__builtin_expect(_mm256_movemask_ps(_mm256_cmp_ps(abs(x), f(86.f), _CMP_NLT_UQ)) != 0, 0)) return exp_wide(x);
  __m256 t = _mm256_fmadd_ps(x, f(1.44269504088896341f), f(12582912.f));
  __m256 n = _mm256_sub_ps(t, f(12582912.f));
  __m256 r = _mm256_fnmadd_ps(n, f(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, f(-2.12194440e-4f), r);
  __m256i sh = _mm256_slli_epi32(_mm256_castps_si256(t), 23);  // n << 23: the magic's bits shift out
  return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(exp_reduced(r)), sh));
}

// e^x - 1, and in *h e^x - 1 - x, each to a few ulp of itself: with s = 2^n, e^x - 1 =
// s·(r + r²q) + (s - 1), and where n = 0 (|x| < ln2/2) h = r·(r·q) straight from the
// polynomial, so neither cancels near 0 (elsewhere h = (e^x - 1) - x cancels by at most 8x).
// Vectors with a lane |x| >= 86 or NaN go through std::expm1 in double.
NR_AVX2 inline __m256 expm1(__m256 x, __m256* h) {
  if (__builtin_expect(_mm256_movemask_ps(_mm256_cmp_ps(abs(x), f(86.f), _CMP_NLT_UQ)) != 0, 0)) {
    alignas(32) float xs[8], es[8], hs[8];
    _mm256_store_ps(xs, x);
    for (int k = 0; k < 8; ++k) {
      double d = static_cast<double>(xs[k]), e = std::expm1(d);
      es[k] = static_cast<float>(e);
      hs[k] = static_cast<float>(e - d);
    }
    *h = _mm256_load_ps(hs);
    return _mm256_load_ps(es);
  }
  __m256 t = _mm256_fmadd_ps(x, f(1.44269504088896341f), f(12582912.f));
  __m256 n = _mm256_sub_ps(t, f(12582912.f));
  __m256 r = _mm256_fnmadd_ps(n, f(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, f(-2.12194440e-4f), r);
  __m256 rq = _mm256_mul_ps(r, exp_q(r));
  __m256 rw = _mm256_fmadd_ps(rq, r, r);  // e^r - 1
  __m256 s = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_slli_epi32(_mm256_castps_si256(t), 23), i(0x3f800000)));
  __m256 em1 = _mm256_fmadd_ps(s, rw, _mm256_sub_ps(s, f(1.f)));
  *h = _mm256_blendv_ps(_mm256_sub_ps(em1, x), _mm256_mul_ps(r, rq), _mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_EQ_OQ));
  return em1;
}

// ---- log ----
// log(1+f) = f - f²/2 + f³·P(f) for f in [sqrt(1/2)-1, sqrt(2)-1], P of degree 7: minimax for
// the relative error (6.4e-9 with these float coefficients).
NR_AVX2 inline __m256 log_p(__m256 x) {
  __m256 p = _mm256_fmadd_ps(f(-7.634499669075012e-2f), x, f(1.276157796382904e-1f));
  p = _mm256_fmadd_ps(p, x, f(-1.316018253564835e-1f));
  p = _mm256_fmadd_ps(p, x, f(1.420175731182098e-1f));
  p = _mm256_fmadd_ps(p, x, f(-1.662335693836212e-1f));
  p = _mm256_fmadd_ps(p, x, f(2.000122666358948e-1f));
  p = _mm256_fmadd_ps(p, x, f(-2.500081956386566e-1f));
  return _mm256_fmadd_ps(p, x, f(3.333333134651184e-1f));
}

// e·ln2 + log(1+fr) for fr in [sqrt(1/2)-1, sqrt(2)-1] and e integral (float); ln2 in two
// parts, e·hi exact, the small terms summed first.
NR_AVX2 inline __m256 log_reduced(__m256 fr, __m256 e) {
  __m256 z = _mm256_mul_ps(fr, fr);
  __m256 t = _mm256_fnmadd_ps(f(0.5f), z, _mm256_mul_ps(e, f(-2.12194440e-4f)));
  __m256 y = _mm256_fmadd_ps(_mm256_mul_ps(fr, z), log_p(fr), t);
  return _mm256_fmadd_ps(e, f(0.693359375f), _mm256_add_ps(fr, y));
}

// For x positive, normal and finite: x = m·2^e with m in [sqrt(1/2), sqrt(2)), read from the
// bits offset by sqrt(1/2)'s, and f = m - 1 exact.
NR_AVX2 inline __m256 log_normal(__m256 x) {
  __m256i u = _mm256_sub_epi32(_mm256_castps_si256(x), i(0x3f3504f3));
  __m256 e = _mm256_cvtepi32_ps(_mm256_srai_epi32(u, 23));
  __m256 m = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_and_si256(u, i(0x007fffff)), i(0x3f3504f3)));
  return log_reduced(_mm256_sub_ps(m, f(1.f)), e);
}

// log x. Subnormals are scaled by 2^23 first; 0 -> -inf, negative or NaN -> NaN, inf -> inf.
NR_AVX2 inline __m256 log_wide(__m256 x) {
  __m256 sub = _mm256_cmp_ps(x, f(1.17549435e-38f), _CMP_LT_OQ);
  __m256 xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, f(8388608.f)), sub);
  __m256 r = _mm256_fnmadd_ps(_mm256_and_ps(sub, f(23.f)), f(0.693147180559945309f), log_normal(xs));
  r = _mm256_blendv_ps(r, f(INFINITY), _mm256_cmp_ps(x, f(INFINITY), _CMP_EQ_OQ));
  r = _mm256_blendv_ps(r, f(-INFINITY), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ));
  return _mm256_blendv_ps(r, f(NAN), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NGE_UQ));  // x < 0 or NaN
}

NR_AVX2 inline __m256 log(__m256 x) {
  __m256 odd = _mm256_or_ps(_mm256_cmp_ps(x, f(1.17549435e-38f), _CMP_NGE_UQ), _mm256_cmp_ps(x, f(INFINITY), _CMP_EQ_OQ));
  if (__builtin_expect(_mm256_movemask_ps(odd) != 0, 0)) return log_wide(x);
  return log_normal(x);
}

// log(1+x) for x in [0, 1] only (the e^-|z| of the losses and softplus): 1+x = 2^e·(1+fr)
// with e = 0, fr = x, or e = 1, fr = (x-1)/2, so 1+x is never rounded.
NR_AVX2 inline __m256 log1p_unit(__m256 x) {
  __m256 big = _mm256_cmp_ps(x, f(0.414213562373095049f), _CMP_GT_OQ);
  __m256 fr = _mm256_blendv_ps(x, _mm256_mul_ps(_mm256_sub_ps(x, f(1.f)), f(0.5f)), big);
  return log_reduced(fr, _mm256_and_ps(big, f(1.f)));
}

// log(1+x) for any x: log(u) for u = 1+x, corrected by (x-(u-1))/u for the rounding of u.
NR_AVX2 inline __m256 log1p(__m256 x) {
  __m256 u = _mm256_add_ps(x, f(1.f));
  __m256 lu = log(u);
  __m256 c = _mm256_div_ps(_mm256_sub_ps(x, _mm256_sub_ps(u, f(1.f))), u);
  __m256 finite = _mm256_and_ps(_mm256_cmp_ps(u, _mm256_setzero_ps(), _CMP_GT_OQ), _mm256_cmp_ps(u, f(INFINITY), _CMP_LT_OQ));
  return _mm256_blendv_ps(lu, _mm256_add_ps(lu, c), finite);
}

// ---- functions built on exp, each in two stages: s1 is the exp, s2 the rest ----
// The array forms run s1 over a block into a small buffer, then s2 over it: two short chains
// of dependent operations keep more vectors in flight than one long one (1.5x faster here).

// 1/(1+e^-x) = (x >= 0 ? 1 : e)/(1+e), e = e^-|x|: saturates to exactly 1 (and to 0 below -104).
struct Sigmoid {
  NR_AVX2 static __m256 s1(__m256 x) { return exp(nabs(x)); }
  NR_AVX2 static __m256 s2(__m256 x, __m256 e) {
    __m256 num = _mm256_blendv_ps(f(1.f), e, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
    return _mm256_div_ps(num, _mm256_add_ps(f(1.f), e));
  }
};

// tanh: an odd polynomial for |x| < 0.625 (Cephes tanhf), else sign(x)·(1-e)/(1+e) with
// e = e^-2|x| (no cancellation there; saturates to exactly ±1; NaN stays NaN).
struct Tanh {
  NR_AVX2 static __m256 s1(__m256 x) { return exp(_mm256_mul_ps(abs(x), f(-2.f))); }
  NR_AVX2 static __m256 s2(__m256 x, __m256 e) {
    __m256 z = _mm256_mul_ps(x, x);
    __m256 p = _mm256_fmadd_ps(f(-5.70498872745e-3f), z, f(2.06390887954e-2f));
    p = _mm256_fmadd_ps(p, z, f(-5.37397155531e-2f));
    p = _mm256_fmadd_ps(p, z, f(1.33314422036e-1f));
    p = _mm256_fmadd_ps(p, z, f(-3.33332819422e-1f));
    __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
    __m256 big = _mm256_div_ps(_mm256_sub_ps(f(1.f), e), _mm256_add_ps(f(1.f), e));
    __m256 r = _mm256_blendv_ps(big, small, _mm256_cmp_ps(abs(x), f(0.625f), _CMP_LT_OQ));
    return _mm256_or_ps(r, _mm256_and_ps(x, f(-0.f)));  // x's sign (tanh(-0) = -0 too)
  }
};

// log(1+e^x) = max(x,0) + log1p(e^-|x|): never overflows, exactly x for large x.
struct Softplus {
  NR_AVX2 static __m256 s1(__m256 x) { return exp(nabs(x)); }
  NR_AVX2 static __m256 s2(__m256 x, __m256 e) {
    return _mm256_add_ps(_mm256_max_ps(_mm256_setzero_ps(), x), log1p_unit(e));  // NaN x: kept by max
  }
};

NR_AVX2 inline __m256 sigmoid(__m256 x) { return Sigmoid::s2(x, Sigmoid::s1(x)); }
NR_AVX2 inline __m256 tanh(__m256 x) { return Tanh::s2(x, Tanh::s1(x)); }
NR_AVX2 inline __m256 softplus(__m256 x) { return Softplus::s2(x, Softplus::s1(x)); }

// ---- array forms: y (n) = f(x) (n), y may be x; the last n % 8 elements masked ----

constexpr int64_t kStageBlock = 256;  // elements per staged block (1 KiB of buffer)

#define NR_VMATH_ARRAY(name)                                                          \
  NR_AVX2 inline void name##_n(float* y, const float* x, int64_t n) {                 \
    int64_t k = 0;                                                                    \
    for (; k + 8 <= n; k += 8) _mm256_storeu_ps(y + k, name(_mm256_loadu_ps(x + k))); \
    if (k < n) {                                                                      \
      __m256i m = tail_mask(n - k);                                                   \
      store_tail(y + k, m, name(load_tail(x + k, m)));                                \
    }                                                                                 \
  }
NR_VMATH_ARRAY(exp)
NR_VMATH_ARRAY(log)
NR_VMATH_ARRAY(log1p)
#undef NR_VMATH_ARRAY

// y = S::s2(x, S::s1(x)), stage by stage over blocks of kStageBlock.
template <class S>
NR_AVX2 inline void staged_n(float* y, const float* x, int64_t n) {
  alignas(32) float t[kStageBlock];
  for (int64_t b = 0; b < n; b += kStageBlock) {
    const int64_t cnt = n - b < kStageBlock ? n - b : kStageBlock, full = cnt & ~int64_t{7};
    const float* xb = x + b;
    float* yb = y + b;
    for (int64_t j = 0; j < full; j += 8) _mm256_store_ps(t + j, S::s1(_mm256_loadu_ps(xb + j)));
    for (int64_t j = 0; j < full; j += 8) _mm256_storeu_ps(yb + j, S::s2(_mm256_loadu_ps(xb + j), _mm256_load_ps(t + j)));
    if (full < cnt) {
      __m256i m = tail_mask(cnt - full);
      __m256 xv = load_tail(xb + full, m);
      store_tail(yb + full, m, S::s2(xv, S::s1(xv)));
    }
  }
}
NR_AVX2 inline void sigmoid_n(float* y, const float* x, int64_t n) { staged_n<Sigmoid>(y, x, n); }
NR_AVX2 inline void tanh_n(float* y, const float* x, int64_t n) { staged_n<Tanh>(y, x, n); }
NR_AVX2 inline void softplus_n(float* y, const float* x, int64_t n) { staged_n<Softplus>(y, x, n); }

// ---- sums ----

// The 8 lanes of v, widened to double, added into two 4-lane double accumulators.
NR_AVX2 inline void acc_pd(__m256d& lo, __m256d& hi, __m256 v) {
  lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
  hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

// p[0, n) added into lo/hi in an order fixed by n alone: each 64 elements pairwise in float
// (8 per lane: at most 3 roundings, 1.8e-7 of their magnitude), then widened; then the
// remaining vectors one by one, and the last n % 8 masked.
NR_AVX2 inline void sum_f32(__m256d& lo, __m256d& hi, const float* p, int64_t n) {
  int64_t k = 0;
  for (; k + 64 <= n; k += 64) {
    const float* q = p + k;
    __m256 a = _mm256_add_ps(_mm256_loadu_ps(q), _mm256_loadu_ps(q + 8));
    __m256 b = _mm256_add_ps(_mm256_loadu_ps(q + 16), _mm256_loadu_ps(q + 24));
    __m256 c = _mm256_add_ps(_mm256_loadu_ps(q + 32), _mm256_loadu_ps(q + 40));
    __m256 d = _mm256_add_ps(_mm256_loadu_ps(q + 48), _mm256_loadu_ps(q + 56));
    acc_pd(lo, hi, _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d)));
  }
  for (; k + 8 <= n; k += 8) acc_pd(lo, hi, _mm256_loadu_ps(p + k));
  if (k < n) acc_pd(lo, hi, load_tail(p + k, tail_mask(n - k)));
}

// The lanes of lo + hi added in a fixed order.
NR_AVX2 inline double hsum_pd(__m256d lo, __m256d hi) {
  alignas(32) double t[4];
  _mm256_store_pd(t, _mm256_add_pd(lo, hi));
  return (t[0] + t[1]) + (t[2] + t[3]);
}

}  // namespace avx2
#endif

// ---- array functions: y (n) = f(x) (n), y may be x; one CPU check per call ----

#if NR_HAVE_X86
#define NR_VMATH_DISPATCH(name)                                         \
  inline void name(float* y, const float* x, int64_t n) {               \
    if (cpu_has_avx2_fma()) return avx2::name##_n(y, x, n);              \
    for (int64_t k = 0; k < n; ++k) y[k] = name##_s(x[k]);              \
  }
#else
#define NR_VMATH_DISPATCH(name)                                         \
  inline void name(float* y, const float* x, int64_t n) {               \
    for (int64_t k = 0; k < n; ++k) y[k] = name##_s(x[k]);              \
  }
#endif
NR_VMATH_DISPATCH(exp)
NR_VMATH_DISPATCH(log)
NR_VMATH_DISPATCH(log1p)
NR_VMATH_DISPATCH(sigmoid)
NR_VMATH_DISPATCH(tanh)
NR_VMATH_DISPATCH(softplus)
#undef NR_VMATH_DISPATCH

}  // namespace neurec::vmath
