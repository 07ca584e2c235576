// N-API wrapper for dropout_fwd (the backward is a multiply by the mask: binary_fwd).
#include "backend.h"
#include "napi_util.h"

// dropout_fwd(out, mask, x, n, p, seed): out may be x (in place); mask is a storage of its own.
NR_KERNEL(dropout_fwd) {
  int64_t n = a.size(3, "n");
  backend::dropout_fwd(a.f32(0, "out", n), a.out_f32(1, "mask", n), a.f32(2, "x", n), n,
                       static_cast<float>(a.number(4, "p")), static_cast<uint64_t>(a.integer(5, "seed")));
  return a.undefined();
}
