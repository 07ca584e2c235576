// N-API wrapper for init_fill.
#include "backend.h"
#include "cpu/init.h"
#include "napi_util.h"

// init_fill(out, n, kind, a, b, seed)
NR_KERNEL(init_fill) {
  int64_t n = a.size(1, "n");
  int kind = a.code(2, "kind", neurec::cpu::kInitKinds, "init kind");
  backend::init_fill(a.f32(0, "out", n), n, kind, static_cast<float>(a.number(3, "a")),
                     static_cast<float>(a.number(4, "b")), static_cast<uint64_t>(a.integer(5, "seed")));
  return a.undefined();
}
