// N-API wrapper for tower_fwd.
#include "backend.h"
#include "cpu/tower.h"  // the width checks, shared by both backends
#include "napi_util.h"

// tower_fwd(out, user, item, params, n, I, h1, h2, h3, h4, h5, accumulate)
NR_KERNEL(tower_fwd) {
  int64_t n = a.size(4, "n"), I = a.size(5, "I");
  int64_t h[5] = {a.size(6, "h1"), a.size(7, "h2"), a.size(8, "h3"), a.size(9, "h4"), a.size(10, "h5")};
  int L = 0;
  const int64_t P = neurec::cpu::tower_param_count(h, &L);
  backend::tower_fwd(a.out_f32(0, "out", a.mul(n, I)), a.f32(1, "user", a.mul(n, h[0])), a.f32(2, "item", a.mul(I, h[0])),
                     a.f32(3, "params", P), n, I, h, a.flag(11, "accumulate"));
  return a.undefined();
}
