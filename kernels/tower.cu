// Tower scoring on the device (see tower.h). A block takes one user and a tile of kTile items;
// the tile's activations live in shared memory (two buffers of kTowerMaxWidth x kTile), and
// the block's threads share each layer's outputs (row j, item l) in a strided loop. Weights
// are read through the read-only cache: every block reads the same few kilobytes.
#include "tower.h"

#include <cstdint>

#include "common.cuh"
#include "cpu/tower.h"

namespace neurec::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kTile = 8;  // 2 x 512 x 8 floats = 32 KB of shared memory

struct Widths {
  int64_t h[cpu::kTowerMaxLayers];
  int L;
};

__global__ void tower_fwd_kernel(float* out, const float* __restrict__ user, const float* __restrict__ item,
                                 const float* __restrict__ params, int64_t n, int64_t I, int64_t tiles, Widths w,
                                 bool accumulate) {
  __shared__ float z[2][cpu::kTowerMaxWidth * kTile];
  for (int64_t b = blockIdx.x; b < n * tiles; b += gridDim.x) {
    const int64_t u = div_nn(b, tiles), i0 = (b - u * tiles) * kTile;
    const int64_t cnt = I - i0 < kTile ? I - i0 : kTile;
    const int64_t h1 = w.h[0];
    for (int64_t e = threadIdx.x; e < h1 * kTile; e += blockDim.x) {
      const int64_t q = e / kTile, l = e % kTile;
      z[0][e] = l < cnt ? fmaxf(user[u * h1 + q] + item[q * I + i0 + l], 0.f) : 0.f;
    }
    __syncthreads();
    const float* p = params;
    int cur = 0;
    for (int l = 0; l + 1 < w.L; ++l) {
      const int64_t k = w.h[l], m = w.h[l + 1];
      const float *W = p, *bias = p + m * k;
      for (int64_t e = threadIdx.x; e < m * kTile; e += blockDim.x) {
        const int64_t j = e / kTile, lane = e % kTile;
        float a = bias[j];
        for (int64_t q = 0; q < k; ++q) a += W[j * k + q] * z[cur][q * kTile + lane];
        z[1 - cur][e] = fmaxf(a, 0.f);
      }
      __syncthreads();
      p += m * k + m;
      cur = 1 - cur;
    }
    if (threadIdx.x < cnt) {
      const int64_t hl = w.h[w.L - 1];
      float s = 0.f;
      for (int64_t q = 0; q < hl; ++q) s += p[q] * z[cur][q * kTile + threadIdx.x];
      float* o = out + u * I + i0 + threadIdx.x;
      *o = accumulate ? *o + s : s;
    }
    __syncthreads();  // the next tile overwrites z
  }
}

}  // namespace

void tower_fwd(float* out, const float* user, const float* item, const float* params, int64_t n, int64_t I,
               const int64_t* h, bool accumulate) {
  Widths w{};
  cpu::tower_param_count(h, &w.L);
  for (int l = 0; l < cpu::kTowerMaxLayers; ++l) w.h[l] = h[l];
  if (n == 0 || I == 0) return;
  const int64_t tiles = ceil_div(I, kTile);
  tower_fwd_kernel<<<grid_for(n * tiles, 1), kThreads, 0, stream()>>>(out, user, item, params, n, I, tiles, w,
                                                                    accumulate);
  CUDA_CHECK_LAUNCH("tower_fwd_kernel");
}

}  // namespace neurec::cuda
