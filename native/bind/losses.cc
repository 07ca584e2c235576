// N-API wrappers for the fused losses: bce_logits_fwd, mse_fwd, masked_mse_fwd, softmax_ce_fwd,
// multinomial_nll_fwd, gaussian_kl_fwd. Each writes a one-value loss and the gradient(s), each
// into a storage of its own.
#include "backend.h"
#include "napi_util.h"

// bce_logits_fwd(loss, grad, logits, targets, n)
NR_KERNEL(bce_logits_fwd) {
  int64_t n = a.size(4, "n");
  backend::bce_logits_fwd(a.out_f32(0, "loss", 1), a.out_f32(1, "grad", n), a.f32(2, "logits", n),
                          a.f32(3, "targets", n), n);
  return a.undefined();
}

// mse_fwd(loss, grad, pred, target, n)
NR_KERNEL(mse_fwd) {
  int64_t n = a.size(4, "n");
  backend::mse_fwd(a.out_f32(0, "loss", 1), a.out_f32(1, "grad", n), a.f32(2, "pred", n), a.f32(3, "target", n), n);
  return a.undefined();
}

// masked_mse_fwd(loss, grad, pred, target, mask, n)
NR_KERNEL(masked_mse_fwd) {
  int64_t n = a.size(5, "n");
  backend::masked_mse_fwd(a.out_f32(0, "loss", 1), a.out_f32(1, "grad", n), a.f32(2, "pred", n),
                          a.f32(3, "target", n), a.f32(4, "mask", n), n);
  return a.undefined();
}

// softmax_ce_fwd(loss, grad, logits, labels, N, C)
NR_KERNEL(softmax_ce_fwd) {
  int64_t N = a.size(4, "N"), C = a.size(5, "C");
  int64_t NC = a.mul(N, C);
  backend::softmax_ce_fwd(a.out_f32(0, "loss", 1), a.out_f32(1, "grad", NC), a.f32(2, "logits", NC),
                          a.i32(3, "labels", N), N, C);
  return a.undefined();
}

// multinomial_nll_fwd(loss, grad, logits, targets, N, C)
NR_KERNEL(multinomial_nll_fwd) {
  int64_t N = a.size(4, "N"), C = a.size(5, "C");
  int64_t NC = a.mul(N, C);
  backend::multinomial_nll_fwd(a.out_f32(0, "loss", 1), a.out_f32(1, "grad", NC), a.f32(2, "logits", NC),
                               a.f32(3, "targets", NC), N, C);
  return a.undefined();
}

// gaussian_kl_fwd(loss, dmu, dlogvar, mu, logvar, N, D)
NR_KERNEL(gaussian_kl_fwd) {
  int64_t N = a.size(5, "N"), D = a.size(6, "D");
  int64_t ND = a.mul(N, D);
  backend::gaussian_kl_fwd(a.out_f32(0, "loss", 1), a.out_f32(1, "dmu", ND), a.out_f32(2, "dlogvar", ND),
                           a.f32(3, "mu", ND), a.f32(4, "logvar", ND), N, D);
  return a.undefined();
}
