#include "cpu/shape.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "simd.h"
#include "threadpool.h"

namespace neurec::cpu {

namespace {
NR_VECTORIZE void add_into(float* o, const float* x, int64_t n, float scale) {
  for (int64_t i = 0; i < n; ++i) o[i] += x[i] * scale;
}
NR_VECTORIZE void scale_into(float* o, const float* x, int64_t n, float scale) {
  for (int64_t i = 0; i < n; ++i) o[i] = x[i] * scale;
}
NR_VECTORIZE float sum_contig(const float* x, int64_t n) {
  // 8 partial sums: vectorizes and keeps float error growth low on long rows.
  float acc[8] = {0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += x[i + k];
  float s = 0.f;
  for (; i < n; ++i) s += x[i];
  for (int k = 0; k < 8; ++k) s += acc[k];
  return s;
}
}  // namespace

void copy_cols(float* out, const float* x, int64_t rows, int64_t out_cols, int64_t out_off, int64_t x_cols,
               int64_t x_off, int64_t len, bool accumulate) {
  if (rows == 0 || len == 0) return;  // an empty block: no loop over the rows
  int64_t grain = std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, len));
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      float* o = out + r * out_cols + out_off;
      const float* s = x + r * x_cols + x_off;
      if (accumulate) add_into(o, s, len, 1.f);
      else std::memcpy(o, s, static_cast<size_t>(len) * 4);
    }
  });
}

void transpose_fwd(float* out, const float* x, int64_t M, int64_t N) {
  if (M == 0 || N == 0) return;
  constexpr int64_t T = 32;
  int64_t tiles = (M + T - 1) / T;
  parallel_for(tiles, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, N)), [&](int64_t b, int64_t e) {
    for (int64_t it = b; it < e; ++it) {
      int64_t i0 = it * T, i1 = std::min(M, i0 + T);
      for (int64_t j0 = 0; j0 < N; j0 += T) {
        int64_t j1 = std::min(N, j0 + T);
        for (int64_t i = i0; i < i1; ++i)
          for (int64_t j = j0; j < j1; ++j) out[j * M + i] = x[i * N + j];
      }
    }
  });
}

void sum_fwd(float* out, const float* x, int64_t outer, int64_t R, int64_t inner, float scale) {
  if (outer == 0 || inner == 0) return;  // no output: R may be anything, and is not looped over
  if (inner == 1) {  // each output is the sum of one contiguous row
    parallel_for(outer, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, R)), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) out[o] = sum_contig(x + o * R, R) * scale;
    });
    return;
  }
  if (outer == 1 && R > 1 && inner * R >= (1 << 16) && num_threads() > 1 && inner < 4096) {
    // Column sums of a tall matrix: each thread sums a band of rows, then the bands add up.
    int T = num_threads();
    std::vector<float> part(static_cast<size_t>(T) * inner, 0.f);
    parallel_threads(T, [&](int t, int nt) {
      int64_t chunk = (R + nt - 1) / nt, r0 = t * chunk, r1 = std::min(R, r0 + chunk);
      float* p = part.data() + t * inner;
      for (int64_t r = r0; r < r1; ++r) add_into(p, x + r * inner, inner, 1.f);
    });
    scale_into(out, part.data(), inner, scale);
    for (int t = 1; t < T; ++t) add_into(out, part.data() + t * inner, inner, scale);
    return;
  }
  parallel_for(outer, 1, [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      float* dst = out + o * inner;
      const float* src = x + o * R * inner;
      if (R == 0) { std::fill(dst, dst + inner, 0.f * scale); continue; }  // an empty sum, scaled like any other
      scale_into(dst, src, inner, 1.f);
      for (int64_t r = 1; r < R; ++r) add_into(dst, src + r * inner, inner, 1.f);
      if (scale != 1.f) scale_into(dst, dst, inner, scale);
    }
  });
}

void broadcast_fwd(float* out, const float* x, int64_t outer, int64_t R, int64_t inner, float scale) {
  if (outer == 0 || R == 0 || inner == 0) return;  // no output: no loop over the other sizes
  parallel_for(outer * R, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, inner)), [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      int64_t o = k / R;
      if (inner == 1) out[k] = x[o] * scale;
      else scale_into(out + k * inner, x + o * inner, inner, scale);
    }
  });
}

}  // namespace neurec::cpu
