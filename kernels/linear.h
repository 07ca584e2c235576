// Matrix products on the device: plain matmul with either operand transposed, and the fused
// linear layer y = x·Wᵀ + b (optionally ReLU) with its matching backward. Same signatures and
// semantics as native/cpu/linear.h; every pointer is a device pointer.
#pragma once
#include <cstdint>

namespace neurec::cuda {

// out (M,N) (+)= op(a)·op(b); a is (M,K), or (K,M) when trans_a; b is (K,N), or (N,K) when trans_b.
void matmul_fwd(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t K, bool trans_a,
                bool trans_b, bool accumulate);
// y (M,N) = x (M,K) · w (N,K)ᵀ + bias (N, optional), then ReLU when relu.
void linear_fwd(float* y, const float* x, const float* w, const float* bias, int64_t M, int64_t K, int64_t N, bool relu);
// From dy (M,N) (masked by y > 0 when relu): dx (M,K) = dz·w, dw (N,K) = dzᵀ·x, db (N) = Σ_rows dz.
// Any of dx/dw/db may be null (not wanted); with accumulate they add into what is there.
void linear_bwd(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w, const float* y,
                int64_t M, int64_t K, int64_t N, bool relu, bool accumulate);

}  // namespace neurec::cuda
