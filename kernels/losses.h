// Fused losses on the device: each call writes the scalar loss and its gradient with respect to
// the prediction (scaled for a loss gradient of 1). Same signatures as native/cpu/losses.h;
// every pointer is a device pointer. Loss sums accumulate in double, per block, and one block
// adds the block sums in a fixed order, so a given size always gives the same bits. A mean over
// no items is NaN.
#pragma once
#include <cstdint>

namespace neurec::cuda {

// loss (1) = mean(max(z,0) - z·y + log1p(e^-|z|)), grad (n) = (sigmoid(z) - y)/n;
// logits z (n), targets y (n).
void bce_logits_fwd(float* loss, float* grad, const float* logits, const float* targets, int64_t n);
// loss (1) = mean((p - t)²), grad (n) = 2(p - t)/n; pred (n), target (n).
void mse_fwd(float* loss, float* grad, const float* pred, const float* target, int64_t n);
// loss (1) = Σ m·(p - t)² / Σ m over entries with m != 0 (0 when there are none),
// grad (n) = 2·m·(p - t)/Σ m; pred (n), target (n), mask (n).
void masked_mse_fwd(float* loss, float* grad, const float* pred, const float* target, const float* mask, int64_t n);
// loss (1) = mean over rows of -log softmax(z)[label], grad (N,C) = (softmax(z) - onehot)/N;
// logits (N,C), labels (N) int32 in [0, C). A label out of range is reported at the next sync
// (its row adds 0 to the loss and gets a zero gradient).
void softmax_ce_fwd(float* loss, float* grad, const float* logits, const int32_t* labels, int64_t N, int64_t C);
// loss (1) = -(1/N) Σ_i Σ_j x_ij·log_softmax(z_i)_j, grad (N,C) = (softmax(z_i)·Σ_j x_ij - x_i)/N;
// logits (N,C), targets x (N,C).
void multinomial_nll_fwd(float* loss, float* grad, const float* logits, const float* targets, int64_t N, int64_t C);
// loss (1) = -0.5·(1/N) Σ (1 + lv - mu² - e^lv), dmu (N,D) = mu/N, dlogvar (N,D) = 0.5(e^lv - 1)/N;
// mu (N,D), logvar lv (N,D).
void gaussian_kl_fwd(float* loss, float* dmu, float* dlogvar, const float* mu, const float* logvar, int64_t N,
                     int64_t D);

}  // namespace neurec::cuda
