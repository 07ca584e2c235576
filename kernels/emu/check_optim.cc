// optim.cu against native/cpu/optim.cc: SGD (plain, momentum, Nesterov, weight decay), Adam
// and AdamW, and sparse Adam on table rows, including a row id the device must report.
#include "check.h"
#include "cpu/optim.h"
#include "optim.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

// The two compilers fuse different multiply-adds: a few ulp of the updated values.
constexpr double kAtol = 1e-7, kRtol = 2e-6;

void sgd(int64_t n, double mom, double wd, bool nesterov, int off, int voff) {
  F p(n, off), g(n, off), v(n, voff);
  p.uniform(-1, 1), g.uniform(-1, 1), v.uniform(-1, 1);
  F rp(p, 0), rv(v, 0);
  float* vel = mom != 0 ? v.p : nullptr;
  const std::string what =
      fmt("sgd_step n=%lld mom=%g wd=%g nesterov=%d off=%d/%d", (long long)n, mom, wd, nesterov, off, voff);
  run(what, [&] {
    cpu::sgd_step(rp.p, g.p, mom != 0 ? rv.p : nullptr, n, 0.05, mom, wd, nesterov);
    cuda::sgd_step(p.p, g.p, vel, n, 0.05, mom, wd, nesterov);
    close(what + " param", p, rp, kAtol, kRtol);
    close(what + " velocity", v, rv, kAtol, kRtol);
  });
}

void adam(int64_t n, double wd, int64_t step, bool decoupled, int off) {
  F p(n, off), g(n, off), m(n, off), v(n, off);
  p.uniform(-1, 1), g.uniform(-1, 1), m.uniform(-0.1, 0.1), v.uniform(0, 0.01);
  F rp(p, 0), rm(m, 0), rv(v, 0);
  const std::string what = fmt("adam_step n=%lld wd=%g step=%lld decoupled=%d off=%d", (long long)n, wd, (long long)step,
                               decoupled, off);
  run(what, [&] {
    cpu::adam_step(rp.p, g.p, rm.p, rv.p, n, 1e-3, 0.9, 0.999, 1e-8, wd, step, decoupled);
    cuda::adam_step(p.p, g.p, m.p, v.p, n, 1e-3, 0.9, 0.999, 1e-8, wd, step, decoupled);
    close(what + " param", p, rp, kAtol, kRtol);
    close(what + " m", m, rm, kAtol, kRtol);
    close(what + " v", v, rv, 1e-10, kRtol);
  });
}

// U rows (ascending, distinct) of an R x D table; bad = a row id outside [0, R) at position U/2.
void sparse_adam(int64_t U, int64_t D, int64_t R, bool decoupled, int off, bool bad) {
  F p(R * D, off), m(R * D, off), v(R * D, off), vals(U * D, off);
  I rows(U);
  p.uniform(-1, 1), m.uniform(-0.1, 0.1), v.uniform(0, 0.01), vals.uniform(-1, 1);
  for (int64_t u = 0, r = 0; u < U; ++u, ++r) {
    r += rng() % 3;  // gaps: rows left alone
    rows[u] = static_cast<int32_t>(r);
  }
  const std::string what = fmt("sparse_adam_step U=%lld D=%lld R=%lld decoupled=%d off=%d", (long long)U, (long long)D,
                               (long long)R, decoupled, off);
  if (bad) {
    rows[U / 2] = static_cast<int32_t>(R + 5);
    return expect_throw<std::out_of_range>(what + " reports row " + std::to_string(R + 5), [&] {
      cuda::sparse_adam_step(p.p, m.p, v.p, rows.p, vals.p, U, D, R, 1e-3, 0.9, 0.999, 1e-8, 0.01, 3, decoupled);
    });
  }
  F rp(p, 0), rm(m, 0), rv(v, 0);
  run(what, [&] {
    cpu::sparse_adam_step(rp.p, rm.p, rv.p, rows.p, vals.p, U, D, R, 1e-3, 0.9, 0.999, 1e-8, 0.01, 3, decoupled);
    cuda::sparse_adam_step(p.p, m.p, v.p, rows.p, vals.p, U, D, R, 1e-3, 0.9, 0.999, 1e-8, 0.01, 3, decoupled);
    neurec::cuda::throw_if_device_error();
    close(what + " param", p, rp, kAtol, kRtol);
    close(what + " m", m, rm, kAtol, kRtol);
    close(what + " v", v, rv, 1e-10, kRtol);
  });
}

}  // namespace

void check_optim() {
  for (int64_t n : {0, 1, 3, 4, 5, 257, 2050})
    for (int off = 0; off < 2; ++off) {
      for (double wd : {0.0, 0.01}) {
        sgd(n, 0, wd, false, off, off);
        sgd(n, 0.9, wd, false, off, off);
        sgd(n, 0.9, wd, true, off, off ^ 1);
        for (bool dec : {false, true})
          for (int64_t step : {1, 10}) adam(n, wd, step, dec, off);
      }
    }
  const int64_t sp[][2] = {{1, 1}, {3, 4}, {5, 3}, {17, 8}, {40, 33}, {64, 64}, {0, 4}, {4, 0}};
  for (auto& s : sp)
    for (int off = 0; off < 2; ++off)
      for (bool dec : {false, true}) sparse_adam(s[0], s[1], 3 * s[0] + 2, dec, off, false);
  for (int off = 0; off < 2; ++off) sparse_adam(9, 8, 40, false, off, true);
  // Rows must be strictly ascending (the CPU throws invalid_argument): repeats would race.
  for (int D : {3, 8}) {
    F p(10 * D), m(10 * D), v(10 * D), vals(4 * D);
    I rows(4);
    p.fill(0.f), m.fill(0.f), v.fill(0.f), vals.fill(1.f);
    const int32_t bad[][4] = {{0, 2, 2, 5}, {0, 4, 3, 5}};
    for (auto& b : bad) {
      std::copy(b, b + 4, rows.p);
      expect_throw<std::invalid_argument>(fmt("sparse_adam_step rows %d %d %d %d D=%d rejected", b[0], b[1], b[2], b[3], D),
                                          [&] {
                                            cuda::sparse_adam_step(p.p, m.p, v.p, rows.p, vals.p, 4, D, 10, 1e-3, 0.9,
                                                                   0.999, 1e-8, 0, 1, false);
                                          });
    }
  }
  F a(4);
  expect_throw<std::invalid_argument>("sgd_step momentum without velocity rejected",
                                      [&] { cuda::sgd_step(a.p, a.p, nullptr, 4, 0.1, 0.9, 0, false); });
  expect_throw<std::invalid_argument>("adam_step step 0 rejected",
                                      [&] { cuda::adam_step(a.p, a.p, a.p, a.p, 4, 0.1, 0.9, 0.999, 1e-8, 0, 0, false); });
}

}  // namespace chk
