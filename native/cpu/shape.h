// Data movement kernels: column-block copies (concat/slice), 2-D transpose, reductions over
// one axis and their broadcast inverse.
#pragma once
#include <cstdint>

namespace neurec::cpu {

// out (rows, out_cols)[:, out_off:out_off+len] (+)= x (rows, x_cols)[:, x_off:x_off+len].
void copy_cols(float* out, const float* x, int64_t rows, int64_t out_cols, int64_t out_off, int64_t x_cols,
               int64_t x_off, int64_t len, bool accumulate);
// out (N,M) = x (M,N) transposed.
void transpose_fwd(float* out, const float* x, int64_t M, int64_t N);
// out (outer, inner) = sum over r of x (outer, R, inner), times scale (R = 0: 0 · scale, so a
// mean over an empty axis, scale NaN, is NaN whatever the shape).
void sum_fwd(float* out, const float* x, int64_t outer, int64_t R, int64_t inner, float scale);
// out (outer, R, inner) = x (outer, inner) * scale, broadcast over the middle axis.
void broadcast_fwd(float* out, const float* x, int64_t outer, int64_t R, int64_t inner, float scale);

}  // namespace neurec::cpu
