// Seeded initialisers: each value is a pure function of (key, i) through the CPU's own inline
// generator (native/cpu/init.h, marked __host__ __device__), so the bits of the generator are
// the CPU's whatever the launch geometry.
//
// Uniform values are bit-identical to the CPU's: the CPU's loop is compiled with GCC's
// default contraction, and its x86-64-v3 clone (picked on every AVX2+FMA CPU, verified in the
// built object) computes a + w·u as one fused multiply-add; here it is __fmaf_rn explicitly.
// (The baseline clone, used only on CPUs without FMA, rounds the product first and may differ
// by an ulp there.)
// Normal values use the CPU's formula with float maths and no contraction (the CPU's normal
// loop is baseline code: separate multiplies and adds), but CUDA's logf and cosf are not
// glibc's: a value may differ from the CPU's by an ulp or so.
//
// nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -I native -I kernels -Xcompiler -fPIC,-Wall -c kernels/init.cu -o /tmp/init.o
#include "init.h"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "common.cuh"
#include "cpu/init.h"

namespace neurec::cuda {
namespace {

constexpr int kBlock = 256;

struct Uniform {
  uint64_t key;
  float a, w, top;  // w = b - a in float as on the CPU; top: the largest float below b
  __device__ float operator()(int64_t i) const {
    const float v = __fmaf_rn(w, cpu::rng_unit(cpu::rng_bits(key, static_cast<uint64_t>(i))), a);
    return top < v ? top : v;  // std::min(v, top)
  }
};

struct Normal {
  uint64_t key;
  float mean, sd;
  __device__ float operator()(int64_t i) const {
    constexpr float kTwoPi = 6.28318530717958647692f;
    const uint64_t h = cpu::rng_bits(key, static_cast<uint64_t>(i));
    // u1 from the high 24 bits in (0, 1] (log never sees 0), u2 from the low 24 bits in [0, 1).
    const float u1 = static_cast<float>((h >> 40) + 1) * 0x1p-24f;
    const float u2 = static_cast<float>(h & 0xFFFFFF) * 0x1p-24f;
    const float z = __fmul_rn(sqrtf(__fmul_rn(-2.f, logf(u1))), cosf(__fmul_rn(kTwoPi, u2)));
    return __fadd_rn(mean, __fmul_rn(sd, z));
  }
};

// Thread per 4 consecutive values, stored as one float4 (kVec: out 16-byte aligned), then the
// last n % 4 by the first threads; floats throughout otherwise. Grid-stride. Generating a
// value costs more than storing it, so the float4 only saves store instructions.
template <bool kVec, class G>
__global__ void init_fill_kernel(float* out, int64_t n, G gen) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t head = 0;
  if constexpr (kVec) {
    const int64_t n4 = n >> 2;
    float4* o4 = reinterpret_cast<float4*>(out);
    for (int64_t v = t; v < n4; v += stride) {
      const int64_t i = v << 2;
      o4[v] = make_float4(gen(i), gen(i + 1), gen(i + 2), gen(i + 3));
    }
    head = n4 << 2;
  }
  for (int64_t i = head + t; i < n; i += stride) out[i] = gen(i);
}

template <class G>
void fill_launch(float* out, int64_t n, G gen) {
  if (n == 0) return;
  if (aligned16(out)) init_fill_kernel<true><<<grid_for(ceil_div(n, 4), kBlock), kBlock, 0, stream()>>>(out, n, gen);
  else init_fill_kernel<false><<<grid_for(n, kBlock), kBlock, 0, stream()>>>(out, n, gen);
  CUDA_CHECK_LAUNCH("init_fill_kernel");
}

}  // namespace

void init_fill(float* out, int64_t n, int kind, float a, float b, uint64_t seed) {
  const uint64_t key = cpu::rng_key(seed, cpu::kStreamInit);
  if (kind == cpu::kInitUniform) {
    if (!(a < b) || !std::isfinite(a) || !std::isfinite(b))
      throw std::invalid_argument("uniform needs finite lo < hi, got [" + std::to_string(a) + ", " + std::to_string(b) + ")");
    fill_launch(out, n, Uniform{key, a, b - a, std::nextafter(b, a)});
  } else if (kind == cpu::kInitNormal) {
    if (!(b >= 0) || !std::isfinite(a) || !std::isfinite(b))
      throw std::invalid_argument("normal needs a finite mean and std >= 0, got mean " + std::to_string(a) + ", std " +
                                  std::to_string(b));
    fill_launch(out, n, Normal{key, a, b});
  } else {
    throw std::invalid_argument("unknown init kind " + std::to_string(kind));
  }
}

}  // namespace neurec::cuda
