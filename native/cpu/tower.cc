#include "cpu/tower.h"

#include <algorithm>

#include "simd.h"
#include "threadpool.h"

#if NR_HAVE_X86
#include <immintrin.h>
#endif

namespace neurec::cpu {
namespace {

// Items per block: each activation of a block is kBlock floats (two AVX2 registers), so a
// layer is broadcast-weight FMAs over contiguous lanes.
constexpr int kBlock = 16;

// The portable path (and the reference for the AVX2 one): zo (m, kBlock) = relu(W (m,k) ·
// zi (k, kBlock) + b).
void dense_relu_portable(float* zo, const float* zi, const float* W, const float* b, int64_t m, int64_t k) {
  for (int64_t j = 0; j < m; ++j) {
    float a[kBlock];
    for (int l = 0; l < kBlock; ++l) a[l] = b[j];
    for (int64_t q = 0; q < k; ++q)
      for (int l = 0; l < kBlock; ++l) a[l] += W[j * k + q] * zi[q * kBlock + l];
    for (int l = 0; l < kBlock; ++l) zo[j * kBlock + l] = std::max(a[l], 0.f);
  }
}

void output_portable(float* s, const float* z, const float* w, int64_t h) {
  for (int l = 0; l < kBlock; ++l) s[l] = 0.f;
  for (int64_t q = 0; q < h; ++q)
    for (int l = 0; l < kBlock; ++l) s[l] += w[q] * z[q * kBlock + l];
}

#if NR_HAVE_X86
// Four output rows at a time: eight accumulators (4 rows x 2 registers) stay in registers
// across the k loop, two loads and four broadcasts feed eight FMAs.
__attribute__((target("avx2,fma"))) void dense_relu_avx2(float* zo, const float* zi, const float* W, const float* b,
                                                        int64_t m, int64_t k) {
  const __m256 zero = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 4 <= m; j += 4) {
    __m256 a0 = _mm256_set1_ps(b[j]), a1 = _mm256_set1_ps(b[j + 1]), a2 = _mm256_set1_ps(b[j + 2]),
           a3 = _mm256_set1_ps(b[j + 3]);
    __m256 c0 = a0, c1 = a1, c2 = a2, c3 = a3;
    const float *w0 = W + j * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
    for (int64_t q = 0; q < k; ++q) {
      const __m256 x0 = _mm256_load_ps(zi + q * kBlock), x1 = _mm256_load_ps(zi + q * kBlock + 8);
      const __m256 v0 = _mm256_broadcast_ss(w0 + q), v1 = _mm256_broadcast_ss(w1 + q);
      const __m256 v2 = _mm256_broadcast_ss(w2 + q), v3 = _mm256_broadcast_ss(w3 + q);
      a0 = _mm256_fmadd_ps(v0, x0, a0), c0 = _mm256_fmadd_ps(v0, x1, c0);
      a1 = _mm256_fmadd_ps(v1, x0, a1), c1 = _mm256_fmadd_ps(v1, x1, c1);
      a2 = _mm256_fmadd_ps(v2, x0, a2), c2 = _mm256_fmadd_ps(v2, x1, c2);
      a3 = _mm256_fmadd_ps(v3, x0, a3), c3 = _mm256_fmadd_ps(v3, x1, c3);
    }
    float* o = zo + j * kBlock;
    _mm256_store_ps(o, _mm256_max_ps(a0, zero)), _mm256_store_ps(o + 8, _mm256_max_ps(c0, zero));
    _mm256_store_ps(o + 16, _mm256_max_ps(a1, zero)), _mm256_store_ps(o + 24, _mm256_max_ps(c1, zero));
    _mm256_store_ps(o + 32, _mm256_max_ps(a2, zero)), _mm256_store_ps(o + 40, _mm256_max_ps(c2, zero));
    _mm256_store_ps(o + 48, _mm256_max_ps(a3, zero)), _mm256_store_ps(o + 56, _mm256_max_ps(c3, zero));
  }
  for (; j < m; ++j) {
    __m256 a = _mm256_set1_ps(b[j]), c = a;
    for (int64_t q = 0; q < k; ++q) {
      const __m256 v = _mm256_broadcast_ss(W + j * k + q);
      a = _mm256_fmadd_ps(v, _mm256_load_ps(zi + q * kBlock), a);
      c = _mm256_fmadd_ps(v, _mm256_load_ps(zi + q * kBlock + 8), c);
    }
    _mm256_store_ps(zo + j * kBlock, _mm256_max_ps(a, zero));
    _mm256_store_ps(zo + j * kBlock + 8, _mm256_max_ps(c, zero));
  }
}

__attribute__((target("avx2,fma"))) void output_avx2(float* s, const float* z, const float* w, int64_t h) {
  __m256 a = _mm256_setzero_ps(), c = a;
  for (int64_t q = 0; q < h; ++q) {
    const __m256 v = _mm256_broadcast_ss(w + q);
    a = _mm256_fmadd_ps(v, _mm256_load_ps(z + q * kBlock), a);
    c = _mm256_fmadd_ps(v, _mm256_load_ps(z + q * kBlock + 8), c);
  }
  _mm256_storeu_ps(s, a), _mm256_storeu_ps(s + 8, c);
}
#endif

// z1 (h1, kBlock) = relu(user + item columns i0 .. i0+cnt) from the transposed item half
// (h1, I); lanes past cnt are zero.
NR_VECTORIZE void first_layer(float* __restrict z, const float* __restrict user, const float* __restrict item,
                              int64_t I, int64_t i0, int64_t cnt, int64_t h1) {
  for (int64_t q = 0; q < h1; ++q) {
    float* zq = z + q * kBlock;
    const float* iq = item + q * I + i0;
    if (cnt == kBlock) {
      for (int l = 0; l < kBlock; ++l) zq[l] = std::max(user[q] + iq[l], 0.f);
    } else {
      for (int l = 0; l < kBlock; ++l) zq[l] = l < cnt ? std::max(user[q] + iq[l], 0.f) : 0.f;
    }
  }
}

}  // namespace

void tower_fwd(float* out, const float* user, const float* item, const float* params, int64_t n, int64_t I,
               const int64_t* h, bool accumulate) {
  int L = 0;
  tower_param_count(h, &L);
  if (n == 0 || I == 0) return;
#if NR_HAVE_X86
  const bool avx2 = cpu_has_avx2_fma();
  auto dense = avx2 ? dense_relu_avx2 : dense_relu_portable;
  auto output = avx2 ? output_avx2 : output_portable;
#else
  auto dense = dense_relu_portable;
  auto output = output_portable;
#endif
  const int64_t blocks = (I + kBlock - 1) / kBlock;
  // Block-major order: consecutive tasks are the batch's users on one block of items, so the
  // block's slice of the item half stays in L1 while every user passes over it. About 100
  // (user, block) pairs a task amortise the pool and still spread a small batch over threads.
  parallel_for(n * blocks, 96, [&](int64_t t0, int64_t t1) {
    alignas(64) float za[kTowerMaxWidth * kBlock], zb[kTowerMaxWidth * kBlock], s[kBlock];
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t u = t % n, i0 = (t / n) * kBlock, cnt = std::min<int64_t>(kBlock, I - i0);
      first_layer(za, user + u * h[0], item, I, i0, cnt, h[0]);
      float *zi = za, *zo = zb;
      const float* p = params;
      for (int l = 0; l + 1 < L; ++l) {
        dense(zo, zi, p, p + h[l + 1] * h[l], h[l + 1], h[l]);
        p += h[l + 1] * h[l] + h[l + 1];
        std::swap(zi, zo);
      }
      output(s, zi, p, h[L - 1]);
      float* o = out + u * I + i0;
      if (accumulate)
        for (int64_t l = 0; l < cnt; ++l) o[l] += s[l];
      else
        for (int64_t l = 0; l < cnt; ++l) o[l] = s[l];
    }
  });
}

}  // namespace neurec::cpu
