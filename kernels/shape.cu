// Data movement kernels: column-block copies (concat/slice), 2-D transpose, sums over one axis
// and their broadcast inverse. All memory-bound: coalesced grid-stride loops, float4 where the
// pointers and the row widths allow. Sums are deterministic (fixed partition and order for a
// given shape; no atomics): the order differs from the CPU's, so results agree to float rounding.
//
// nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -I native -I kernels -Xcompiler -fPIC,-Wall -c kernels/shape.cu -o /tmp/shape.o
#include "shape.h"

#include <algorithm>
#include <cstdint>

#include "allocator.h"
#include "common.cuh"

namespace neurec::cuda {
namespace {

constexpr int kBlock = 256;
constexpr int kTile = 32, kTileRows = 8;  // transpose: 32x32 tile, 32x8 threads, 4 rows each

__device__ __forceinline__ int64_t thread_id() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ __forceinline__ int64_t thread_count() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

// Blocks of 256 threads that fill the device (8 resident per SM), for splitting reductions.
int64_t fill_blocks() {
  static const int64_t blocks = [] {
    int dev = 0, sms = 0;
    CUDA_CHECK(cudaGetDevice(&dev));
    CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    return static_cast<int64_t>(sms) * 8;
  }();
  return blocks;
}

// Thread per W consecutive columns (W = 4: float4s, every offset and width a multiple of 4) of
// the flat (rows, len) block: reads and writes coalesce along each row.
template <int W, bool kAcc>
__global__ void copy_cols_kernel(float* out, const float* x, int64_t rows, int64_t out_cols, int64_t out_off,
                                 int64_t x_cols, int64_t x_off, int64_t len) {
  const int64_t lw = len / W, n = rows * lw, stride = thread_count();
  for (int64_t v = thread_id(); v < n; v += stride) {
    const int64_t r = div_nn(v, lw), c = (v - r * lw) * W;
    float* o = out + r * out_cols + out_off + c;
    const float* s = x + r * x_cols + x_off + c;
    if constexpr (W == 4) {
      float4 a = *reinterpret_cast<const float4*>(s);
      if constexpr (kAcc) {
        const float4 b = *reinterpret_cast<const float4*>(o);
        a = make_float4(b.x + a.x, b.y + a.y, b.z + a.z, b.w + a.w);
      }
      *reinterpret_cast<float4*>(o) = a;
    } else {
      if constexpr (kAcc) *o += *s;
      else *o = *s;
    }
  }
}

// One 32x32 tile per block iteration: reads of x coalesce along its rows into shared memory,
// writes of out coalesce along its rows out of it; the +1 column keeps the transposed reads
// free of bank conflicts. Tile loops depend only on blockIdx, so __syncthreads is uniform.
__global__ void transpose_fwd_kernel(float* out, const float* x, int64_t M, int64_t N) {
  __shared__ float tile[kTile][kTile + 1];
  const int64_t tilesM = (M + kTile - 1) / kTile, tilesN = (N + kTile - 1) / kTile;
  const int tx = threadIdx.x, ty = threadIdx.y;
  for (int64_t bi = blockIdx.y; bi < tilesM; bi += gridDim.y) {
    for (int64_t bj = blockIdx.x; bj < tilesN; bj += gridDim.x) {
      const int64_t i0 = bi * kTile, j0 = bj * kTile;
      for (int k = ty; k < kTile; k += kTileRows) {
        const int64_t i = i0 + k, j = j0 + tx;
        if (i < M && j < N) tile[k][tx] = x[i * N + j];
      }
      __syncthreads();
      for (int k = ty; k < kTile; k += kTileRows) {
        const int64_t j = j0 + k, i = i0 + tx;
        if (j < N && i < M) out[j * M + i] = tile[tx][k];
      }
      __syncthreads();
    }
  }
}

// inner == 1, rows of 32..kWarpRowMax: a warp per row, lanes stride along it (float4s
// when rows start 16-byte aligned), then a shuffle sum. The row loop is uniform per warp.
template <bool kVec>
__global__ void sum_fwd_rows_warp_kernel(float* out, const float* x, int64_t outer, int64_t R, float scale) {
  const int lane = threadIdx.x % kWarp;
  const int64_t nw = thread_count() / kWarp;
  for (int64_t row = thread_id() / kWarp; row < outer; row += nw) {
    const float* p = x + row * R;
    float s = 0.f;
    if constexpr (kVec) {
      const float4* p4 = reinterpret_cast<const float4*>(p);
      for (int64_t j = lane; j < R / 4; j += kWarp) {
        const float4 v = p4[j];
        s += (v.x + v.y) + (v.z + v.w);
      }
    } else {
      for (int64_t j = lane; j < R; j += kWarp) s += p[j];
    }
    s = warp_sum(s);
    if (lane == 0) out[row] = s * scale;
  }
}

// inner == 1, long rows: block (c, row) sums chunk c = [c*chunk_len, ...) of the row and writes
// the scaled sum (one chunk) or a partial for sum_fwd_finish_kernel (several, so that few long
// rows still fill the device). kVec: R and chunk_len are multiples of 4, x 16-byte aligned.
template <bool kVec>
__global__ void sum_fwd_rows_kernel(float* out, float* part, const float* x, int64_t outer, int64_t R,
                                    int64_t chunk_len, float scale) {
  __shared__ float sh[kWarp];
  const int64_t chunks = gridDim.x, c = blockIdx.x;
  const int64_t r0 = c * chunk_len, r1 = r0 + chunk_len < R ? r0 + chunk_len : R;
  for (int64_t row = blockIdx.y; row < outer; row += gridDim.y) {
    const float* p = x + row * R;
    float s = 0.f;
    if constexpr (kVec) {
      const float4* p4 = reinterpret_cast<const float4*>(p);
      for (int64_t j = r0 / 4 + threadIdx.x; j < r1 / 4; j += blockDim.x) {
        const float4 v = p4[j];
        s += (v.x + v.y) + (v.z + v.w);
      }
    } else {
      for (int64_t j = r0 + threadIdx.x; j < r1; j += blockDim.x) s += p[j];
    }
    s = block_sum(s, sh);
    if (threadIdx.x == 0) {
      if (chunks == 1) out[row] = s * scale;
      else part[row * chunks + c] = s;
    }
  }
}

// inner > 1 (or short rows): the (outer, inner) outputs flattened into columns; a block is
// blockDim.x columns by blockDim.y row lanes (x*y = 256, both powers of two, chosen by
// sum_cols so that a warp reads contiguous memory and no row lane idles). Lane (tx, ty) sums
// rows ty, ty+y, ... of its column within chunk blockIdx.y; the y lanes then combine by a
// fixed shared-memory tree. One chunk writes scaled sums, several write partials.
__global__ void sum_fwd_cols_kernel(float* out, float* part, const float* x, int64_t outer, int64_t R, int64_t inner,
                                    int64_t chunk_len, float scale) {
  __shared__ float sh[kBlock];
  const int tx = threadIdx.x, ty = threadIdx.y, TX = blockDim.x, RY = blockDim.y;
  const int64_t cols = outer * inner, tiles = (cols + TX - 1) / TX, chunks = gridDim.y, c = blockIdx.y;
  const int64_t r0 = c * chunk_len, r1 = r0 + chunk_len < R ? r0 + chunk_len : R;
  for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {  // uniform per block
    const int64_t col = tile * TX + tx;
    float s = 0.f;
    if (col < cols) {
      const int64_t o = div_nn(col, inner), k = col - o * inner;
      const float* p = x + o * R * inner + k;
#pragma unroll 4
      for (int64_t r = r0 + ty; r < r1; r += RY) s += p[r * inner];
    }
    sh[ty * TX + tx] = s;
    __syncthreads();
    for (int h = RY / 2; h > 0; h >>= 1) {
      if (ty < h) sh[ty * TX + tx] += sh[(ty + h) * TX + tx];
      __syncthreads();
    }
    if (ty == 0 && col < cols) {
      const float t = sh[tx];
      if (chunks > 1) part[c * cols + col] = t;
      else out[col] = R == 0 && inner > 1 ? 0.f : t * scale;  // the CPU's empty sums: 0, or 0*scale for rows
    }
    __syncthreads();
  }
}

// out[i] = scale * sum over chunks of the partials of output i, in chunk order (thread per output).
__global__ void sum_fwd_finish_kernel(float* out, const float* part, int64_t count, int64_t chunks, int64_t ostride,
                                      int64_t cstride, float scale) {
  const int64_t stride = thread_count();
  for (int64_t i = thread_id(); i < count; i += stride) {
    float s = 0.f;
    for (int64_t c = 0; c < chunks; ++c) s += part[i * ostride + c * cstride];
    out[i] = s * scale;
  }
}

// Thread per W consecutive outputs (W = 4: inner % 4 == 0, so the 4 share one (o, r) and read
// one float4 of x): writes coalesce, the re-read rows of x hit the cache.
template <int W>
__global__ void broadcast_fwd_kernel(float* out, const float* x, int64_t n, int64_t R, int64_t inner, float scale) {
  const int64_t nv = n / W, stride = thread_count();
  for (int64_t v = thread_id(); v < nv; v += stride) {
    const int64_t e = v * W, q = div_nn(e, inner), k = e - q * inner, o = div_nn(q, R);
    const float* s = x + o * inner + k;
    if constexpr (W == 4) {
      const float4 a = *reinterpret_cast<const float4*>(s);
      *reinterpret_cast<float4*>(out + e) = make_float4(a.x * scale, a.y * scale, a.z * scale, a.w * scale);
    } else {
      out[e] = *s * scale;
    }
  }
}

template <int W>
void copy_cols_launch(float* out, const float* x, int64_t rows, int64_t out_cols, int64_t out_off, int64_t x_cols,
                      int64_t x_off, int64_t len, bool accumulate) {
  const unsigned grid = grid_for(rows * (len / W), kBlock);
  if (accumulate)
    copy_cols_kernel<W, true><<<grid, kBlock, 0, stream()>>>(out, x, rows, out_cols, out_off, x_cols, x_off, len);
  else
    copy_cols_kernel<W, false><<<grid, kBlock, 0, stream()>>>(out, x, rows, out_cols, out_off, x_cols, x_off, len);
  CUDA_CHECK_LAUNCH("copy_cols_kernel");
}

constexpr int64_t kWarpRowMax = 1024;  // rows up to this long: a warp each; longer: blocks
constexpr int64_t kMinChunk = 4096;    // a row chunk gives each of 256 threads >= 16 values

void sum_rows(float* out, const float* x, int64_t outer, int64_t R, float scale) {
  const bool vec = aligned16(x) && R % 4 == 0;
  if (R <= kWarpRowMax) {
    const unsigned grid = grid_for(outer * kWarp, kBlock);
    if (vec) sum_fwd_rows_warp_kernel<true><<<grid, kBlock, 0, stream()>>>(out, x, outer, R, scale);
    else sum_fwd_rows_warp_kernel<false><<<grid, kBlock, 0, stream()>>>(out, x, outer, R, scale);
    CUDA_CHECK_LAUNCH("sum_fwd_rows_warp_kernel");
    return;
  }
  // Chunks per row: enough blocks to fill the device, none shorter than kMinChunk.
  int64_t chunks = std::min(ceil_div(R, kMinChunk), std::max<int64_t>(1, ceil_div(fill_blocks(), outer)));
  const int64_t chunk_len = ceil_div(ceil_div(R, chunks), 4) * 4;
  chunks = ceil_div(R, chunk_len);  // no empty chunk
  ScratchBuffer part(chunks > 1 ? static_cast<size_t>(outer * chunks) * sizeof(float) : 0);
  const dim3 grid(static_cast<unsigned>(chunks), static_cast<unsigned>(std::min<int64_t>(outer, 65535)));
  if (vec) sum_fwd_rows_kernel<true><<<grid, kBlock, 0, stream()>>>(out, part.as<float>(), x, outer, R, chunk_len, scale);
  else sum_fwd_rows_kernel<false><<<grid, kBlock, 0, stream()>>>(out, part.as<float>(), x, outer, R, chunk_len, scale);
  CUDA_CHECK_LAUNCH("sum_fwd_rows_kernel");
  if (chunks > 1) {
    sum_fwd_finish_kernel<<<grid_for(outer, kBlock), kBlock, 0, stream()>>>(out, part.as<float>(), outer, chunks,
                                                                            chunks, 1, scale);
    CUDA_CHECK_LAUNCH("sum_fwd_finish_kernel");
  }
}

int pow2_floor(int64_t v) {  // largest power of two <= v (v >= 1), at most kBlock
  int p = 1;
  while (p < kBlock && 2 * p <= v) p *= 2;
  return p;
}

void sum_cols(float* out, const float* x, int64_t outer, int64_t R, int64_t inner, float scale) {
  // Columns per warp row: inner rounded up to a power of two (at most 32), so a warp covers
  // whole rows of a narrow x; row lanes: as many as R fills, up to the rest of the block.
  int tx_min = 1;
  while (tx_min < inner && tx_min < kWarp) tx_min *= 2;
  const int RY = std::min(kBlock / tx_min, pow2_floor(std::max<int64_t>(R, 1)));
  const int TX = kBlock / RY;
  const int64_t cols = outer * inner, tiles = ceil_div(cols, TX), min_chunk = 8 * static_cast<int64_t>(RY);
  // Chunks over R when the columns alone leave the device idle (a tall matrix's column sums),
  // none shorter than 8 rows per row lane.
  int64_t chunks = 1, chunk_len = R;
  if (R >= 2 * min_chunk && tiles < fill_blocks()) {
    chunks = std::min(ceil_div(R, min_chunk), ceil_div(fill_blocks(), tiles));
    chunk_len = ceil_div(R, chunks);
    chunks = ceil_div(R, chunk_len);
  }
  ScratchBuffer part(chunks > 1 ? static_cast<size_t>(cols * chunks) * sizeof(float) : 0);
  const dim3 grid(static_cast<unsigned>(std::min<int64_t>(tiles, 1 << 20)), static_cast<unsigned>(chunks));
  sum_fwd_cols_kernel<<<grid, dim3(TX, RY), 0, stream()>>>(out, part.as<float>(), x, outer, R, inner, chunk_len,
                                                          scale);
  CUDA_CHECK_LAUNCH("sum_fwd_cols_kernel");
  if (chunks > 1) {
    sum_fwd_finish_kernel<<<grid_for(cols, kBlock), kBlock, 0, stream()>>>(out, part.as<float>(), cols, chunks, 1,
                                                                           cols, scale);
    CUDA_CHECK_LAUNCH("sum_fwd_finish_kernel");
  }
}

}  // namespace

void copy_cols(float* out, const float* x, int64_t rows, int64_t out_cols, int64_t out_off, int64_t x_cols,
               int64_t x_off, int64_t len, bool accumulate) {
  if (rows == 0 || len == 0) return;
  const bool vec = aligned16(out) && aligned16(x) && len % 4 == 0 && out_off % 4 == 0 && x_off % 4 == 0 &&
                   (rows == 1 || (out_cols % 4 == 0 && x_cols % 4 == 0));
  if (vec) copy_cols_launch<4>(out, x, rows, out_cols, out_off, x_cols, x_off, len, accumulate);
  else copy_cols_launch<1>(out, x, rows, out_cols, out_off, x_cols, x_off, len, accumulate);
}

void transpose_fwd(float* out, const float* x, int64_t M, int64_t N) {
  if (M == 0 || N == 0) return;
  if (M == 1 || N == 1) {  // a vector: the transpose has the same layout
    if (out != x)
      CUDA_CHECK(cudaMemcpyAsync(out, x, static_cast<size_t>(M * N) * sizeof(float), cudaMemcpyDeviceToDevice, stream()));
    return;
  }
  const int64_t tilesM = ceil_div(M, kTile), tilesN = ceil_div(N, kTile);
  const dim3 grid(static_cast<unsigned>(std::min<int64_t>(tilesN, 1 << 20)),
                  static_cast<unsigned>(std::min<int64_t>(tilesM, 65535)));
  transpose_fwd_kernel<<<grid, dim3(kTile, kTileRows), 0, stream()>>>(out, x, M, N);
  CUDA_CHECK_LAUNCH("transpose_fwd_kernel");
}

void sum_fwd(float* out, const float* x, int64_t outer, int64_t R, int64_t inner, float scale) {
  if (outer == 0 || inner == 0) return;
  if (inner == 1 && R >= kWarp) sum_rows(out, x, outer, R, scale);  // rows long enough for a warp
  else sum_cols(out, x, outer, R, inner, scale);
}

void broadcast_fwd(float* out, const float* x, int64_t outer, int64_t R, int64_t inner, float scale) {
  const int64_t n = outer * R * inner;
  if (n == 0) return;
  if (inner % 4 == 0 && aligned16(out) && aligned16(x)) {
    broadcast_fwd_kernel<4><<<grid_for(n / 4, kBlock), kBlock, 0, stream()>>>(out, x, n, R, inner, scale);
  } else {
    broadcast_fwd_kernel<1><<<grid_for(n, kBlock), kBlock, 0, stream()>>>(out, x, n, R, inner, scale);
  }
  CUDA_CHECK_LAUNCH("broadcast_fwd_kernel");
}

}  // namespace neurec::cuda
