// General matrix multiply on strided operands, with an optional bias + ReLU epilogue.
#pragma once
#include <cstdint>

namespace neurec::cpu {

// c (M,N) row-major = op(A) (M,K) · op(B) (K,N) [+ c when accumulate], then + bias (N) and
// ReLU when given. Element (i,p) of op(A) is a[i*ars + p*acs]; element (p,j) of op(B) is
// b[p*brs + j*bcs], so either operand may be transposed by its strides alone.
void gemm(float* c, const float* a, const float* b, int64_t M, int64_t N, int64_t K, int64_t ars, int64_t acs,
          int64_t brs, int64_t bcs, bool accumulate, const float* bias, bool relu);

}  // namespace neurec::cpu
