// dropout.cu against native/cpu/dropout.cc: mask and output bit for bit, in place too.
#include "check.h"
#include "cpu/dropout.h"
#include "dropout.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

void dropout(int64_t n, float p, uint64_t seed, int off, bool in_place) {
  F x(n, off), out(n, off), mask(n, in_place ? 0 : off), ref(n), rmask(n);
  x.uniform(-2, 2);
  F x2(x, off);  // the in-place run's input and output
  const std::string what = fmt("dropout_fwd n=%lld p=%g seed=%llu off=%d in_place=%d", (long long)n, p,
                               (unsigned long long)seed, off, in_place);
  run(what, [&] {
    cpu::dropout_fwd(ref.p, rmask.p, x.p, n, p, seed);
    if (in_place) cuda::dropout_fwd(x2.p, mask.p, x2.p, n, p, seed);
    else cuda::dropout_fwd(out.p, mask.p, x.p, n, p, seed);
    same(what + " out", in_place ? x2 : out, ref);
    same(what + " mask", mask, rmask);
  });
}

}  // namespace

void check_dropout() {
  for (int64_t n : {0, 1, 3, 4, 7, 1000, 4099})
    for (float p : {0.f, 0.1f, 0.5f, 0.999f})
      for (int off = 0; off < 2; ++off)
        for (bool in_place : {false, true}) dropout(n, p, 7 + n, off, in_place);
  F a(4), m(4);
  for (float p : {-0.1f, 1.f, NAN})
    expect_throw<std::invalid_argument>(fmt("dropout_fwd p=%g rejected", p), [&] { cuda::dropout_fwd(a.p, m.p, a.p, 4, p, 1); });
}

}  // namespace chk
