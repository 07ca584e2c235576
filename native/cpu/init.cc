#include "cpu/init.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "simd.h"
#include "threadpool.h"

namespace neurec::cpu {
namespace {

constexpr int64_t kGrain = 1 << 14;  // values per thread below which a fill runs inline

// [i0, i1) of the stream; `top` is the largest float below b, so rounding never reaches b.
NR_VECTORIZE void uniform_range(float* out, int64_t i0, int64_t i1, uint64_t key, float a, float b, float top) {
  const float w = b - a;
  for (int64_t i = i0; i < i1; ++i) out[i] = std::min(a + w * rng_unit(rng_bits(key, static_cast<uint64_t>(i))), top);
}

void normal_range(float* out, int64_t i0, int64_t i1, uint64_t key, float mean, float std) {
  constexpr float kTwoPi = 6.28318530717958647692f;
  for (int64_t i = i0; i < i1; ++i) {
    uint64_t h = rng_bits(key, static_cast<uint64_t>(i));
    // u1 from the high 24 bits in (0, 1] (log never sees 0), u2 from the low 24 bits in [0, 1).
    float u1 = static_cast<float>((h >> 40) + 1) * 0x1p-24f;
    float u2 = static_cast<float>(h & 0xFFFFFF) * 0x1p-24f;
    out[i] = mean + std * (std::sqrt(-2.f * std::log(u1)) * std::cos(kTwoPi * u2));
  }
}

}  // namespace

void init_fill(float* out, int64_t n, int kind, float a, float b, uint64_t seed) {
  const uint64_t key = rng_key(seed, kStreamInit);
  if (kind == kInitUniform) {
    if (!(a < b) || !std::isfinite(a) || !std::isfinite(b))
      throw std::invalid_argument("uniform needs finite lo < hi, got [" + std::to_string(a) + ", " + std::to_string(b) + ")");
    const float top = std::nextafter(b, a);
    parallel_for(n, kGrain, [&](int64_t s, int64_t e) { uniform_range(out, s, e, key, a, b, top); });
  } else if (kind == kInitNormal) {
    if (!(b >= 0) || !std::isfinite(a) || !std::isfinite(b))
      throw std::invalid_argument("normal needs a finite mean and std >= 0, got mean " + std::to_string(a) + ", std " +
                                  std::to_string(b));
    parallel_for(n, kGrain / 4, [&](int64_t s, int64_t e) { normal_range(out, s, e, key, a, b); });
  } else {
    throw std::invalid_argument("unknown init kind " + std::to_string(kind));
  }
}

}  // namespace neurec::cpu
