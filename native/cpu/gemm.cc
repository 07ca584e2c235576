// BLIS-style GEMM: operands are packed into MR-row / NR-column slivers per cache block, and a
// 6x16 AVX2+FMA micro-kernel (12 accumulators in registers) does the arithmetic; the bias and
// ReLU epilogue is applied while the tile is still in registers. CPUs without AVX2 use a
// portable loop the compiler vectorizes.
#include "cpu/gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "simd.h"
#include "threadpool.h"

#if NR_HAVE_X86
#include <immintrin.h>
#endif

namespace neurec::cpu {
namespace {

constexpr int64_t MR = 6, NR = 16;
constexpr int64_t KC = 256;   // depth of one packed block: an A sliver + a B sliver fit L1
constexpr int64_t MC_MAX = 120;
constexpr int64_t NC = 3072;  // a packed B block (KC x NC) fits L2/L3

struct Strided {
  const float* p;
  int64_t rs, cs;
  float at(int64_t i, int64_t j) const { return p[i * rs + j * cs]; }
};

// Ap: ceil(mc/MR) slivers of (kc x MR), zero-padded past mc.
void pack_a(float* ap, Strided a, int64_t i0, int64_t mc, int64_t p0, int64_t kc) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    int64_t mr = std::min(MR, mc - ir);
    float* dst = ap + ir * kc;
    if (a.cs == 1) {
      for (int64_t r = 0; r < MR; ++r) {
        if (r < mr) {
          const float* src = a.p + (i0 + ir + r) * a.rs + p0;
          for (int64_t p = 0; p < kc; ++p) dst[p * MR + r] = src[p];
        } else {
          for (int64_t p = 0; p < kc; ++p) dst[p * MR + r] = 0.f;
        }
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = a.p + (p0 + p) * a.cs + (i0 + ir) * a.rs;
        for (int64_t r = 0; r < MR; ++r) dst[p * MR + r] = r < mr ? src[r * a.rs] : 0.f;
      }
    }
  }
}

// Bp: ceil(nc/NR) slivers of (kc x NR), zero-padded past nc.
void pack_b(float* bp, Strided b, int64_t p0, int64_t kc, int64_t j0, int64_t nc) {
  for (int64_t jr = 0; jr < nc; jr += NR) {
    int64_t nr = std::min(NR, nc - jr);
    float* dst = bp + jr * kc;
    if (b.cs == 1) {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = b.p + (p0 + p) * b.rs + j0 + jr;
        int64_t j = 0;
        for (; j < nr; ++j) dst[p * NR + j] = src[j];
        for (; j < NR; ++j) dst[p * NR + j] = 0.f;
      }
    } else {
      for (int64_t j = 0; j < NR; ++j) {
        if (j < nr) {
          const float* src = b.p + (j0 + jr + j) * b.cs + p0 * b.rs;
          for (int64_t p = 0; p < kc; ++p) dst[p * NR + j] = src[p * b.rs];
        } else {
          for (int64_t p = 0; p < kc; ++p) dst[p * NR + j] = 0.f;
        }
      }
    }
  }
}

// Writes one tile: c = (load ? c : 0) + acc, then + bias and ReLU when `last`.
inline void store_tile_scalar(float* c, int64_t ldc, const float* acc, int64_t mr, int64_t nr, bool load, bool last,
                              const float* bias, bool relu) {
  for (int64_t r = 0; r < mr; ++r) {
    for (int64_t j = 0; j < nr; ++j) {
      float v = acc[r * NR + j] + (load ? c[r * ldc + j] : 0.f);
      if (last) {
        if (bias) v += bias[j];
        if (relu) v = v > 0.f ? v : 0.f;
      }
      c[r * ldc + j] = v;
    }
  }
}

// A operand of the micro-kernel: element (r, p) of the tile at a[r*rs + p*cs]. Packed slivers
// have rs = 1, cs = MR; an unpacked row-major A has rs = lda, cs = 1.
struct ATile {
  const float* a;
  int64_t rs, cs;
};

#if NR_HAVE_X86
// The 12 accumulators are named variables, not an array: with an array GCC kept a copy in
// memory and stored all 12 to the stack on every iteration, halving the kernel's speed.
template <bool kPacked>
__attribute__((target("avx2,fma"))) inline void micro_avx2_impl(int64_t kc, ATile A, const float* bp, float* c,
                                                                   int64_t ldc, int64_t mr, int64_t nr, bool load,
                                                                   bool last, const float* bias, bool relu) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  // Rows past mr read the last valid row (never stored), so unpacked edge tiles stay in bounds.
  const float* rp0 = A.a;
  const float* rp1 = A.a + (1 < mr ? 1 : mr - 1) * A.rs;
  const float* rp2 = A.a + (2 < mr ? 2 : mr - 1) * A.rs;
  const float* rp3 = A.a + (3 < mr ? 3 : mr - 1) * A.rs;
  const float* rp4 = A.a + (4 < mr ? 4 : mr - 1) * A.rs;
  const float* rp5 = A.a + (5 < mr ? 5 : mr - 1) * A.rs;
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(bp + p * NR), b1 = _mm256_loadu_ps(bp + p * NR + 8);
    const float* ap = A.a + p * MR;
    const int64_t q = p * A.cs;
#define NR_ROW(r, cr0, cr1)                                                                \
  {                                                                                        \
    const __m256 av = kPacked ? _mm256_broadcast_ss(ap + r) : _mm256_broadcast_ss(rp##r + q); \
    cr0 = _mm256_fmadd_ps(av, b0, cr0);                                                    \
    cr1 = _mm256_fmadd_ps(av, b1, cr1);                                                    \
  }
    NR_ROW(0, c00, c01) NR_ROW(1, c10, c11) NR_ROW(2, c20, c21) NR_ROW(3, c30, c31) NR_ROW(4, c40, c41) NR_ROW(5, c50, c51)
#undef NR_ROW
  }
  alignas(32) float tile[MR * NR];
  __m256* t = reinterpret_cast<__m256*>(tile);
  t[0] = c00; t[1] = c01; t[2] = c10; t[3] = c11; t[4] = c20; t[5] = c21;
  t[6] = c30; t[7] = c31; t[8] = c40; t[9] = c41; t[10] = c50; t[11] = c51;
  if (mr == MR && nr == NR) {
    __m256 bias0 = _mm256_setzero_ps(), bias1 = _mm256_setzero_ps(), zero = _mm256_setzero_ps();
    if (last && bias) { bias0 = _mm256_loadu_ps(bias); bias1 = _mm256_loadu_ps(bias + 8); }
    for (int r = 0; r < MR; ++r) {
      float* cr = c + r * ldc;
      __m256 v0 = t[2 * r], v1 = t[2 * r + 1];
      if (load) { v0 = _mm256_add_ps(v0, _mm256_loadu_ps(cr)); v1 = _mm256_add_ps(v1, _mm256_loadu_ps(cr + 8)); }
      if (last) {
        v0 = _mm256_add_ps(v0, bias0);
        v1 = _mm256_add_ps(v1, bias1);
        if (relu) { v0 = _mm256_max_ps(v0, zero); v1 = _mm256_max_ps(v1, zero); }
      }
      _mm256_storeu_ps(cr, v0);
      _mm256_storeu_ps(cr + 8, v1);
    }
    return;
  }
  store_tile_scalar(c, ldc, tile, mr, nr, load, last, bias, relu);
}

__attribute__((target("avx2,fma"))) void micro_avx2(int64_t kc, ATile A, const float* bp, float* c, int64_t ldc,
                                                       int64_t mr, int64_t nr, bool load, bool last, const float* bias,
                                                       bool relu) {
  if (A.rs == 1 && A.cs == MR) micro_avx2_impl<true>(kc, A, bp, c, ldc, mr, nr, load, last, bias, relu);
  else micro_avx2_impl<false>(kc, A, bp, c, ldc, mr, nr, load, last, bias, relu);
}
#endif

void micro_portable(int64_t kc, ATile A, const float* bp, float* c, int64_t ldc, int64_t mr, int64_t nr, bool load,
                    bool last, const float* bias, bool relu) {
  float tile[MR * NR] = {0};
  for (int64_t p = 0; p < kc; ++p)
    for (int64_t r = 0; r < mr; ++r) {
      float av = A.a[r * A.rs + p * A.cs];
      for (int64_t j = 0; j < NR; ++j) tile[r * NR + j] += av * bp[p * NR + j];
    }
  store_tile_scalar(c, ldc, tile, mr, nr, load, last, bias, relu);
}

// Packing buffers, one pair per thread, 64-byte aligned: a 32-byte load that straddles a
// cache line costs a second access, which halved the micro-kernel's speed.
struct Scratch {
  std::vector<float> buf;
  float* ptr = nullptr;
  size_t cap = 0;
  float* get(size_t n) {
    if (n > cap) {
      buf.assign(n + 16, 0.f);
      uintptr_t p = reinterpret_cast<uintptr_t>(buf.data());
      ptr = reinterpret_cast<float*>((p + 63) & ~uintptr_t(63));
      cap = n;
    }
    return ptr;
  }
};
Scratch& scratch(int slot) {
  thread_local Scratch bufs[2];
  return bufs[slot];
}

}  // namespace

void gemm(float* c, const float* a, const float* b, int64_t M, int64_t N, int64_t K, int64_t ars, int64_t acs,
          int64_t brs, int64_t bcs, bool accumulate, const float* bias, bool relu) {
  if (M == 0 || N == 0) return;
  if (K == 0) {  // empty sum: only the epilogue
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        float v = (accumulate ? c[i * N + j] : 0.f) + (bias ? bias[j] : 0.f);
        c[i * N + j] = relu && v < 0.f ? 0.f : v;
      }
    return;
  }
#if NR_HAVE_X86
  auto micro = cpu_has_avx2_fma() ? micro_avx2 : micro_portable;
#else
  auto micro = micro_portable;
#endif
  Strided A{a, ars, acs}, B{b, brs, bcs};
  const int T = num_threads();
  // Split M into a multiple of the thread count of MR-aligned blocks, when there is enough
  // work to pay for a parallel region.
  const bool parallel = T > 1 && M * N * K >= (int64_t)1 << 21 && M >= 2 * MR;
  int64_t nblocks = (M + MC_MAX - 1) / MC_MAX;
  if (parallel) nblocks = ((nblocks + T - 1) / T) * T;
  int64_t mc_blk = ((M + nblocks - 1) / nblocks + MR - 1) / MR * MR;
  nblocks = (M + mc_blk - 1) / mc_blk;

  // Packing A pays when each A sliver meets many B slivers; with few output columns the
  // micro-kernel reads A in place (packing would cost as much as the arithmetic).
  const bool pack_a_block = N > 4 * NR;
  Scratch& bscratch = scratch(1);
  for (int64_t jc = 0; jc < N; jc += NC) {
    int64_t nc = std::min(NC, N - jc);
    int64_t nc_pad = (nc + NR - 1) / NR * NR;
    for (int64_t pc = 0; pc < K; pc += KC) {
      int64_t kc = std::min(KC, K - pc);
      bool load = accumulate || pc > 0, last = pc + kc >= K;
      float* bpack = bscratch.get(kc * nc_pad);
      // Packing B is O(K·N) of strided reads (a transposed weight): both threads share it.
      const int64_t slivers = (nc + NR - 1) / NR;
      auto pack_slivers = [&](int64_t s0, int64_t s1) {
        pack_b(bpack + s0 * NR * kc, B, pc, kc, jc + s0 * NR, std::min(nc, s1 * NR) - s0 * NR);
      };
      if (parallel && kc * nc >= (1 << 15)) parallel_for(slivers, 4, pack_slivers);
      else pack_slivers(0, slivers);
      const float* bp = bpack;
      auto do_blocks = [&](int64_t blk0, int64_t blk1) {
        float* apack = pack_a_block ? scratch(0).get(kc * mc_blk) : nullptr;
        for (int64_t blk = blk0; blk < blk1; ++blk) {
          int64_t ic = blk * mc_blk, mc = std::min(mc_blk, M - ic);
          if (pack_a_block) pack_a(apack, A, ic, mc, pc, kc);
          for (int64_t jr = 0; jr < nc; jr += NR) {
            int64_t nr = std::min(NR, nc - jr);
            const float* bias_j = bias ? bias + jc + jr : nullptr;
            for (int64_t ir = 0; ir < mc; ir += MR) {
              ATile at = pack_a_block ? ATile{apack + ir * kc, 1, MR}
                                      : ATile{A.p + (ic + ir) * A.rs + pc * A.cs, A.rs, A.cs};
              micro(kc, at, bp + jr * kc, c + (ic + ir) * N + jc + jr, N, std::min(MR, mc - ir), nr, load, last,
                    bias_j, relu);
            }
          }
        }
      };
      if (parallel && nblocks > 1) parallel_for(nblocks, 1, do_blocks);
      else do_blocks(0, nblocks);
    }
  }
}

}  // namespace neurec::cpu
