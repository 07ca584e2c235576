// init.cu against native/cpu/init.cc: uniform draws bit for bit, normal draws to a few ulp
// (CUDA's logf/cosf are not glibc's), and the argument checks.
#include "check.h"
#include "cpu/init.h"
#include "init.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

void fill(int64_t n, int kind, float a, float b, uint64_t seed, int off) {
  F out(n, off), ref(n);
  const std::string what = fmt("init_fill kind=%d n=%lld a=%g b=%g seed=%llu off=%d", kind, (long long)n, a, b,
                               (unsigned long long)seed, off);
  run(what, [&] {
    cpu::init_fill(ref.p, n, kind, a, b, seed);
    cuda::init_fill(out.p, n, kind, a, b, seed);
    if (kind == cpu::kInitUniform) same(what, out, ref);
    else close(what, out, ref, 1e-6 * b, 1e-6);
  });
}

}  // namespace

void check_init() {
  const int64_t sizes[] = {0, 1, 3, 4, 5, 1000, 4099};
  const float ranges[][2] = {{0.f, 1.f}, {-0.05f, 0.05f}, {-3.f, 7.5f}, {1e-3f, 1.0001e-3f}};
  for (int64_t n : sizes)
    for (int off = 0; off < 2; ++off)
      for (uint64_t seed : {0ull, 42ull, 0xDEADBEEFCAFEull}) {
        for (auto& r : ranges) fill(n, cpu::kInitUniform, r[0], r[1], seed, off);
        fill(n, cpu::kInitNormal, 0.f, 1.f, seed, off);
        fill(n, cpu::kInitNormal, -2.f, 0.02f, seed, off);
        fill(n, cpu::kInitNormal, 3.f, 0.f, seed, off);
      }
  F out(8);
  const float bad[][3] = {{0, 1, 1}, {0, 1, 0}, {0, NAN, 1}, {1, 1, -1}, {1, 0, NAN}, {1, INFINITY, 1}, {2, 0, 1}};
  for (auto& b : bad)
    expect_throw<std::invalid_argument>(fmt("init_fill kind=%g a=%g b=%g rejected", b[0], b[1], b[2]),
                                        [&] { cuda::init_fill(out.p, 8, static_cast<int>(b[0]), b[1], b[2], 1); });
}

}  // namespace chk
