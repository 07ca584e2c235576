// Seeded initialisers from a counter-based generator: value i of a stream is a pure function of
// (seed, i), so results are the same whatever the thread count or chunking.
#pragma once
#include <cstdint>

// The generator runs on the device too (kernels/init.cu, kernels/dropout.cu): same bits there.
#ifdef __CUDACC__
#define NR_HOST_DEVICE __host__ __device__
#else
#define NR_HOST_DEVICE
#endif

namespace neurec::cpu {

// Init kinds, shared with src/ops/kernel_ids.ts (InitKind).
enum InitKind : int { kInitUniform = 0, kInitNormal = 1 };
constexpr int kInitKinds = 2;

// Streams: the same seed gives unrelated values in an initialiser and in a dropout mask.
enum RngStream : uint64_t { kStreamInit = 1, kStreamDropout = 2 };

// splitmix64's finaliser: a bijective 64-bit mix with full avalanche.
NR_HOST_DEVICE inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
// The key of stream `stream` for `seed`; mixing twice keeps nearby seeds' streams unrelated.
NR_HOST_DEVICE inline uint64_t rng_key(uint64_t seed, uint64_t stream) { return mix64(mix64(seed) ^ stream); }
// 64 random bits for counter i: splitmix64 output i of a generator whose state starts at key.
NR_HOST_DEVICE inline uint64_t rng_bits(uint64_t key, uint64_t i) { return mix64(key + (i + 1) * 0x9E3779B97F4A7C15ULL); }
// Top 24 bits as a float in [0, 1): every value is exact in float32.
NR_HOST_DEVICE inline float rng_unit(uint64_t bits) { return static_cast<float>(static_cast<int32_t>(bits >> 40)) * 0x1p-24f; }

// out (n): kind 0 uniform in [a, b), kind 1 normal with mean a and std b (Box-Muller, one
// value per counter so value i never depends on its neighbours).
void init_fill(float* out, int64_t n, int kind, float a, float b, uint64_t seed);

}  // namespace neurec::cpu
