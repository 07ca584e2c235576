#include "cpu/gather.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "simd.h"
#include "threadpool.h"

namespace neurec::cpu {
namespace {

void check_indices(const int32_t* idx, int64_t B, int64_t R) {
  for (int64_t b = 0; b < B; ++b)
    if (idx[b] < 0 || idx[b] >= R)
      throw std::out_of_range("index " + std::to_string(idx[b]) + " at position " + std::to_string(b) +
                              " is out of range for a table of " + std::to_string(R) + " rows");
}

NR_VECTORIZE void add_row(float* dst, const float* src, int64_t D) {
  for (int64_t d = 0; d < D; ++d) dst[d] += src[d];
}

}  // namespace

void gather_fwd(float* out, const float* table, const int32_t* idx, int64_t B, int64_t D, int64_t R) {
  check_indices(idx, B, R);
  parallel_for(B, std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(1, D)), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b)
      std::memcpy(out + b * D, table + static_cast<int64_t>(idx[b]) * D, static_cast<size_t>(D) * 4);
  });
}

void gather_bwd(float* dtable, const float* dy, const int32_t* idx, int64_t B, int64_t D, int64_t R) {
  check_indices(idx, B, R);
  int T = (B * D >= (1 << 16)) ? num_threads() : 1;
  parallel_threads(T, [&](int t, int nt) {
    int64_t r0 = R * t / nt, r1 = R * (t + 1) / nt;
    for (int64_t b = 0; b < B; ++b) {
      int64_t r = idx[b];
      if (r >= r0 && r < r1) add_row(dtable + r * D, dy + b * D, D);
    }
  });
}

int64_t coalesce_rows(int32_t* out_rows, float* out_vals, const int32_t* rows, const float* vals, int64_t B, int64_t D) {
  std::vector<int32_t> order(static_cast<size_t>(B));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t x, int32_t y) { return rows[x] < rows[y]; });
  int64_t U = 0;
  for (int64_t k = 0; k < B; ++k) {
    int32_t src = order[k];
    if (U > 0 && out_rows[U - 1] == rows[src]) {
      add_row(out_vals + (U - 1) * D, vals + static_cast<int64_t>(src) * D, D);
    } else {
      out_rows[U] = rows[src];
      std::memcpy(out_vals + U * D, vals + static_cast<int64_t>(src) * D, static_cast<size_t>(D) * 4);
      ++U;
    }
  }
  return U;
}

}  // namespace neurec::cpu
