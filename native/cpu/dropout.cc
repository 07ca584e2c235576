#include "cpu/dropout.h"

#include <stdexcept>
#include <string>

#include "cpu/init.h"
#include "simd.h"
#include "threadpool.h"

namespace neurec::cpu {
namespace {

constexpr int64_t kGrain = 1 << 14;  // elements per thread below which a loop runs inline

NR_VECTORIZE void dropout_range(float* out, float* mask, const float* x, int64_t i0, int64_t i1, uint64_t key, float p,
                                float scale) {
  for (int64_t i = i0; i < i1; ++i) {
    float m = rng_unit(rng_bits(key, static_cast<uint64_t>(i))) >= p ? scale : 0.f;
    mask[i] = m;
    out[i] = x[i] * m;
  }
}

}  // namespace

void dropout_fwd(float* out, float* mask, const float* x, int64_t n, float p, uint64_t seed) {
  if (!(p >= 0.f && p < 1.f)) throw std::invalid_argument("p must be in [0, 1), got " + std::to_string(p));
  const uint64_t key = rng_key(seed, kStreamDropout);
  const float scale = 1.f / (1.f - p);
  parallel_for(n, kGrain, [&](int64_t s, int64_t e) { dropout_range(out, mask, x, s, e, key, p, scale); });
}

}  // namespace neurec::cpu
