// batchnorm.cu against native/cpu/batchnorm.cc: training and eval, with and without the
// affine parameters and running statistics, and the backward's three outputs.
#include "batchnorm.h"
#include "check.h"
#include "cpu/batchnorm.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

void bn(int64_t M, int64_t N, bool training, bool affine, bool running, int off) {
  F x(M * N, off), g(N, off), be(N, off), rm(N, off), rv(N, off), y(M * N, off), mean(N, off), inv(N, off);
  x.uniform(-3, 5), g.uniform(-1, 1), be.uniform(-1, 1), rm.uniform(-1, 1), rv.uniform(0.5, 2);
  F ry(M * N), rmean(N), rinv(N), rrm(rm, 0), rrv(rv, 0);
  const float* gp = affine ? g.p : nullptr;
  const float* bp = affine ? be.p : nullptr;
  const std::string what = fmt("batchnorm M=%lld N=%lld train=%d affine=%d running=%d off=%d", (long long)M,
                               (long long)N, training, affine, running, off);
  run(what + " fwd", [&] {
    cpu::batchnorm_fwd(ry.p, rmean.p, rinv.p, x.p, gp, bp, running ? rrm.p : nullptr, running ? rrv.p : nullptr, M, N,
                       0.1f, 1e-5f, training);
    cuda::batchnorm_fwd(y.p, mean.p, inv.p, x.p, gp, bp, running ? rm.p : nullptr, running ? rv.p : nullptr, M, N, 0.1f,
                        1e-5f, training);
    close(what + " y", y, ry, 1e-5, 1e-5);
    close(what + " mean", mean, rmean, 1e-6, 1e-6);
    close(what + " invstd", inv, rinv, 1e-6, 1e-6);
    close(what + " running mean", rm, rrm, 1e-6, 1e-6);
    close(what + " running var", rv, rrv, 1e-6, 1e-6);
  });
  for (int mask = 0; mask < 8; ++mask) {
    F dy(M * N, off), dx(M * N, off), dg(N, off), db(N, off), rdx(M * N), rdg(N), rdb(N);
    dy.uniform(-1, 1);
    const bool wx = mask & 1, wg = mask & 2, wb = mask & 4;
    const std::string t = what + fmt(" bwd mask=%d", mask);
    run(t, [&] {
      cpu::batchnorm_bwd(wx ? rdx.p : nullptr, wg ? rdg.p : nullptr, wb ? rdb.p : nullptr, dy.p, x.p, rmean.p, rinv.p,
                         gp, M, N, training);
      cuda::batchnorm_bwd(wx ? dx.p : nullptr, wg ? dg.p : nullptr, wb ? db.p : nullptr, dy.p, x.p, rmean.p, rinv.p, gp,
                          M, N, training);
      close(t + " dx", dx, rdx, 1e-5, 1e-4);
      close(t + " dgamma", dg, rdg, 1e-5, 1e-5);
      close(t + " dbeta", db, rdb, 1e-5, 1e-5);
    });
  }
}

}  // namespace

void check_batchnorm() {
  const int64_t s[][2] = {{2, 1}, {3, 5}, {64, 8}, {100, 37}, {257, 64}, {1000, 3}, {513, 128}, {0, 4}, {5, 0}};
  for (auto& m : s)
    for (int f = 0; f < 8; ++f)
      for (int off = 0; off < 2; ++off) {
        const bool training = f & 1;
        if (training && m[0] < 2) continue;
        bn(m[0], m[1], training, f & 2, (f & 4) || !training, off);
      }
  F a(8);
  expect_throw<std::invalid_argument>("batchnorm_fwd training with M = 1 rejected", [&] {
    cuda::batchnorm_fwd(a.p, a.p, a.p, a.p, nullptr, nullptr, nullptr, nullptr, 1, 4, 0.1f, 1e-5f, true);
  });
}

}  // namespace chk
