// Elementwise kernels on the device: binary ops with 2-D broadcasting by strides, scalar ops,
// unary ops. Same signatures as native/cpu/elementwise.h (op codes: the enums there); every
// pointer is a device pointer.
#pragma once
#include <cstdint>

namespace neurec::cuda {

// out (M,N) = a op b; element (i,j) of a is a[i*ars + j*acs] (strides of 0 broadcast).
void binary_fwd(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t ars, int64_t acs,
                int64_t brs, int64_t bcs, int op);
// out (n) = x op s  (rsub: s - x, rdiv: s / x, pow: x^s).
void scalar_fwd(float* out, const float* x, int64_t n, int op, float s);
// out (n) = f(x).
void unary_fwd(float* out, const float* x, int64_t n, int op);
// dx (n) = dy * f'(x), given x and y = f(x) (whichever the derivative is cheaper from).
void unary_bwd(float* dx, const float* dy, const float* x, const float* y, int64_t n, int op);

}  // namespace neurec::cuda
