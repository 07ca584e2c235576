// Scoring every (user, item) pair through an MLP tower whose first layer is split in a user
// half and an item half (NCF's MLP part, once trained): the first layer is then one add per
// pair, and the rest of the tower runs on blocks of items held in registers, never written out.
// Forward only: this is inference (serving, full-ranking evaluation), not training.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace neurec::cpu {

// The widest layer the tower kernels take (their per-thread buffers are sized by it).
constexpr int64_t kTowerMaxWidth = 512;
// The most layer widths (h1 and up to four more).
constexpr int kTowerMaxLayers = 5;

// Widths h[0..4]: h[0] ≥ 1, then the widths after it, 0 meaning "no such layer" (zeros only
// at the end). Returns the number of layers L and the element count of the packed parameters
// (see tower_fwd), or throws std::invalid_argument naming the bad width. Shared by both backends.
inline int64_t tower_param_count(const int64_t* h, int* L) {
  int n = 0;
  while (n < kTowerMaxLayers && h[n] > 0) ++n;
  for (int l = n; l < kTowerMaxLayers; ++l)
    if (h[l] != 0)
      throw std::invalid_argument("tower width h" + std::to_string(l + 1) + " = " + std::to_string(h[l]) +
                                  " follows a zero width (zeros may only end the list)");
  if (n == 0) throw std::invalid_argument("tower width h1 must be at least 1");
  for (int l = 0; l < n; ++l)
    if (h[l] > kTowerMaxWidth)
      throw std::invalid_argument("tower width h" + std::to_string(l + 1) + " = " + std::to_string(h[l]) +
                                  " is wider than the kernel's limit of " + std::to_string(kTowerMaxWidth));
  int64_t p = 0;
  for (int l = 0; l + 1 < n; ++l) p += h[l + 1] * h[l] + h[l + 1];
  *L = n;
  return p + h[n - 1];
}

// out (n,I) (+)= score of every pair (u, i):
//   z1 = relu(user[u] + item[:, i])                 user (n,h1), item (h1,I) (its bias included;
//                                                   transposed, so a block of items is contiguous)
//   z(l+1) = relu(W_l · z_l + b_l)                  W_l (h(l+1),h_l), b_l (h(l+1))
//   score = w_out · z_L                             w_out (h_L)
// params holds W_1, b_1, W_2, b_2, ... then w_out, packed in that order (tower_param_count).
// h: the widths as in tower_param_count. With accumulate the scores add to out.
void tower_fwd(float* out, const float* user, const float* item, const float* params, int64_t n, int64_t I,
               const int64_t* h, bool accumulate);

}  // namespace neurec::cpu
