// Elementwise kernels: binary ops with 2-D broadcasting by strides, scalar ops, unary ops.
#pragma once
#include <cstdint>

namespace neurec::cpu {

// Op codes, shared with src/ops/kernel_ids.ts.
enum BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };
enum UnaryOp : int { kRelu = 0, kSigmoid = 1, kTanh = 2, kExp = 3, kLog = 4, kSoftplus = 5, kNeg = 6, kSqrt = 7, kSquare = 8 };
enum ScalarOp : int { kAddS = 0, kMulS = 1, kRsubS = 2, kRdivS = 3, kPowS = 4 };
constexpr int kBinaryOps = 4, kUnaryOps = 9, kScalarOps = 5;  // codes are 0 .. count-1

// What unary_bwd reads for op: x (relu, log, softplus, square), y = f(x) (sigmoid, tanh, exp,
// sqrt), or neither (neg). The wrapper requires it, so a null never reaches a kernel.
inline bool unary_bwd_reads_x(int op) { return op == kRelu || op == kLog || op == kSoftplus || op == kSquare; }
inline bool unary_bwd_reads_y(int op) { return op == kSigmoid || op == kTanh || op == kExp || op == kSqrt; }

// out (M,N) = a op b; element (i,j) of a is a[i*ars + j*acs] (strides of 0 broadcast).
void binary_fwd(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t ars, int64_t acs,
                int64_t brs, int64_t bcs, int op);
// out (n) = x op s  (rsub: s - x, rdiv: s / x, pow: x^s).
void scalar_fwd(float* out, const float* x, int64_t n, int op, float s);
// out (n) = f(x).
void unary_fwd(float* out, const float* x, int64_t n, int op);
// dx (n) = dy * f'(x), given x and y = f(x) (whichever the derivative is cheaper from).
void unary_bwd(float* dx, const float* dy, const float* x, const float* y, int64_t n, int op);

}  // namespace neurec::cpu
