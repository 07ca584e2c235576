// Optimizer steps, in place, one fused pass each: SGD (momentum, Nesterov, weight decay), Adam /
// AdamW, and lazy sparse Adam over the rows of an embedding table. The maths is the CPU's
// (native/cpu/optim.cc) expression for expression: per-step constants folded on the host in
// double and rounded to float once, the element update in float. Both compilers contract
// multiply-adds into FMAs where they see fit (nvcc always, GCC in its AVX2+FMA clone), not
// necessarily the same ones, so results agree to float rounding, not bit for bit.
//
// nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -I native -I kernels -Xcompiler -fPIC,-Wall -c kernels/optim.cu -o /tmp/optim.o
#include "optim.h"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "common.cuh"
#include "cpu/adam_coef.h"

namespace neurec::cuda {
namespace {

using cpu::AdamCoef;
using cpu::adam_coef;

constexpr int kBlock = 256;

// One element of Adam, as the CPU's adam_range.
__device__ __forceinline__ void adam_elem(float& p, float g, float& m, float& v, const AdamCoef& c) {
  const float gi = g + c.l2 * p;
  const float mi = c.b1 * m + c.one_b1 * gi;
  const float vi = c.b2 * v + c.one_b2 * gi * gi;
  m = mi;
  v = vi;
  p = p * c.decay - c.step_size * mi / (sqrtf(vi) * c.inv_sqrt_bc2 + c.eps);
}

// Four consecutive elements at p, g, m, v (each 16-byte aligned): 4 float4 loads, 3 stores.
__device__ __forceinline__ void adam_vec4(float* p, const float* g, float* m, float* v, const AdamCoef& c) {
  float4 pp = *reinterpret_cast<const float4*>(p), mm = *reinterpret_cast<const float4*>(m);
  float4 vv = *reinterpret_cast<const float4*>(v);
  const float4 gg = *reinterpret_cast<const float4*>(g);
  adam_elem(pp.x, gg.x, mm.x, vv.x, c);
  adam_elem(pp.y, gg.y, mm.y, vv.y, c);
  adam_elem(pp.z, gg.z, mm.z, vv.z, c);
  adam_elem(pp.w, gg.w, mm.w, vv.w, c);
  *reinterpret_cast<float4*>(p) = pp;
  *reinterpret_cast<float4*>(m) = mm;
  *reinterpret_cast<float4*>(v) = vv;
}

// Thread per 4 consecutive elements (kVec: every pointer 16-byte aligned), then the last n % 4
// by the first threads; floats throughout otherwise. One pass: reads p, g, m, v, writes p, m, v.
template <bool kVec>
__global__ void adam_step_kernel(float* p, const float* g, float* m, float* v, int64_t n, AdamCoef c) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t head = 0;
  if constexpr (kVec) {
    const int64_t n4 = n >> 2;
    for (int64_t i = t; i < n4; i += stride) adam_vec4(p + 4 * i, g + 4 * i, m + 4 * i, v + 4 * i, c);
    head = n4 << 2;
  }
  for (int64_t i = head + t; i < n; i += stride) adam_elem(p[i], g[i], m[i], v[i], c);
}

// Thread per W consecutive columns (W = 4: D % 4 == 0, every pointer 16-byte aligned) of the
// flat (U, D) gradient rows: the threads of one table row are adjacent, so accesses coalesce
// along the row whatever D is, and no lane idles for a narrow D as a warp per row would. A row
// id outside [0, R), or not above the one before it (the CPU's precondition: a repeated row
// would be updated by two threads at once), is reported once (by its first thread) and its
// update skipped.
template <int W>
__global__ void sparse_adam_step_kernel(float* p, float* m, float* v, const int32_t* rows, const float* values,
                                        int64_t U, int64_t D, int64_t R, AdamCoef c, DeviceError* slot) {
  const int64_t Dw = D / W, n = U * Dw, stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < n; idx += stride) {
    const int64_t u = div_nn(idx, Dw), j = (idx - u * Dw) * W;
    const int64_t row = rows[u];
    if (row < 0 || row >= R) {
      if (j == 0) report_device_error(slot, kIndexOutOfRange, kSiteSparseAdam, row, R);
      continue;
    }
    const int64_t prev = u > 0 ? rows[u - 1] : -1;
    if (row <= prev && prev < R) {  // (a row id past R is reported by its own thread instead)
      if (j == 0) report_device_error(slot, kRowsNotAscending, kSiteSparseAdam, row, prev);
      continue;
    }
    const int64_t off = row * D + j;
    if constexpr (W == 4) adam_vec4(p + off, values + u * D + j, m + off, v + off, c);
    else adam_elem(p[off], values[u * D + j], m[off], v[off], c);
  }
}

// SGD, one element: kMode 0 plain, 1 momentum, 2 Nesterov; as the CPU's sgd_*_range.
template <int kMode>
__device__ __forceinline__ void sgd_elem(float& p, float g, float* vel, float lr, float mom, float wd) {
  if constexpr (kMode == 0) {
    p -= lr * (g + wd * p);
  } else if constexpr (kMode == 1) {
    const float vi = mom * *vel + (g + wd * p);
    *vel = vi;
    p -= lr * vi;
  } else {
    const float gi = g + wd * p;
    const float vi = mom * *vel + gi;
    *vel = vi;
    p -= lr * (gi + mom * vi);
  }
}

// Thread per 4 consecutive elements as float4s (kVec: every pointer used 16-byte aligned),
// then the last n % 4; floats throughout otherwise. vel is not read in plain mode (may be null).
template <int kMode, bool kVec>
__global__ void sgd_step_kernel(float* p, const float* g, float* vel, int64_t n, float lr, float mom, float wd) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t head = 0;
  if constexpr (kVec) {
    const int64_t n4 = n >> 2;
    for (int64_t i = t; i < n4; i += stride) {
      float4 pp = reinterpret_cast<const float4*>(p)[i];
      const float4 gg = reinterpret_cast<const float4*>(g)[i];
      float4 vv = kMode == 0 ? make_float4(0.f, 0.f, 0.f, 0.f) : reinterpret_cast<const float4*>(vel)[i];
      sgd_elem<kMode>(pp.x, gg.x, &vv.x, lr, mom, wd);
      sgd_elem<kMode>(pp.y, gg.y, &vv.y, lr, mom, wd);
      sgd_elem<kMode>(pp.z, gg.z, &vv.z, lr, mom, wd);
      sgd_elem<kMode>(pp.w, gg.w, &vv.w, lr, mom, wd);
      reinterpret_cast<float4*>(p)[i] = pp;
      if constexpr (kMode != 0) reinterpret_cast<float4*>(vel)[i] = vv;
    }
    head = n4 << 2;
  }
  for (int64_t i = head + t; i < n; i += stride) sgd_elem<kMode>(p[i], g[i], kMode == 0 ? nullptr : vel + i, lr, mom, wd);
}

template <int kMode>
void sgd_launch(float* p, const float* g, float* vel, int64_t n, float lr, float mom, float wd) {
  if (aligned16(p) && aligned16(g) && (kMode == 0 || aligned16(vel)))
    sgd_step_kernel<kMode, true><<<grid_for(ceil_div(n, 4), kBlock), kBlock, 0, stream()>>>(p, g, vel, n, lr, mom, wd);
  else
    sgd_step_kernel<kMode, false><<<grid_for(n, kBlock), kBlock, 0, stream()>>>(p, g, vel, n, lr, mom, wd);
  CUDA_CHECK_LAUNCH("sgd_step_kernel");
}

}  // namespace

void sgd_step(float* param, const float* grad, float* velocity, int64_t n, double lr, double momentum,
              double weight_decay, bool nesterov) {
  if (!(lr >= 0) || !std::isfinite(lr)) throw std::invalid_argument("lr must be finite and >= 0, got " + std::to_string(lr));
  if (!(momentum >= 0)) throw std::invalid_argument("momentum must be >= 0, got " + std::to_string(momentum));
  if (!(weight_decay >= 0)) throw std::invalid_argument("weight decay must be >= 0, got " + std::to_string(weight_decay));
  if (momentum != 0 && !velocity) throw std::invalid_argument("momentum " + std::to_string(momentum) + " needs a velocity buffer");
  if (nesterov && momentum == 0) throw std::invalid_argument("nesterov needs momentum > 0");
  if (n == 0) return;
  const float lr_f = static_cast<float>(lr), mom = static_cast<float>(momentum), wd = static_cast<float>(weight_decay);
  if (momentum == 0) sgd_launch<0>(param, grad, velocity, n, lr_f, mom, wd);
  else if (nesterov) sgd_launch<2>(param, grad, velocity, n, lr_f, mom, wd);
  else sgd_launch<1>(param, grad, velocity, n, lr_f, mom, wd);
}

void adam_step(float* param, const float* grad, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
               double eps, double weight_decay, int64_t step, bool decoupled) {
  const AdamCoef c = adam_coef(lr, beta1, beta2, eps, weight_decay, step, decoupled);
  if (n == 0) return;
  if (aligned16(param) && aligned16(grad) && aligned16(m) && aligned16(v))
    adam_step_kernel<true><<<grid_for(ceil_div(n, 4), kBlock), kBlock, 0, stream()>>>(param, grad, m, v, n, c);
  else
    adam_step_kernel<false><<<grid_for(n, kBlock), kBlock, 0, stream()>>>(param, grad, m, v, n, c);
  CUDA_CHECK_LAUNCH("adam_step_kernel");
}

void sparse_adam_step(float* param, float* m, float* v, const int32_t* rows, const float* values, int64_t U, int64_t D,
                      int64_t R, double lr, double beta1, double beta2, double eps, double weight_decay, int64_t step,
                      bool decoupled) {
  const AdamCoef c = adam_coef(lr, beta1, beta2, eps, weight_decay, step, decoupled);
  if (U == 0 || D == 0) return;
  DeviceError* slot = device_error_slot();
  if (D % 4 == 0 && aligned16(param) && aligned16(m) && aligned16(v) && aligned16(values))
    sparse_adam_step_kernel<4><<<grid_for(U * D / 4, kBlock), kBlock, 0, stream()>>>(param, m, v, rows, values, U, D, R,
                                                                                     c, slot);
  else
    sparse_adam_step_kernel<1><<<grid_for(U * D, kBlock), kBlock, 0, stream()>>>(param, m, v, rows, values, U, D, R, c,
                                                                                 slot);
  CUDA_CHECK_LAUNCH("sparse_adam_step_kernel");
}

}  // namespace neurec::cuda
