// Seeded dropout: element i is kept when rng_unit(rng_bits(key, i)) >= p, with the CPU's
// generator (native/cpu/init.h, __host__ __device__), stream constant and counter, so the
// mask is the CPU's bit for bit; scale = 1/(1-p) is computed on the host in float as there.
//
// nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -I native -I kernels -Xcompiler -fPIC,-Wall -c kernels/dropout.cu -o /tmp/dropout.o
#include "dropout.h"

#include <cstdint>
#include <stdexcept>
#include <string>

#include "common.cuh"
#include "cpu/init.h"

namespace neurec::cuda {
namespace {

constexpr int kBlock = 256;

__device__ __forceinline__ float keep(uint64_t key, int64_t i, float p, float scale) {
  return cpu::rng_unit(cpu::rng_bits(key, static_cast<uint64_t>(i))) >= p ? scale : 0.f;
}

// Thread per 4 consecutive elements as float4s (kVec: out, mask, x 16-byte aligned), then the
// last n % 4 by the first threads; floats throughout otherwise. Grid-stride, coalesced.
template <bool kVec>
__global__ void dropout_fwd_kernel(float* out, float* mask, const float* x, int64_t n, uint64_t key, float p,
                                   float scale) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t head = 0;
  if constexpr (kVec) {
    const int64_t n4 = n >> 2;
    for (int64_t v = t; v < n4; v += stride) {
      const int64_t i = v << 2;
      const float4 m = make_float4(keep(key, i, p, scale), keep(key, i + 1, p, scale), keep(key, i + 2, p, scale),
                                   keep(key, i + 3, p, scale));
      const float4 xv = reinterpret_cast<const float4*>(x)[v];
      reinterpret_cast<float4*>(mask)[v] = m;
      reinterpret_cast<float4*>(out)[v] = make_float4(xv.x * m.x, xv.y * m.y, xv.z * m.z, xv.w * m.w);
    }
    head = n4 << 2;
  }
  for (int64_t i = head + t; i < n; i += stride) {
    const float m = keep(key, i, p, scale);
    const float xv = x[i];  // read before the writes: out may alias x
    mask[i] = m;
    out[i] = xv * m;
  }
}

}  // namespace

void dropout_fwd(float* out, float* mask, const float* x, int64_t n, float p, uint64_t seed) {
  if (!(p >= 0.f && p < 1.f)) throw std::invalid_argument("p must be in [0, 1), got " + std::to_string(p));
  if (n == 0) return;
  const uint64_t key = cpu::rng_key(seed, cpu::kStreamDropout);
  const float scale = 1.f / (1.f - p);
  if (aligned16(out) && aligned16(mask) && aligned16(x))
    dropout_fwd_kernel<true><<<grid_for(ceil_div(n, 4), kBlock), kBlock, 0, stream()>>>(out, mask, x, n, key, p, scale);
  else
    dropout_fwd_kernel<false><<<grid_for(n, kBlock), kBlock, 0, stream()>>>(out, mask, x, n, key, p, scale);
  CUDA_CHECK_LAUNCH("dropout_fwd_kernel");
}

}  // namespace neurec::cuda
