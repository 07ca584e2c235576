// N-API wrappers for binary_fwd, scalar_fwd, unary_fwd, unary_bwd.
#include "backend.h"
#include "napi_util.h"

namespace {
// Smallest buffer a strided (M,N) view reaches: last element index + 1.
int64_t reach(int64_t M, int64_t N, int64_t rs, int64_t cs) {
  return M == 0 || N == 0 ? 0 : (M - 1) * rs + (N - 1) * cs + 1;
}
}  // namespace

// binary_fwd(out, a, b, M, N, ars, acs, brs, bcs, op)
NR_KERNEL(binary_fwd) {
  int64_t M = a.size(3, "M"), N = a.size(4, "N");
  int64_t ars = a.size(5, "ars"), acs = a.size(6, "acs"), brs = a.size(7, "brs"), bcs = a.size(8, "bcs");
  backend::binary_fwd(a.f32(0, "out", M * N), a.f32(1, "a", reach(M, N, ars, acs)),
                      a.f32(2, "b", reach(M, N, brs, bcs)), M, N, ars, acs, brs, bcs,
                      static_cast<int>(a.integer(9, "op")));
  return a.undefined();
}

// scalar_fwd(out, x, n, op, s)
NR_KERNEL(scalar_fwd) {
  int64_t n = a.size(2, "n");
  backend::scalar_fwd(a.f32(0, "out", n), a.f32(1, "x", n), n, static_cast<int>(a.integer(3, "op")),
                      static_cast<float>(a.number(4, "s")));
  return a.undefined();
}

// unary_fwd(out, x, n, op)
NR_KERNEL(unary_fwd) {
  int64_t n = a.size(2, "n");
  backend::unary_fwd(a.f32(0, "out", n), a.f32(1, "x", n), n, static_cast<int>(a.integer(3, "op")));
  return a.undefined();
}

// unary_bwd(dx, dy, x|null, y|null, n, op)
NR_KERNEL(unary_bwd) {
  int64_t n = a.size(4, "n");
  backend::unary_bwd(a.f32(0, "dx", n), a.f32(1, "dy", n), a.f32_opt(2, "x", n), a.f32_opt(3, "y", n), n,
                     static_cast<int>(a.integer(5, "op")));
  return a.undefined();
}
