// N-API wrappers for binary_fwd, scalar_fwd, unary_fwd, unary_bwd. Elementwise kernels may
// write in place (out is read with f32, not out_f32), as long as an operand that shares the
// output's storage is read at the very elements being written.
#include "backend.h"
#include "cpu/elementwise.h"
#include "napi_util.h"

namespace {
namespace cpu = neurec::cpu;

// True when a strided (M,N) operand with strides (rs, cs) reads element (i,j) at i·N + j.
bool same_layout(int64_t M, int64_t N, int64_t rs, int64_t cs) { return (M <= 1 || rs == N) && (N <= 1 || cs == 1); }
}  // namespace

// binary_fwd(out, a, b, M, N, ars, acs, brs, bcs, op)
NR_KERNEL(binary_fwd) {
  int64_t M = a.size(3, "M"), N = a.size(4, "N");
  int64_t ars = a.size(5, "ars"), acs = a.size(6, "acs"), brs = a.size(7, "brs"), bcs = a.size(8, "bcs");
  int op = a.code(9, "op", cpu::kBinaryOps, "binary op");
  int64_t on = a.mul(M, N), an = a.reach(M, N, ars, acs), bn = a.reach(M, N, brs, bcs);
  float* out = a.f32(0, "out", on);
  const float* x = a.f32(1, "a", an);
  const float* y = a.f32(2, "b", bn);
  if ((out == x && !same_layout(M, N, ars, acs)) || (out == y && !same_layout(M, N, brs, bcs)))
    a.fail("out shares its storage with a broadcast operand; write into a storage of its own");
  backend::binary_fwd(out, x, y, M, N, ars, acs, brs, bcs, op);
  return a.undefined();
}

// scalar_fwd(out, x, n, op, s)
NR_KERNEL(scalar_fwd) {
  int64_t n = a.size(2, "n");
  int op = a.code(3, "op", cpu::kScalarOps, "scalar op");
  backend::scalar_fwd(a.f32(0, "out", n), a.f32(1, "x", n), n, op, static_cast<float>(a.number(4, "s")));
  return a.undefined();
}

// unary_fwd(out, x, n, op)
NR_KERNEL(unary_fwd) {
  int64_t n = a.size(2, "n");
  int op = a.code(3, "op", cpu::kUnaryOps, "unary op");
  backend::unary_fwd(a.f32(0, "out", n), a.f32(1, "x", n), n, op);
  return a.undefined();
}

// unary_bwd(dx, dy, x|null, y|null, n, op): op's derivative reads x or y (cpu/elementwise.h).
NR_KERNEL(unary_bwd) {
  int64_t n = a.size(4, "n");
  int op = a.code(5, "op", cpu::kUnaryOps, "unary op");
  const float* x = a.f32_opt(2, "x", n);
  const float* y = a.f32_opt(3, "y", n);
  if (cpu::unary_bwd_reads_x(op) && !x) a.fail("op " + std::to_string(op) + "'s derivative needs x, got null");
  if (cpu::unary_bwd_reads_y(op) && !y) a.fail("op " + std::to_string(op) + "'s derivative needs y = f(x), got null");
  backend::unary_bwd(a.f32(0, "dx", n), a.f32(1, "dy", n), x, y, n, op);
  return a.undefined();
}
