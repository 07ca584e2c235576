// Scoring every (user, item) pair through a split-first-layer MLP tower on the device. Same
// signature and semantics as native/cpu/tower.h; every pointer is a device pointer, h is on
// the host. Forward only.
#pragma once
#include <cstdint>

namespace neurec::cuda {

// out (n,I) (+)= w_out · z_L for every pair, z1 = relu(user[u] + item[:, i]) (item is (h1,I)), z(l+1) =
// relu(W_l z_l + b_l); params packs W_1, b_1, ..., w_out (see native/cpu/tower.h).
void tower_fwd(float* out, const float* user, const float* item, const float* params, int64_t n, int64_t I,
               const int64_t* h, bool accumulate);

}  // namespace neurec::cuda
