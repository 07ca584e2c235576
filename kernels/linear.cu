// Matrix products with native/cpu/linear.cc's semantics on the GEMM templates of gemm.cuh, and
// the rest of linear_bwd: the ReLU mask of dy and the bias gradient's column sums.
//
// Tile choice by shape (an H100 has 132 SMs; a launch should give every SM a block):
//   - 128x128 tiles (256 threads, 8x8 each) when they make >= 132 blocks;
//   - else 64x64 tiles (256 threads, 4x4 each) when those do;
//   - else the output is too small to fill the device: a deep K (>= 1024) is split into slices
//     of >= 256 on 64x64 tiles (about 2 blocks per SM), partial sums to a scratch slab and a
//     reduction in slice order (deterministic) that applies the epilogue; a shallow K uses
//     32x32 tiles (64 threads), split too when K >= 512 and there are still few blocks.
//   - NEUREC_CUDA_TF32=1 (read once): tensor cores in TF32 on 128x128 tiles for large shapes
//     (M, N, K >= 128 and >= 66 tiles). FP32 stays the default.
//
// nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -I native -I kernels -Xcompiler -fPIC,-Wall -c kernels/linear.cu -o /tmp/linear.o
#include "linear.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "allocator.h"
#include "common.cuh"
#include "gemm.cuh"

namespace neurec::cuda {
namespace {

constexpr int kSMs = 132;
constexpr int kBlock = 256;
constexpr int64_t kMinSlice = 256;  // least depth of one split-K slice: a slice must outweigh its partials

bool tf32_enabled() {
  static const bool on = [] {
    const char* e = std::getenv("NEUREC_CUDA_TF32");
    return e != nullptr && std::strcmp(e, "1") == 0;
  }();
  return on;
}

// Split-K finish: one thread per output (grid-stride, coalesced over the row-major slabs) adds
// the S slices in order, then C (accumulate), bias and ReLU. S = 0 is the K = 0 case, where the
// CPU's ReLU keeps NaN (relu_mode 2) instead of zeroing it (relu_mode 1).
__global__ void gemm_splitk_reduce_kernel(float* c, const float* __restrict__ part, int S, int64_t MN, int64_t N,
                                          const float* __restrict__ bias, bool accumulate, int relu_mode) {
  int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t j = i % N;  // column of i, advanced incrementally (no division in the loop)
  const int64_t jstep = stride % N;
  for (; i < MN; i += stride) {
    float v = 0.f;
    for (int s = 0; s < S; ++s) v += part[s * MN + i];
    if (accumulate) v += c[i];
    if (bias) v += bias[j];
    if (relu_mode == 1) v = relu_zero(v);
    else if (relu_mode == 2 && v < 0.f) v = 0.f;
    c[i] = v;
    j += jstep;
    if (j >= N) j -= N;
  }
}

// dz = y > 0 ? dy : 0 (the ReLU's backward), grid-stride: float4s when all three pointers are
// 16-byte aligned (then the scalar loop only does the tail), else floats.
__global__ void linear_bwd_mask_kernel(float* __restrict__ dz, const float* __restrict__ dy, const float* __restrict__ y,
                                       int64_t n, bool vec) {
  const int64_t i0 = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t tail = 0;
  if (vec) {
    const int64_t n4 = n / 4;
    for (int64_t i = i0; i < n4; i += stride) {
      float4 g = reinterpret_cast<const float4*>(dy)[i];
      const float4 v = reinterpret_cast<const float4*>(y)[i];
      g.x = v.x > 0.f ? g.x : 0.f;
      g.y = v.y > 0.f ? g.y : 0.f;
      g.z = v.z > 0.f ? g.z : 0.f;
      g.w = v.w > 0.f ? g.w : 0.f;
      reinterpret_cast<float4*>(dz)[i] = g;
    }
    tail = n4 * 4;
  }
  for (int64_t i = tail + i0; i < n; i += stride) dz[i] = y[i] > 0.f ? dy[i] : 0.f;
}

// Partial column sums of dz (M,N): block (cx, ry), grid (ceil(N/cx), S). Thread (tx,ty) adds
// column j over rows r0+ty, r0+ty+ry, ... of row slice blockIdx.y, so a warp reads adjacent
// columns of a row (coalesced); the ry partials are then added in order in shared memory.
__global__ void linear_bwd_db_partial_kernel(float* __restrict__ part, const float* __restrict__ dz, int64_t M,
                                             int64_t N, int64_t rows) {
  __shared__ float sh[kBlock];
  const int tx = threadIdx.x, ty = threadIdx.y, cx = blockDim.x, ry = blockDim.y;
  const int64_t j = static_cast<int64_t>(blockIdx.x) * cx + tx;
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * rows, r1 = r0 + rows < M ? r0 + rows : M;
  float s = 0.f;
  if (j < N) {
#pragma unroll 4
    for (int64_t r = r0 + ty; r < r1; r += ry) s += dz[r * N + j];
  }
  sh[ty * cx + tx] = s;
  __syncthreads();
  if (ty == 0 && j < N) {
    float t = 0.f;
    for (int q = 0; q < ry; ++q) t += sh[q * cx + tx];
    part[static_cast<int64_t>(blockIdx.y) * N + j] = t;
  }
}

// db (N) (+)= the S row-slice partials of each column, in slice order: one thread per column.
__global__ void linear_bwd_db_final_kernel(float* db, const float* __restrict__ part, int64_t S, int64_t N,
                                           bool accumulate) {
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < N;
       j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float t = 0.f;
    for (int64_t s = 0; s < S; ++s) t += part[s * N + j];
    db[j] = accumulate ? db[j] + t : t;
  }
}

dim3 tile_grid(int64_t M, int64_t N, int bm, int bn, int64_t splits) {
  const int64_t gx = ceil_div(M, bm), gy = ceil_div(N, bn);
  if (gx > INT32_MAX || gy > 65535)
    throw std::invalid_argument("matrix product too large for one launch: M = " + std::to_string(M) +
                                ", N = " + std::to_string(N));
  return dim3(static_cast<unsigned>(gx), static_cast<unsigned>(gy), static_cast<unsigned>(splits));
}

// ak: A contiguous along K (acs == 1); bk: B contiguous along K (brs == 1). They pick the
// coalescing thread mapping of the tile loads.
template <int BM, int BN, int BK, int TM, int TN>
void launch_fp32(const GemmArgs& g, bool ak, bool bk, int64_t splits) {
  const dim3 grid = tile_grid(g.M, g.N, BM, BN, splits), block((BM / TM) * (BN / TN));
  if (ak && bk) gemm_kernel<BM, BN, BK, TM, TN, true, true><<<grid, block, 0, stream()>>>(g);
  else if (ak) gemm_kernel<BM, BN, BK, TM, TN, true, false><<<grid, block, 0, stream()>>>(g);
  else if (bk) gemm_kernel<BM, BN, BK, TM, TN, false, true><<<grid, block, 0, stream()>>>(g);
  else gemm_kernel<BM, BN, BK, TM, TN, false, false><<<grid, block, 0, stream()>>>(g);
  CUDA_CHECK_LAUNCH("gemm_kernel");
}

void launch_tf32(const GemmArgs& g, bool ak, bool bk) {
  const dim3 grid = tile_grid(g.M, g.N, 128, 128, 1), block(256);
  if (ak && bk) gemm_tf32_kernel<true, true><<<grid, block, 0, stream()>>>(g);
  else if (ak) gemm_tf32_kernel<true, false><<<grid, block, 0, stream()>>>(g);
  else if (bk) gemm_tf32_kernel<false, true><<<grid, block, 0, stream()>>>(g);
  else gemm_tf32_kernel<false, false><<<grid, block, 0, stream()>>>(g);
  CUDA_CHECK_LAUNCH("gemm_tf32_kernel");
}

void launch_reduce(float* c, const float* part, int S, int64_t M, int64_t N, const float* bias, bool accumulate,
                   int relu_mode) {
  gemm_splitk_reduce_kernel<<<grid_for(M * N, kBlock), kBlock, 0, stream()>>>(c, part, S, M * N, N, bias, accumulate,
                                                                               relu_mode);
  CUDA_CHECK_LAUNCH("gemm_splitk_reduce_kernel");
}

// The CPU's gemm (native/cpu/gemm.h) on the device: c (M,N) = op(A)·op(B) [+ c] [+ bias] [ReLU].
void gemm_launch(float* c, const float* a, const float* b, int64_t M, int64_t N, int64_t K, int64_t ars, int64_t acs,
                 int64_t brs, int64_t bcs, bool accumulate, const float* bias, bool relu) {
  if (M == 0 || N == 0) return;
  if (K == 0) {  // empty sum: only the epilogue, with the CPU's K == 0 ReLU
    launch_reduce(c, nullptr, 0, M, N, bias, accumulate, relu ? 2 : 0);
    return;
  }
  const bool vec = N % 4 == 0 && aligned16(c) && (bias == nullptr || aligned16(bias));
  GemmArgs g{c, nullptr, a, b, bias, M, N, K, ars, acs, brs, bcs, K, accumulate, relu, vec};
  const bool ak = acs == 1, bk = brs == 1;
  const int64_t t128 = ceil_div(M, 128) * ceil_div(N, 128), t64 = ceil_div(M, 64) * ceil_div(N, 64);
  if (tf32_enabled() && M >= 128 && N >= 128 && K >= 128 && t128 >= kSMs / 2) return launch_tf32(g, ak, bk);
  if (t128 >= kSMs) return launch_fp32<128, 128, 8, 8, 8>(g, ak, bk, 1);
  if (t64 >= kSMs) return launch_fp32<64, 64, 16, 4, 4>(g, ak, bk, 1);

  const bool deep = K >= 4 * kMinSlice;
  const int64_t tiles = deep ? t64 : ceil_div(M, 32) * ceil_div(N, 32);
  const int64_t splits = std::min(ceil_div(2 * kSMs, tiles), K / kMinSlice);
  if (splits < 2) return launch_fp32<32, 32, 16, 4, 4>(g, ak, bk, 1);
  constexpr int64_t kBK = 16;  // the K tile of both split configurations
  g.kchunk = ceil_div(ceil_div(K, splits), kBK) * kBK;
  const int64_t S = ceil_div(K, g.kchunk);
  ScratchBuffer part(static_cast<size_t>(S * M * N) * sizeof(float));
  g.part = part.as<float>();
  if (deep) launch_fp32<64, 64, 16, 4, 4>(g, ak, bk, S);
  else launch_fp32<32, 32, 16, 4, 4>(g, ak, bk, S);
  launch_reduce(c, g.part, static_cast<int>(S), M, N, bias, accumulate, relu ? 1 : 0);
}

// db (N) (+)= column sums of dz (M,N): row slices sized to give about 4 blocks per SM, each
// thread summing at least ~8 rows; then the slices added in order.
void bias_grad(float* db, const float* dz, int64_t M, int64_t N, bool accumulate) {
  int cx = 32;  // columns per block: the smallest power of two >= N, at most a warp
  while (cx > 1 && cx / 2 >= N) cx /= 2;
  const int ry = kBlock / cx;
  const int64_t cb = ceil_div(N, cx);
  if (cb > INT32_MAX) throw std::invalid_argument("linear_bwd: N too large: " + std::to_string(N));
  int64_t S = std::min(ceil_div(4 * kSMs, cb), ceil_div(M, 8 * ry));
  S = std::max<int64_t>(1, std::min<int64_t>(S, 65535));
  const int64_t rows = ceil_div(M, S);
  if (rows > 0) S = ceil_div(M, rows);
  ScratchBuffer part(static_cast<size_t>(S * N) * sizeof(float));
  const dim3 grid(static_cast<unsigned>(cb), static_cast<unsigned>(S)), block(cx, ry);
  linear_bwd_db_partial_kernel<<<grid, block, 0, stream()>>>(part.as<float>(), dz, M, N, rows);
  CUDA_CHECK_LAUNCH("linear_bwd_db_partial_kernel");
  linear_bwd_db_final_kernel<<<grid_for(N, kBlock), kBlock, 0, stream()>>>(db, part.as<float>(), S, N, accumulate);
  CUDA_CHECK_LAUNCH("linear_bwd_db_final_kernel");
}

}  // namespace

void matmul_fwd(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t K, bool trans_a,
                bool trans_b, bool accumulate) {
  const int64_t ars = trans_a ? 1 : K, acs = trans_a ? M : 1;
  const int64_t brs = trans_b ? 1 : N, bcs = trans_b ? K : 1;
  gemm_launch(out, a, b, M, N, K, ars, acs, brs, bcs, accumulate, nullptr, false);
}

void linear_fwd(float* y, const float* x, const float* w, const float* bias, int64_t M, int64_t K, int64_t N, bool relu) {
  gemm_launch(y, x, w, M, N, K, K, 1, 1, K, false, bias, relu);
}

void linear_bwd(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w, const float* y,
                int64_t M, int64_t K, int64_t N, bool relu, bool accumulate) {
  const int64_t MN = M * N;
  const bool mask = relu && MN > 0;
  ScratchBuffer masked(mask ? static_cast<size_t>(MN) * sizeof(float) : 0);
  const float* dz = dy;
  if (mask) {  // dz = dy where y > 0: computed once, read by all three products
    float* m = masked.as<float>();
    const bool vec = aligned16(m) && aligned16(dy) && aligned16(y);
    linear_bwd_mask_kernel<<<grid_for(vec ? MN / 4 : MN, kBlock), kBlock, 0, stream()>>>(m, dy, y, MN, vec);
    CUDA_CHECK_LAUNCH("linear_bwd_mask_kernel");
    dz = m;
  }
  if (dx) gemm_launch(dx, dz, w, M, K, N, N, 1, K, 1, accumulate, nullptr, false);   // (M,N)·(N,K)
  if (dw) gemm_launch(dw, dz, x, N, K, M, 1, N, K, 1, accumulate, nullptr, false);   // dzᵀ (N,M)·(M,K)
  if (db && N > 0) bias_grad(db, dz, M, N, accumulate);
}

}  // namespace neurec::cuda
