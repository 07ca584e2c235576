// Seeded dropout on the device: the keep/drop decision of element i is a pure function of
// (seed, i) (the counter-based generator of native/cpu/init.h), the same mask as the CPU's.
// Same signature as native/cpu/dropout.h; every pointer is a device pointer.
#pragma once
#include <cstdint>

namespace neurec::cuda {

// out (n) = x (n) * mask (n), mask (n) = 0 (dropped, probability p) or 1/(1-p) (kept); the
// backward is dx = dy * mask. p in [0, 1).
void dropout_fwd(float* out, float* mask, const float* x, int64_t n, float p, uint64_t seed);

}  // namespace neurec::cuda
