// GEMM kernel templates for kernels/linear.cu: C (M,N) row-major = op(A)·op(B) [+ C] [+ bias]
// [ReLU], with A element (i,p) at a[i*ars + p*acs] and B element (p,j) at b[p*brs + j*bcs], so
// a transposed operand is only a change of strides (as the CPU's gemm, native/cpu/gemm.h).
//
// FP32 (the default, exact path): shared-memory tiles of BM x BK of A and BK x BN of B, both
// stored k-major, double-buffered (the next tile is loaded into registers while the current one
// is multiplied, so one __syncthreads per tile); each thread owns a TM x TN register micro-tile.
// Split-K: blockIdx.z takes one kchunk-deep slice of K and writes raw partial sums to a scratch
// slab; gemm_splitk_reduce_kernel (linear.cu) adds the slices in order (deterministic) and applies the
// epilogue. TF32 (opt-in): WMMA m16n16k8 tensor-core fragments on the same shared tiles.
#pragma once
#include <mma.h>

#include <cstdint>

#include "common.cuh"

namespace neurec::cuda {

struct GemmArgs {
  float* c;            // (M,N) output, row-major, ldc = N
  float* part;         // split-K: raw partials go to part + z*M*N (no epilogue); null otherwise
  const float* a;
  const float* b;
  const float* bias;   // (N) or null
  int64_t M, N, K;
  int64_t ars, acs, brs, bcs;
  int64_t kchunk;      // depth of the K slice of one blockIdx.z
  bool accumulate, relu;
  bool vec;            // N % 4 == 0 and c, bias 16-byte aligned: float4 epilogue
};

__device__ __forceinline__ float relu_zero(float v) { return v > 0.f ? v : 0.f; }  // NaN -> 0, as the CPU's max_ps

// Writes outputs (row, col..col+3) from v (col % 4 == 0), skipping those outside (M,N). With
// epi: v + C (accumulate), + bias, ReLU, in the CPU's order; without: the raw sums (split-K).
__device__ __forceinline__ void gemm_store4(const GemmArgs& g, float* out, bool epi, int64_t row, int64_t col,
                                            const float* v) {
  if (row >= g.M || col >= g.N) return;
  float* dst = out + row * g.N + col;
  if (g.vec) {  // N % 4 == 0 and col % 4 == 0, so all four columns are in range
    float4 r = make_float4(v[0], v[1], v[2], v[3]);
    if (epi) {
      if (g.accumulate) {
        const float4 o = *reinterpret_cast<const float4*>(dst);
        r.x += o.x; r.y += o.y; r.z += o.z; r.w += o.w;
      }
      if (g.bias) {
        const float4 bb = *reinterpret_cast<const float4*>(g.bias + col);
        r.x += bb.x; r.y += bb.y; r.z += bb.z; r.w += bb.w;
      }
      if (g.relu) { r.x = relu_zero(r.x); r.y = relu_zero(r.y); r.z = relu_zero(r.z); r.w = relu_zero(r.w); }
    }
    *reinterpret_cast<float4*>(dst) = r;
    return;
  }
#pragma unroll
  for (int q = 0; q < 4; ++q) {
    if (col + q >= g.N) break;
    float x = v[q];
    if (epi) {
      if (g.accumulate) x += dst[q];
      if (g.bias) x += g.bias[col + q];
      if (g.relu) x = relu_zero(x);
    }
    dst[q] = x;
  }
}

// One thread's share of a ROWS x BK tile of a strided operand (element (r,k) at
// src[r*rs + k*cs]), zero outside rows [0,nrows) and depth [k0,kend), stored k-major to shared
// memory (dst[k*PITCH + r]). KC (the operand is contiguous along k): consecutive threads take
// consecutive k, else consecutive rows, so global reads coalesce either way; both mappings are
// correct for any strides.
template <int ROWS, int BK, int T, bool KC>
struct TileLoader {
  static_assert((ROWS * BK) % T == 0, "tile not divisible among threads");
  static_assert(KC ? T % BK == 0 : T % ROWS == 0, "thread count must tile the contiguous dimension");
  static constexpr int PER = ROWS * BK / T;
  static constexpr int STEP = KC ? T / BK : T / ROWS;  // between a thread's elements (rows if KC, else k)
  const float* src;  // the thread's first element at depth 0: src[(row0 + r_in)*rs + k_in*cs]
  int64_t cs, estep;  // estep: pointer step between the thread's elements
  int64_t rlim;       // rows left from the thread's first row (elements at or past it are zero)
  int r_in, k_in;
  float v[PER];

  __device__ __forceinline__ TileLoader(int tid, const float* base, int64_t rs, int64_t cs_, int64_t row0,
                                        int64_t nrows)
      : cs(cs_), r_in(KC ? tid / BK : tid % ROWS), k_in(KC ? tid % BK : tid / ROWS) {
    src = base + (row0 + r_in) * rs + k_in * cs;
    estep = KC ? STEP * rs : STEP * cs;
    rlim = nrows - (row0 + r_in);
  }
  // The tile at depth k0 of the slice ending at kend.
  __device__ __forceinline__ void load(int64_t k0, int64_t kend) {
    const float* p = src + k0 * cs;
    const int64_t klim = kend - (k0 + k_in);
#pragma unroll
    for (int e = 0; e < PER; ++e) {
      const bool ok = KC ? (e * STEP < rlim && 0 < klim) : (0 < rlim && e * STEP < klim);
      v[e] = ok ? __ldg(p + e * estep) : 0.f;
    }
  }
  // TF32: rounds to TF32 once here, so the fragments loaded from shared memory need no conversion.
  template <int PITCH, bool TF32 = false>
  __device__ __forceinline__ void store(float* dst) const {
#pragma unroll
    for (int e = 0; e < PER; ++e) {
      const int r = KC ? r_in + e * STEP : r_in, k = KC ? k_in : k_in + e * STEP;
      dst[k * PITCH + r] = TF32 ? nvcuda::wmma::__float_to_tf32(v[e]) : v[e];
    }
  }
};

// FP32 SGEMM. Block: (BM/TM)*(BN/TN) threads for a BM x BN output tile (blockIdx.x over M,
// blockIdx.y over N, blockIdx.z over K slices). Thread (ty,tx) owns rows h*BM/RM + ty*4 + i and
// columns h*BN/RN + tx*4 + j (RM = TM/4 groups of 4): a warp's float4 shared reads of B then
// cover consecutive addresses (no bank conflicts) and reads of A are broadcasts.
template <int BM, int BN, int BK, int TM, int TN, bool AK, bool BKC>
__global__ void __launch_bounds__((BM / TM) * (BN / TN)) gemm_kernel(GemmArgs g) {
  constexpr int TX = BN / TN, TY = BM / TM, T = TX * TY, RM = TM / 4, RN = TN / 4;
  constexpr int PA = BM + 4, PB = BN + 4;  // row pitches: float4-aligned, staggered banks
  static_assert(TM % 4 == 0 && TN % 4 == 0, "micro-tile in groups of 4");
  __shared__ __align__(16) float As[2][BK * PA];
  __shared__ __align__(16) float Bs[2][BK * PB];
  const int tid = threadIdx.x, tx = tid % TX, ty = tid / TX;
  const int64_t m0 = static_cast<int64_t>(blockIdx.x) * BM, n0 = static_cast<int64_t>(blockIdx.y) * BN;
  const int64_t k0 = static_cast<int64_t>(blockIdx.z) * g.kchunk;
  const int64_t k1 = k0 + g.kchunk < g.K ? k0 + g.kchunk : g.K;
  const int64_t nt = k1 > k0 ? (k1 - k0 + BK - 1) / BK : 0;

  TileLoader<BM, BK, T, AK> la(tid, g.a, g.ars, g.acs, m0, g.M);
  TileLoader<BN, BK, T, BKC> lb(tid, g.b, g.bcs, g.brs, n0, g.N);  // B as rows j, depth p
  float acc[TM][TN];
#pragma unroll
  for (int i = 0; i < TM; ++i)
#pragma unroll
    for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;

  if (nt > 0) {
    la.load(k0, k1);
    lb.load(k0, k1);
    la.template store<PA>(As[0]);
    lb.template store<PB>(Bs[0]);
  }
  __syncthreads();
  for (int64_t t = 0; t < nt; ++t) {  // nt is the same for the whole block: the sync is uniform
    const int cur = static_cast<int>(t & 1);
    const bool more = t + 1 < nt;
    if (more) {  // next tile's global loads overlap this tile's arithmetic
      la.load(k0 + (t + 1) * BK, k1);
      lb.load(k0 + (t + 1) * BK, k1);
    }
    const float* as = As[cur];
    const float* bs = Bs[cur];
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      float ra[TM], rb[TN];
#pragma unroll
      for (int h = 0; h < RM; ++h) {
        const float4 x = *reinterpret_cast<const float4*>(as + kk * PA + h * TY * 4 + ty * 4);
        ra[h * 4] = x.x; ra[h * 4 + 1] = x.y; ra[h * 4 + 2] = x.z; ra[h * 4 + 3] = x.w;
      }
#pragma unroll
      for (int h = 0; h < RN; ++h) {
        const float4 x = *reinterpret_cast<const float4*>(bs + kk * PB + h * TX * 4 + tx * 4);
        rb[h * 4] = x.x; rb[h * 4 + 1] = x.y; rb[h * 4 + 2] = x.z; rb[h * 4 + 3] = x.w;
      }
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(ra[i], rb[j], acc[i][j]);
    }
    // The other buffer was last read in iteration t-1, which every thread finished before the
    // sync that ended it.
    if (more) {
      la.template store<PA>(As[cur ^ 1]);
      lb.template store<PB>(Bs[cur ^ 1]);
    }
    __syncthreads();
  }

  const bool epi = g.part == nullptr;
  float* out = epi ? g.c : g.part + static_cast<int64_t>(blockIdx.z) * g.M * g.N;
#pragma unroll
  for (int h = 0; h < RM; ++h)
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int64_t row = m0 + h * TY * 4 + ty * 4 + i;
#pragma unroll
      for (int hn = 0; hn < RN; ++hn) gemm_store4(g, out, epi, row, n0 + hn * TX * 4 + tx * 4, &acc[h * 4 + i][hn * 4]);
    }
}

// TF32 tensor cores (opt-in, NEUREC_CUDA_TF32=1): 256 threads = 8 warps on a 128x128 tile, each
// warp 64x32 = 4x2 m16n16k8 accumulator fragments. A is read from the k-major shared tile as a
// col_major fragment, B as row_major; the epilogue stages each 16x16 fragment in the warp's
// shared slot and writes it with gemm_store4 (bounds, accumulate, bias, ReLU).
template <bool AK, bool BKC>
__global__ void __launch_bounds__(256, 1) gemm_tf32_kernel(GemmArgs g) {
  using namespace nvcuda;
  constexpr int BM = 128, BN = 128, BK = 16, T = 256, PA = BM + 4, PB = BN + 4;
  // 32-byte alignment of every fragment pointer: row offsets 8*132 floats, columns in 16s.
  __shared__ __align__(128) float As[BK * PA];
  __shared__ __align__(128) float Bs[BK * PB];
  __shared__ __align__(128) float stage[8 * 256];
  const int tid = threadIdx.x, warp = tid / kWarp, lane = tid % kWarp;
  const int wm = warp / 4, wn = warp % 4;
  const int64_t m0 = static_cast<int64_t>(blockIdx.x) * BM, n0 = static_cast<int64_t>(blockIdx.y) * BN;
  const int64_t nt = (g.K + BK - 1) / BK;

  wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[4][2];
#pragma unroll
  for (int fi = 0; fi < 4; ++fi)
#pragma unroll
    for (int fj = 0; fj < 2; ++fj) wmma::fill_fragment(acc[fi][fj], 0.f);

  TileLoader<BM, BK, T, AK> la(tid, g.a, g.ars, g.acs, m0, g.M);
  TileLoader<BN, BK, T, BKC> lb(tid, g.b, g.bcs, g.brs, n0, g.N);
  if (nt > 0) {
    la.load(0, g.K);
    lb.load(0, g.K);
  }
  for (int64_t t = 0; t < nt; ++t) {
    __syncthreads();  // every warp is done with the previous tile
    la.template store<PA, true>(As);
    lb.template store<PB, true>(Bs);
    __syncthreads();
    if (t + 1 < nt) {
      la.load((t + 1) * BK, g.K);
      lb.load((t + 1) * BK, g.K);
    }
#pragma unroll
    for (int kk = 0; kk < BK; kk += 8) {
      wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::col_major> fa[4];
      wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fb[2];
#pragma unroll
      for (int fi = 0; fi < 4; ++fi) wmma::load_matrix_sync(fa[fi], As + kk * PA + wm * 64 + fi * 16, PA);
#pragma unroll
      for (int fj = 0; fj < 2; ++fj) wmma::load_matrix_sync(fb[fj], Bs + kk * PB + wn * 32 + fj * 16, PB);
#pragma unroll
      for (int fi = 0; fi < 4; ++fi)
#pragma unroll
        for (int fj = 0; fj < 2; ++fj) wmma::mma_sync(acc[fi][fj], fa[fi], fb[fj], acc[fi][fj]);
    }
  }

  float* st = stage + warp * 256;
#pragma unroll
  for (int fi = 0; fi < 4; ++fi)
#pragma unroll
    for (int fj = 0; fj < 2; ++fj) {
      wmma::store_matrix_sync(st, acc[fi][fj], 16, wmma::mem_row_major);
      __syncwarp();
#pragma unroll
      for (int q = 0; q < 2; ++q) {  // 64 groups of 4 columns per fragment, 2 per lane
        const int e = lane + kWarp * q, r = e / 4, c4 = (e % 4) * 4;
        gemm_store4(g, g.c, true, m0 + wm * 64 + fi * 16 + r, n0 + wn * 32 + fj * 16 + c4, st + r * 16 + c4);
      }
      __syncwarp();
    }
}

}  // namespace neurec::cuda
