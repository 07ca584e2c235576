// The emulator's own primitives (selftest.cu), against answers worked out by hand.
#include "check.h"
#include "cuda_runtime.h"

namespace emu_selftest {
void warp_ops(int* out);
void atomics(int* ic, float* f, double* d, float4* f4, int* mx, unsigned* bits);
void deadlock(int* out);
void exited_lanes(int* out);
void bounded(int* out, int threads);
}  // namespace emu_selftest

namespace chk {

void check_emu() {
  I out(64 * 8), want(64 * 8);
  unsigned ballot = 0;
  for (int l = 0; l < 32; l += 3) ballot |= 1u << l;
  for (int t = 0; t < 64; ++t) {
    const int lane = t % 32, w0 = t - lane, seg = lane & ~7;
    int* o = want.p + t * 8;
    o[0] = w0 + 5;
    o[1] = w0 + (lane ^ 3);
    o[2] = lane >= 2 ? t - 2 : t;
    o[3] = lane + 2 < seg + 8 ? t + 2 : t;
    o[4] = w0 + seg + 3;
    o[5] = static_cast<int>(ballot);
    o[6] = 13;  // t % 5 == 0 for t < 64
    o[7] = 3;
  }
  run("emu warp ops", [&] {
    emu_selftest::warp_ops(out.p);
    same("emu warp ops", out, want);
  });

  I ic(1), mx(1);
  F f(1), f4(4);
  std::vector<double> d(1, 0.0);
  unsigned bits = 0;
  ic[0] = 0, mx[0] = -1, f[0] = 0.f, f4.fill(0.f);
  run("emu atomics", [&] {
    emu_selftest::atomics(ic.p, f.p, d.data(), reinterpret_cast<float4*>(f4.p), mx.p, &bits);
    record(ic[0] == 4 * (96 + 95), "emu atomics: shared counter and dynamic shared memory", fmt("%d", ic[0]));
    record(f[0] == 384.f && d[0] == 192.0, "emu atomics: float and double", fmt("%g %g", f[0], d[0]));
    record(f4[0] == 384.f && f4[3] == 1536.f, "emu atomics: float4", fmt("%g %g", f4[0], f4[3]));
    record(mx[0] == 383 && bits == 0xffffffffu, "emu atomics: max and or", fmt("%d %x", mx[0], bits));
  });

  I junk(128);
  expect_throw<std::runtime_error>("emu reports a deadlock", [&] { emu_selftest::deadlock(junk.p); });
  expect_throw<std::runtime_error>("emu reports a shuffle after lanes exited", [&] { emu_selftest::exited_lanes(junk.p); });
  expect_throw<std::runtime_error>("emu reports a launch over __launch_bounds__", [&] { emu_selftest::bounded(junk.p, 128); });
  expect_throw<std::runtime_error>("emu reports an invalid launch", [&] { emu_selftest::bounded(junk.p, 2048); });
  run("emu launch within bounds", [&] { emu_selftest::bounded(junk.p, 64); });
}

}  // namespace chk
