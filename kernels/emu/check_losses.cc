// losses.cu against native/cpu/losses.cc: the four elementwise losses, and softmax CE and the
// multinomial likelihood by warps (C <= 1024) and by blocks (256 or 1024 threads), with labels
// out of range reported from the device.
#include "check.h"
#include "cpu/losses.h"
#include "losses.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

// The loss is a float from a double sum on both sides (the CPU's exp/log1p are vmath's, the
// row losses' sum-exp is a float online sum here): a few ulp apart.
constexpr double kLossRtol = 1e-5;

std::string sz(const char* name, int64_t a, int64_t b, int off) {
  return fmt("%s (%lld,%lld) off=%d", name, (long long)a, (long long)b, off);
}

void bce(int64_t n, int off) {
  F z(n, off), y(n, off), g(n, off), rg(n), loss(1), rl(1);
  z.uniform(-6, 6), y.uniform(0, 1);
  if (n > 3) z[0] = 40.f, z[1] = -40.f, y[2] = 1.f;
  const std::string what = sz("bce_logits_fwd", n, 1, off);
  run(what, [&] {
    cpu::bce_logits_fwd(rl.p, rg.p, z.p, y.p, n);
    cuda::bce_logits_fwd(loss.p, g.p, z.p, y.p, n);
    close(what + " loss", loss, rl, 0, kLossRtol);
    close(what + " grad", g, rg, 1e-9, 4e-6);
  });
}

void mse(int64_t n, int off, bool masked) {
  F p(n, off), t(n, off), m(n, off), g(n, off), rg(n), loss(1), rl(1);
  p.uniform(-2, 2), t.uniform(-2, 2), m.uniform(0, 2);
  for (int64_t i = 0; i < n; i += 3) m[i] = 0.f, t[i] = NAN;  // unobserved: target never read
  if (masked && n == 5) m.fill(0.f);                           // no observed entries: loss 0
  const std::string what = sz(masked ? "masked_mse_fwd" : "mse_fwd", n, 1, off);
  if (!masked) t.uniform(-2, 2);
  run(what, [&] {
    if (masked) {
      cpu::masked_mse_fwd(rl.p, rg.p, p.p, t.p, m.p, n);
      cuda::masked_mse_fwd(loss.p, g.p, p.p, t.p, m.p, n);
    } else {
      cpu::mse_fwd(rl.p, rg.p, p.p, t.p, n);
      cuda::mse_fwd(loss.p, g.p, p.p, t.p, n);
    }
    close(what + " loss", loss, rl, 0, kLossRtol);
    close(what + " grad", g, rg, 0, 1e-6);
  });
}

void kl(int64_t N, int64_t D, int off) {
  F mu(N * D, off), lv(N * D, off), dmu(N * D, off), dlv(N * D, off), rmu(N * D), rlv(N * D), loss(1), rl(1);
  mu.uniform(-2, 2), lv.uniform(-3, 3);
  if (N * D > 2) lv[1] = 1e-6f;  // e^lv - 1 - lv cancels in float
  const std::string what = sz("gaussian_kl_fwd", N, D, off);
  run(what, [&] {
    cpu::gaussian_kl_fwd(rl.p, rmu.p, rlv.p, mu.p, lv.p, N, D);
    cuda::gaussian_kl_fwd(loss.p, dmu.p, dlv.p, mu.p, lv.p, N, D);
    close(what + " loss", loss, rl, 0, kLossRtol);
    close(what + " dmu", dmu, rmu, 0, 1e-6);
    close(what + " dlogvar", dlv, rlv, 1e-12, 4e-6);
  });
}

// Logits of a row loss with a few special rows: ties, one huge logit, NaN.
void logits(F& z, int64_t N, int64_t C) {
  z.uniform(-8, 8);
  if (N > 2 && C > 1) {
    for (int64_t j = 0; j < C; ++j) z[C + j] = 1.5f;  // row 1: all tied
    z[2 * C + C / 2] = 80.f;                           // row 2: one dominant logit
  }
}

void softmax_ce(int64_t N, int64_t C, int off, int64_t bad_label = INT64_MIN) {
  F z(N * C, off), g(N * C, off), rg(N * C), loss(1), rl(1);
  I labels(N);
  logits(z, N, C);
  for (int64_t i = 0; i < N; ++i) labels[i] = static_cast<int32_t>(rng() % C);
  const std::string what = sz("softmax_ce_fwd", N, C, off);
  if (bad_label != INT64_MIN) {
    labels[N - 1] = static_cast<int32_t>(bad_label);
    return expect_throw<std::out_of_range>(what + " reports label " + std::to_string(bad_label),
                                           [&] { cuda::softmax_ce_fwd(loss.p, g.p, z.p, labels.p, N, C); });
  }
  run(what, [&] {
    cpu::softmax_ce_fwd(rl.p, rg.p, z.p, labels.p, N, C);
    cuda::softmax_ce_fwd(loss.p, g.p, z.p, labels.p, N, C);
    neurec::cuda::throw_if_device_error();
    close(what + " loss", loss, rl, 0, kLossRtol);
    // softmax - 1 at the label cancels: an ulp or two of 1/N is the bound there
    close(what + " grad", g, rg, 3e-7 / N, 4e-6);
  });
}

void multinomial(int64_t N, int64_t C, int off) {
  F z(N * C, off), x(N * C, off), g(N * C, off), rg(N * C), loss(1), rl(1);
  logits(z, N, C);
  for (int64_t i = 0; i < N * C; ++i) x[i] = rng() % 4 == 0 ? static_cast<float>(rng() % 3 + 1) : 0.f;  // counts
  if (N > 3)
    for (int64_t j = 0; j < C; ++j) x[3 * C + j] = 0.f;  // a user with no items
  const std::string what = sz("multinomial_nll_fwd", N, C, off);
  run(what, [&] {
    cpu::multinomial_nll_fwd(rl.p, rg.p, z.p, x.p, N, C);
    cuda::multinomial_nll_fwd(loss.p, g.p, z.p, x.p, N, C);
    close(what + " loss", loss, rl, 0, kLossRtol);
    // softmax·Σx/N - x/N cancels where x > 0: an ulp of the terms (x <= 3) is the bound there
    close(what + " grad", g, rg, 1e-6 / N, 4e-6);
  });
}

}  // namespace

void check_losses() {
  for (int64_t n : {0, 1, 3, 4, 5, 1000, 4099})
    for (int off = 0; off < 2; ++off) {
      bce(n, off);
      mse(n, off, false);
      mse(n, off, true);
    }
  const int64_t kd[][2] = {{0, 3}, {3, 0}, {1, 1}, {3, 5}, {4, 8}, {50, 33}};
  for (auto& s : kd)
    for (int off = 0; off < 2; ++off) kl(s[0], s[1], off);

  // C <= 1024: a warp per row; above: a block of 256, from 16384 a block of 1024.
  const int64_t rows[][2] = {{1, 1},     {3, 2},     {5, 5},    {9, 32},  {20, 33},   {4, 100},   {3, 1024},
                             {3, 1025},  {4, 4096},  {2, 5001}, {2, 16384}, {1, 20001}, {0, 5}};
  for (auto& s : rows)
    for (int off = 0; off < 2; ++off) {
      softmax_ce(s[0], s[1], off);
      if (s[1] > 0) multinomial(s[0], s[1], off);
    }
  for (int t = 0; t < 40; ++t) {  // random shapes around the warp/block switch
    const int64_t N = 1 + rng() % 40, C = 1 + rng() % (t % 2 ? 3000 : 1100);
    const int off = static_cast<int>(rng() % 2);
    softmax_ce(N, C, off);
    multinomial(N, C, off);
  }
  // Grid-stride rows: more rows than the 8192 blocks hold (warps: 8 rows a block; blocks: 1).
  softmax_ce(70000, 3, 1);
  multinomial(66000, 4, 0);
  softmax_ce(8200, 1030, 0);
  // Elementwise losses past 1024 blocks x 256 threads (x 4 floats): several loop turns each.
  bce(1100001, 1);
  mse(1100000, 0, true);
  multinomial(3, 0, 0);
  softmax_ce(10, 7, 0, 7);
  softmax_ce(3, 2000, 1, 2000);
  softmax_ce(4, 9, 0, -1);
}

}  // namespace chk
