// Seeded initialisers on the device, from the counter-based generator of native/cpu/init.h:
// value i of a stream is a pure function of (seed, i), the same bits as the CPU's for uniform.
// Same signature as native/cpu/init.h (kinds: InitKind there); out is a device pointer.
#pragma once
#include <cstdint>

namespace neurec::cuda {

// out (n): kind 0 uniform in [a, b), kind 1 normal with mean a and std b (Box-Muller, one
// value per counter so value i never depends on its neighbours).
void init_fill(float* out, int64_t n, int kind, float a, float b, uint64_t seed);

}  // namespace neurec::cuda
