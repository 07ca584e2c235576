// Seeded dropout: the keep/drop decision of element i is a pure function of (seed, i) (the
// counter-based generator of init.h), so a mask reproduces whatever the thread count.
#pragma once
#include <cstdint>

namespace neurec::cpu {

// out (n) = x (n) * mask (n), mask (n) = 0 (dropped, probability p) or 1/(1-p) (kept); the
// backward is dx = dy * mask. p in [0, 1).
void dropout_fwd(float* out, float* mask, const float* x, int64_t n, float p, uint64_t seed);

}  // namespace neurec::cpu
