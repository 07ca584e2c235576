// Fused losses on the device (see losses.h). Two shapes of work:
//  - elementwise losses (bce, mse, masked mse, gaussian kl): one grid-stride pass, float4 when
//    every array is 16-byte aligned, each thread summing its terms in double, one partial per block;
//  - row losses (softmax ce, multinomial nll): a warp per row for small C, a block per row for
//    large C; an online max/sum-exp in one read of the row, then a second read writing the gradient.
// loss_finalize_kernel then adds the block partials in a fixed order and writes loss[0]. The grid
// depends only on the sizes, so the partials, and the loss bits, are the same on every call.
#include "losses.h"

#include <cmath>
#include <cstdint>

#include "allocator.h"
#include "common.cuh"

namespace neurec::cuda {
namespace {

constexpr int kThreads = 256;           // elementwise and warp-per-row blocks
constexpr int64_t kMaxParts = 1024;     // elementwise blocks: ~8 per SM on 132 SMs
constexpr int64_t kMaxRowBlocks = 8192;  // row-loss blocks (one partial each)
constexpr int kFinalThreads = 1024;
constexpr int64_t kWarpRowMaxC = 1024;  // up to this many classes a warp owns a row

__device__ __forceinline__ double warp_sum_d(double v) {
  for (int o = kWarp / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Sum over the block (blockDim.x a multiple of 32); every thread gets it. scratch: 32 doubles.
__device__ double block_sum_d(double v, double* scratch) {
  int lane = threadIdx.x % kWarp, wid = threadIdx.x / kWarp;
  v = warp_sum_d(v);
  __syncthreads();
  if (lane == 0) scratch[wid] = v;
  __syncthreads();
  int nw = (blockDim.x + kWarp - 1) / kWarp;
  v = threadIdx.x < nw ? scratch[threadIdx.x] : 0.0;
  if (wid == 0) v = warp_sum_d(v);
  if (threadIdx.x == 0) scratch[0] = v;
  __syncthreads();
  double r = scratch[0];
  __syncthreads();
  return r;
}

// One block: thread t adds partials t, t + blockDim, ... in order, then a fixed tree, so the
// result depends only on the partials. Writes s to sum_out when given (the mask count of
// masked mse), else loss = count ? (count != 0 ? s / count : 0) : post·s / div · mul.
__global__ void __launch_bounds__(kFinalThreads)
    loss_finalize_kernel(float* loss, double* sum_out, const double* part, int64_t nparts, double div, double mul,
                         double post, const double* count) {
  __shared__ double sh[32];
  double s = 0.0;
  for (int64_t i = threadIdx.x; i < nparts; i += blockDim.x) s += part[i];
  s = block_sum_d(s, sh);
  if (threadIdx.x != 0) return;
  if (sum_out) {
    *sum_out = s;
  } else if (count) {
    double c = *count;
    *loss = c != 0.0 ? static_cast<float>(s / c) : 0.f;
  } else {
    *loss = static_cast<float>(post * s / div * mul);
  }
}

// ---- elementwise losses -------------------------------------------------------------------

// Inputs a, b, c and outputs g, h; a loss uses the first kIn and kOut of them.
struct EwPtrs {
  const float *a, *b, *c;
  float *g, *h;
};

// Each op maps one element's inputs to its gradient(s) and returns its loss term, with the
// CPU's arithmetic (float terms, double where the CPU uses double).
struct BceOp {
  float inv_n;
  __device__ double operator()(float z, float y, float, float& g, float&) const {
    float e = expf(-fabsf(z));  // never overflows; sigmoid and log1p both come from it
    float sig = z >= 0.f ? 1.f / (1.f + e) : e / (1.f + e);
    g = (sig - y) * inv_n;
    return static_cast<double>(fmaxf(z, 0.f) - z * y + log1pf(e));
  }
};
struct MseOp {
  float scale;
  __device__ double operator()(float p, float t, float, float& g, float&) const {
    float d = p - t;
    g = d * scale;
    return static_cast<double>(d) * d;
  }
};
struct MaskedMseOp {  // m == 0 contributes exactly 0, even where t is NaN or inf
  float scale;
  __device__ double operator()(float p, float t, float m, float& g, float&) const {
    float d = m != 0.f ? p - t : 0.f;
    float md = m * d;
    g = md * scale;
    return static_cast<double>(md) * d;
  }
};
struct SumOp {
  __device__ double operator()(float x, float, float, float&, float&) const { return x; }
};
struct KlOp {  // expm1 in double: 1 + lv - e^lv cancels badly near lv = 0 in float
  double inv_n;
  __device__ double operator()(float mu, float lv, float, float& dmu, float& dlv) const {
    double em1 = expm1(static_cast<double>(lv));
    dmu = static_cast<float>(mu * inv_n);
    dlv = static_cast<float>(0.5 * em1 * inv_n);
    return static_cast<double>(mu) * mu + (em1 - lv);
  }
};

__device__ __forceinline__ float4 ld4(const float* p, int64_t v) { return __ldg(reinterpret_cast<const float4*>(p) + v); }
__device__ __forceinline__ void st4(float* p, int64_t v, float4 x) { reinterpret_cast<float4*>(p)[v] = x; }

// This thread's Σ of loss terms over a grid-stride loop (float4 units, then the n % 4 tail).
template <int kIn, int kOut, bool kVec, class Op>
__device__ double ew_sum(const Op& op, const EwPtrs& p, int64_t n) {
  const int64_t tid = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const int64_t nt = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const float4 zero = make_float4(0.f, 0.f, 0.f, 0.f);
  double s = 0.0;
  int64_t i0 = 0;
  if (kVec) {
    const int64_t nv = n / 4;
    for (int64_t v = tid; v < nv; v += nt) {
      float4 a = ld4(p.a, v), b = kIn > 1 ? ld4(p.b, v) : zero, c = kIn > 2 ? ld4(p.c, v) : zero;
      float4 g = zero, h = zero;
      s += op(a.x, b.x, c.x, g.x, h.x);
      s += op(a.y, b.y, c.y, g.y, h.y);
      s += op(a.z, b.z, c.z, g.z, h.z);
      s += op(a.w, b.w, c.w, g.w, h.w);
      if (kOut > 0) st4(p.g, v, g);
      if (kOut > 1) st4(p.h, v, h);
    }
    i0 = nv * 4;
  }
  for (int64_t i = i0 + tid; i < n; i += nt) {
    float g = 0.f, h = 0.f;
    s += op(p.a[i], kIn > 1 ? p.b[i] : 0.f, kIn > 2 ? p.c[i] : 0.f, g, h);
    if (kOut > 0) p.g[i] = g;
    if (kOut > 1) p.h[i] = h;
  }
  return s;
}

template <int kIn, int kOut, bool kVec, class Op>
__device__ void ew_partial(double* part, const Op& op, const EwPtrs& p, int64_t n) {
  __shared__ double sh[32];
  double s = block_sum_d(ew_sum<kIn, kOut, kVec>(op, p, n), sh);
  if (threadIdx.x == 0) part[blockIdx.x] = s;
}

// The elementwise kernels: a grid-stride loop (coalesced, float4 when aligned), one double
// partial per block into part[blockIdx.x].
template <bool kVec>
__global__ void __launch_bounds__(kThreads) bce_logits_fwd_kernel(double* part, EwPtrs p, int64_t n, float inv_n) {
  ew_partial<2, 1, kVec>(part, BceOp{inv_n}, p, n);
}
template <bool kVec>
__global__ void __launch_bounds__(kThreads) mse_fwd_kernel(double* part, EwPtrs p, int64_t n, float scale) {
  ew_partial<2, 1, kVec>(part, MseOp{scale}, p, n);
}
// Σ mask first, so the fused pass can write the final gradient directly.
template <bool kVec>
__global__ void __launch_bounds__(kThreads) masked_mse_count_kernel(double* part, EwPtrs p, int64_t n) {
  ew_partial<1, 0, kVec>(part, SumOp{}, p, n);
}
template <bool kVec>
__global__ void __launch_bounds__(kThreads)
    masked_mse_fwd_kernel(double* part, EwPtrs p, int64_t n, const double* count) {
  double c = *count;
  ew_partial<3, 1, kVec>(part, MaskedMseOp{c != 0.0 ? static_cast<float>(2.0 / c) : 0.f}, p, n);
}
template <bool kVec>
__global__ void __launch_bounds__(kThreads) gaussian_kl_fwd_kernel(double* part, EwPtrs p, int64_t n, double inv_n) {
  ew_partial<2, 2, kVec>(part, KlOp{inv_n}, p, n);
}

// Launches the float4 or the scalar form of an elementwise kernel, and checks the launch.
#define NR_LAUNCH_EW(kernel, vec, blocks, ...)                             \
  do {                                                                     \
    if (vec) kernel<true><<<blocks, kThreads, 0, stream()>>>(__VA_ARGS__); \
    else kernel<false><<<blocks, kThreads, 0, stream()>>>(__VA_ARGS__);    \
    CUDA_CHECK_LAUNCH(#kernel);                                            \
  } while (0)

// Blocks for an elementwise pass: float4 units when every pointer allows them.
unsigned ew_blocks(int64_t n, bool vec) { return grid_for(vec ? n / 4 : n, kThreads, kMaxParts); }

void finalize(float* loss, const double* part, int64_t nparts, double div, double mul, double post,
              const double* count = nullptr, double* sum_out = nullptr) {
  loss_finalize_kernel<<<1, kFinalThreads, 0, stream()>>>(loss, sum_out, part, nparts, div, mul, post, count);
  CUDA_CHECK_LAUNCH("loss_finalize_kernel");
}

// ---- row losses ----------------------------------------------------------------------------

// The threads that own one row: a warp (kBlockRow false) or the whole block.
template <bool kBlockRow>
struct RowGroup {
  __device__ int lane() const { return kBlockRow ? threadIdx.x : threadIdx.x % kWarp; }
  __device__ int size() const { return kBlockRow ? blockDim.x : kWarp; }
  __device__ int64_t first() const {
    return kBlockRow ? blockIdx.x : (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) / kWarp;
  }
  __device__ int64_t stride() const {
    return kBlockRow ? gridDim.x : static_cast<int64_t>(gridDim.x) * blockDim.x / kWarp;
  }
  __device__ float max(float v, float* sh) const {
    if constexpr (kBlockRow) return block_max(v, sh);
    else return warp_max(v);
  }
  __device__ double sum(double v, double* sh) const {
    if constexpr (kBlockRow) return block_sum_d(v, sh);
    else return warp_sum_d(v);
  }
};

// A row read in units of W floats (float4 when C % 4 == 0 and the arrays are aligned).
template <bool kVec>
struct RowIO {
  static constexpr int W = kVec ? 4 : 1;
  __device__ static void load(const float* p, int64_t u, float (&v)[W]) {
    if constexpr (kVec) {
      float4 q = ld4(p, u);
      v[0] = q.x, v[1] = q.y, v[2] = q.z, v[3] = q.w;
    } else {
      v[0] = p[u];
    }
  }
  __device__ static void store(float* p, int64_t u, const float (&v)[W]) {
    if constexpr (kVec) st4(p, u, make_float4(v[0], v[1], v[2], v[3]));
    else p[u] = v[0];
  }
};

// Online max / Σ e^(z - m) of one thread's elements. -Infinity logits add nothing (a row of
// them only gives NaN when merged, as on the CPU); NaN propagates into s. The multinomial loss
// also keeps xs = Σ x and xzm = Σ x·(z - m), moved to a new max by adding xs·(m_old - m_new):
// every term is <= 0 for x >= 0, so nothing cancels.
struct OnlineLse {
  float m = -INFINITY, s = 0.f;
  double xs = 0.0, xzm = 0.0;
  __device__ void push(float z) {
    if (z > m) {
      s = s * expf(m - z) + 1.f;
      m = z;
    } else if (z != -INFINITY) {
      s += expf(z - m);
    }
  }
  __device__ void push(float z, float x) {
    if (z > m && m != -INFINITY) xzm += xs * (static_cast<double>(m) - z);
    push(z);
    xs += x;
    xzm += static_cast<double>(x) * (z - m);
  }
};

// softmax_ce_fwd_kernel: a group (warp or block, see RowGroup) per row, rows grid-strided.
// Read 1: online max/sum-exp; read 2: grad = e^(z - M)·(1/N)/S, minus 1/N at the label. The
// row loss log S - (z_label - M) collects on the group's lane 0, then one partial per block.
template <bool kBlockRow, bool kVec>
__global__ void __launch_bounds__(kBlockRow ? 1024 : kThreads)
    softmax_ce_fwd_kernel(double* part, float* grad, const float* logits, const int32_t* labels, int64_t N,
                          int64_t C, double inv_n, DeviceError* err) {
  __shared__ float shf[32];
  __shared__ double shd[32];
  using IO = RowIO<kVec>;
  constexpr int W = IO::W;
  const RowGroup<kBlockRow> grp;
  const int lane = grp.lane(), nt = grp.size();
  const int64_t units = C / W;
  const float ninv = static_cast<float>(inv_n);
  double acc = 0.0;
  for (int64_t i = grp.first(); i < N; i += grp.stride()) {
    const float* z = logits + i * C;
    float* g = grad + i * C;
    const int32_t label = labels[i];  // the same for the whole group: branches stay uniform
    if (label < 0 || label >= C) {
      if (lane == 0) report_device_error(err, kLabelOutOfRange, kSiteSoftmaxCe, label, C);
      const float zero[W] = {};
      for (int64_t u = lane; u < units; u += nt) IO::store(g, u, zero);
      continue;
    }
    OnlineLse st;
    for (int64_t u = lane; u < units; u += nt) {
      float v[W];
      IO::load(z, u, v);
      for (int w = 0; w < W; ++w) st.push(v[w]);
    }
    const float M = grp.max(st.m, shf);
    const double S = grp.sum(static_cast<double>(st.s) * expf(st.m - M), shd);
    const float scale = static_cast<float>(inv_n / S);
    for (int64_t u = lane; u < units; u += nt) {
      float v[W];
      IO::load(z, u, v);
      for (int w = 0; w < W; ++w) {
        v[w] = __fmul_rn(expf(v[w] - M), scale);  // rounded before the label's subtraction, as on the CPU
        if (u * W + w == label) v[w] -= ninv;
      }
      IO::store(g, u, v);
    }
    if (lane == 0) acc += log(S) - (static_cast<double>(z[label]) - M);
  }
  double s = block_sum_d(acc, shd);  // every thread gets here: no early return above
  if (threadIdx.x == 0) part[blockIdx.x] = s;
}

// multinomial_nll_fwd_kernel: as softmax_ce_fwd_kernel, with the targets x read alongside.
// Row loss xs·log S - xzm, grad = e^(z - M)·(xs/N/S) - x/N.
template <bool kBlockRow, bool kVec>
__global__ void __launch_bounds__(kBlockRow ? 1024 : kThreads)
    multinomial_nll_fwd_kernel(double* part, float* grad, const float* logits, const float* targets, int64_t N,
                               int64_t C, double inv_n) {
  __shared__ float shf[32];
  __shared__ double shd[32];
  using IO = RowIO<kVec>;
  constexpr int W = IO::W;
  const RowGroup<kBlockRow> grp;
  const int lane = grp.lane(), nt = grp.size();
  const int64_t units = C / W;
  const float b = static_cast<float>(inv_n);
  double acc = 0.0;
  for (int64_t i = grp.first(); i < N; i += grp.stride()) {
    const float* z = logits + i * C;
    const float* x = targets + i * C;
    float* g = grad + i * C;
    OnlineLse st;
    for (int64_t u = lane; u < units; u += nt) {
      float v[W], t[W];
      IO::load(z, u, v);
      IO::load(x, u, t);
      for (int w = 0; w < W; ++w) st.push(v[w], t[w]);
    }
    const float M = grp.max(st.m, shf);
    const double S = grp.sum(static_cast<double>(st.s) * expf(st.m - M), shd);
    const double xs = grp.sum(st.xs, shd);
    const double shift = st.xs != 0.0 ? st.xs * (static_cast<double>(st.m) - M) : 0.0;
    const double xzm = grp.sum(st.xzm + shift, shd);
    const float a = static_cast<float>(xs * inv_n / S);
    for (int64_t u = lane; u < units; u += nt) {
      float v[W], t[W];
      IO::load(z, u, v);
      IO::load(x, u, t);
      for (int w = 0; w < W; ++w) v[w] = __fmul_rn(expf(v[w] - M), a) - t[w] * b;
      IO::store(g, u, v);
    }
    if (lane == 0) acc += xs * log(S) - xzm;
  }
  double s = block_sum_d(acc, shd);
  if (threadIdx.x == 0) part[blockIdx.x] = s;
}

// Geometry of a row loss: a warp per row for small C (8 rows per block), else a block per row.
struct RowLaunch {
  bool block_row, vec;
  unsigned blocks;
  int threads;
};
RowLaunch row_launch(int64_t N, int64_t C, bool aligned) {
  RowLaunch r;
  r.vec = C % 4 == 0 && aligned;
  r.block_row = C > kWarpRowMaxC;
  r.threads = r.block_row ? (C >= 16384 ? 1024 : 256) : kThreads;
  int64_t blocks = r.block_row ? N : ceil_div(N, kThreads / kWarp);
  r.blocks = static_cast<unsigned>(blocks < kMaxRowBlocks ? blocks : kMaxRowBlocks);
  return r;
}

}  // namespace

void bce_logits_fwd(float* loss, float* grad, const float* logits, const float* targets, int64_t n) {
  const double dn = static_cast<double>(n);
  const float inv_n = static_cast<float>(1.0 / dn);
  const bool vec = aligned16(grad) && aligned16(logits) && aligned16(targets);
  const unsigned blocks = n > 0 ? ew_blocks(n, vec) : 0;
  ScratchBuffer part(blocks * sizeof(double));
  const EwPtrs p{logits, targets, nullptr, grad, nullptr};
  if (blocks) NR_LAUNCH_EW(bce_logits_fwd_kernel, vec, blocks, part.as<double>(), p, n, inv_n);
  finalize(loss, part.as<double>(), blocks, dn, 1.0, 1.0);  // s / n (NaN for n == 0)
}

void mse_fwd(float* loss, float* grad, const float* pred, const float* target, int64_t n) {
  const double dn = static_cast<double>(n);
  const float scale = static_cast<float>(2.0 / dn);
  const bool vec = aligned16(grad) && aligned16(pred) && aligned16(target);
  const unsigned blocks = n > 0 ? ew_blocks(n, vec) : 0;
  ScratchBuffer part(blocks * sizeof(double));
  const EwPtrs p{pred, target, nullptr, grad, nullptr};
  if (blocks) NR_LAUNCH_EW(mse_fwd_kernel, vec, blocks, part.as<double>(), p, n, scale);
  finalize(loss, part.as<double>(), blocks, dn, 1.0, 1.0);
}

void masked_mse_fwd(float* loss, float* grad, const float* pred, const float* target, const float* mask, int64_t n) {
  const bool vec = aligned16(grad) && aligned16(pred) && aligned16(target) && aligned16(mask);
  const unsigned blocks = n > 0 ? ew_blocks(n, vec) : 0;
  // [0, blocks): partials (reused by both passes); [blocks]: Σ mask.
  ScratchBuffer buf((blocks + 1) * sizeof(double));
  double* part = buf.as<double>();
  double* count = part + blocks;
  const EwPtrs pc{mask, nullptr, nullptr, nullptr, nullptr};
  const EwPtrs p{pred, target, mask, grad, nullptr};
  if (blocks) NR_LAUNCH_EW(masked_mse_count_kernel, vec, blocks, part, pc, n);
  finalize(nullptr, part, blocks, 1.0, 1.0, 1.0, nullptr, count);
  if (blocks) NR_LAUNCH_EW(masked_mse_fwd_kernel, vec, blocks, part, p, n, count);
  finalize(loss, part, blocks, 1.0, 1.0, 1.0, count);  // count != 0 ? s / count : 0
}

void softmax_ce_fwd(float* loss, float* grad, const float* logits, const int32_t* labels, int64_t N, int64_t C) {
  const double inv_n = 1.0 / static_cast<double>(N);
  const RowLaunch r = row_launch(N, C, aligned16(grad) && aligned16(logits));
  const unsigned blocks = N > 0 ? r.blocks : 0;
  ScratchBuffer part(blocks * sizeof(double));
  if (blocks) {
    double* pp = part.as<double>();
    DeviceError* err = device_error_slot();
    auto launch = [&](auto kernel) {
      kernel<<<blocks, r.threads, 0, stream()>>>(pp, grad, logits, labels, N, C, inv_n, err);
    };
    if (r.block_row) r.vec ? launch(softmax_ce_fwd_kernel<true, true>) : launch(softmax_ce_fwd_kernel<true, false>);
    else r.vec ? launch(softmax_ce_fwd_kernel<false, true>) : launch(softmax_ce_fwd_kernel<false, false>);
    CUDA_CHECK_LAUNCH("softmax_ce_fwd_kernel");
  }
  finalize(loss, part.as<double>(), blocks, 1.0, inv_n, 1.0);  // s · (1/N)
}

void multinomial_nll_fwd(float* loss, float* grad, const float* logits, const float* targets, int64_t N, int64_t C) {
  const double inv_n = 1.0 / static_cast<double>(N);
  const RowLaunch r = row_launch(N, C, aligned16(grad) && aligned16(logits) && aligned16(targets));
  // No classes: every row's likelihood is an empty sum, so the loss is 0 (NaN for N == 0).
  const unsigned blocks = N > 0 && C > 0 ? r.blocks : 0;
  ScratchBuffer part(blocks * sizeof(double));
  if (blocks) {
    double* pp = part.as<double>();
    auto launch = [&](auto kernel) {
      kernel<<<blocks, r.threads, 0, stream()>>>(pp, grad, logits, targets, N, C, inv_n);
    };
    if (r.block_row)
      r.vec ? launch(multinomial_nll_fwd_kernel<true, true>) : launch(multinomial_nll_fwd_kernel<true, false>);
    else r.vec ? launch(multinomial_nll_fwd_kernel<false, true>) : launch(multinomial_nll_fwd_kernel<false, false>);
    CUDA_CHECK_LAUNCH("multinomial_nll_fwd_kernel");
  }
  finalize(loss, part.as<double>(), blocks, 1.0, inv_n, 1.0);
}

void gaussian_kl_fwd(float* loss, float* dmu, float* dlogvar, const float* mu, const float* logvar, int64_t N,
                     int64_t D) {
  const double inv_n = 1.0 / static_cast<double>(N);
  const int64_t n = N * D;
  const bool vec = aligned16(dmu) && aligned16(dlogvar) && aligned16(mu) && aligned16(logvar);
  const unsigned blocks = n > 0 ? ew_blocks(n, vec) : 0;
  ScratchBuffer part(blocks * sizeof(double));
  const EwPtrs p{mu, logvar, nullptr, dmu, dlogvar};
  if (blocks) NR_LAUNCH_EW(gaussian_kl_fwd_kernel, vec, blocks, part.as<double>(), p, n, inv_n);
  finalize(loss, part.as<double>(), blocks, 1.0, inv_n, 0.5);  // 0.5·s · (1/N)
}

}  // namespace neurec::cuda
