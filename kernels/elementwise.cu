// Elementwise kernels: binary ops with 2-D broadcasting by strides, scalar ops, unary ops and
// their backward. Memory-bound: every kernel is a grid-stride loop that moves float4s where the
// pointers are 16-byte aligned (storage is; an offset view may not be) and floats otherwise.
// The maths is the CPU's (native/cpu/elementwise.cc, vmath.h's scalar forms): the stable
// sigmoid and softplus, IEEE division and sqrt (no fast-math); expf/logf/tanhf/log1pf/powf are
// CUDA's full-precision forms, within 1-2 ulp of the CPU's.
//
// nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -I native -I kernels -Xcompiler -fPIC,-Wall -c kernels/elementwise.cu -o /tmp/elementwise.o
#include "elementwise.h"

#include <cstdint>
#include <stdexcept>
#include <string>

#include "common.cuh"
#include "cpu/elementwise.h"

namespace neurec::cuda {
namespace {

constexpr int kBlock = 256;

// ---- functors: f(a, b, c) on up to three inputs; kA/kB/kC say which are read (an input a
// functor does not read may be null and is never loaded) ----

template <bool A, bool B, bool C>
struct Uses {
  static constexpr bool kA = A, kB = B, kC = C;
};

struct AddF : Uses<true, true, false> { __device__ float operator()(float a, float b, float) const { return a + b; } };
struct SubF : Uses<true, true, false> { __device__ float operator()(float a, float b, float) const { return a - b; } };
struct MulF : Uses<true, true, false> { __device__ float operator()(float a, float b, float) const { return a * b; } };
struct DivF : Uses<true, true, false> { __device__ float operator()(float a, float b, float) const { return a / b; } };

struct AddS : Uses<true, false, false> { float s; __device__ float operator()(float x, float, float) const { return x + s; } };
struct MulS : Uses<true, false, false> { float s; __device__ float operator()(float x, float, float) const { return x * s; } };
struct RsubS : Uses<true, false, false> { float s; __device__ float operator()(float x, float, float) const { return s - x; } };
struct RdivS : Uses<true, false, false> { float s; __device__ float operator()(float x, float, float) const { return s / x; } };
// x^2 and x^1 exactly (a correctly rounded pow gives these bits; CUDA's powf is within 2 ulp).
struct PowS : Uses<true, false, false> {
  float s;
  __device__ float operator()(float x, float, float) const { return s == 2.f ? x * x : s == 1.f ? x : powf(x, s); }
};

// 1/(1+e^-x) from e^-|x| (never overflows), as vmath::sigmoid_s.
__device__ __forceinline__ float sigmoid_d(float x) {
  float e = expf(-fabsf(x));
  return (x >= 0.f ? 1.f : e) / (1.f + e);
}
// log(1 + e^x) = max(x,0) + log1p(e^-|x|), as vmath::softplus_s: exactly x for large x.
__device__ __forceinline__ float softplus_d(float x) { return (x > 0.f ? x : 0.f) + log1pf(expf(-fabsf(x))); }

using U1 = Uses<true, false, false>;
struct ReluF : U1 { __device__ float operator()(float x, float, float) const { return x > 0.f ? x : 0.f; } };
struct SigmoidF : U1 { __device__ float operator()(float x, float, float) const { return sigmoid_d(x); } };
struct TanhF : U1 { __device__ float operator()(float x, float, float) const { return tanhf(x); } };
struct ExpF : U1 { __device__ float operator()(float x, float, float) const { return expf(x); } };
struct LogF : U1 { __device__ float operator()(float x, float, float) const { return logf(x); } };
struct SoftplusF : U1 { __device__ float operator()(float x, float, float) const { return softplus_d(x); } };
struct NegF : U1 { __device__ float operator()(float x, float, float) const { return -x; } };
struct SqrtF : U1 { __device__ float operator()(float x, float, float) const { return sqrtf(x); } };
struct SquareF : U1 { __device__ float operator()(float x, float, float) const { return x * x; } };

// Backward: f(dy, x, y), reading x or y as the CPU does for each op.
using UX = Uses<true, true, false>;
using UY = Uses<true, false, true>;
struct ReluB : UX { __device__ float operator()(float dy, float x, float) const { return x > 0.f ? dy : 0.f; } };
struct SigmoidB : UY { __device__ float operator()(float dy, float, float y) const { return dy * y * (1.f - y); } };
struct TanhB : UY { __device__ float operator()(float dy, float, float y) const { return dy * (1.f - y * y); } };
struct ExpB : UY { __device__ float operator()(float dy, float, float y) const { return dy * y; } };
struct LogB : UX { __device__ float operator()(float dy, float x, float) const { return dy / x; } };
struct SoftplusB : UX { __device__ float operator()(float dy, float x, float) const { return dy * sigmoid_d(x); } };
struct NegB : Uses<true, false, false> { __device__ float operator()(float dy, float, float) const { return -dy; } };
struct SqrtB : UY { __device__ float operator()(float dy, float, float y) const { return dy * 0.5f / y; } };
struct SquareB : UX { __device__ float operator()(float dy, float x, float) const { return dy * 2.f * x; } };

template <bool use>
__device__ __forceinline__ float4 load4(const float* p, int64_t i) {
  if constexpr (use) return reinterpret_cast<const float4*>(p)[i];
  else return make_float4(0.f, 0.f, 0.f, 0.f);
}
template <bool use>
__device__ __forceinline__ float load1(const float* p, int64_t i) {
  if constexpr (use) return p[i];
  else return 0.f;
}

// out[i] = f(a[i], b[i], c[i]) over n contiguous elements, grid-stride. kVec: float4s over the
// first n & ~3 (every pointer read is 16-byte aligned), then the last n % 4 as floats by the
// first threads; otherwise floats throughout.
template <bool kVec, class F>
__device__ __forceinline__ void map_flat(float* out, const float* a, const float* b, const float* c, int64_t n, F f) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t head = 0;
  if constexpr (kVec) {
    const int64_t n4 = n >> 2;
    float4* o4 = reinterpret_cast<float4*>(out);
    for (int64_t i = t; i < n4; i += stride) {
      float4 x = load4<F::kA>(a, i), y = load4<F::kB>(b, i), z = load4<F::kC>(c, i);
      o4[i] = make_float4(f(x.x, y.x, z.x), f(x.y, y.y, z.y), f(x.z, y.z, z.z), f(x.w, y.w, z.w));
    }
    head = n4 << 2;
  }
  for (int64_t i = head + t; i < n; i += stride)
    out[i] = f(load1<F::kA>(a, i), load1<F::kB>(b, i), load1<F::kC>(c, i));
}

// Thread per element (or float4), grid-stride over the flat array.
template <bool kVec, class F>
__global__ void binary_fwd_kernel(float* out, const float* a, const float* b, int64_t n, F f) {
  map_flat<kVec>(out, a, b, nullptr, n, f);
}
template <bool kVec, class F>
__global__ void scalar_fwd_kernel(float* out, const float* x, int64_t n, F f) {
  map_flat<kVec>(out, x, nullptr, nullptr, n, f);
}
template <bool kVec, class F>
__global__ void unary_fwd_kernel(float* out, const float* x, int64_t n, F f) {
  map_flat<kVec>(out, x, nullptr, nullptr, n, f);
}
template <bool kVec, class F>
__global__ void unary_bwd_kernel(float* dx, const float* dy, const float* x, const float* y, int64_t n, F f) {
  map_flat<kVec>(dx, dy, x, y, n, f);
}

// Broadcasting by strides, thread per output element (i,j) of the flat (M,N) output: writes
// coalesce, reads of a broadcast operand hit the cache.
template <class F>
__global__ void binary_fwd_strided_kernel(float* out, const float* a, const float* b, int64_t M, int64_t N,
                                          int64_t ars, int64_t acs, int64_t brs, int64_t bcs, F f) {
  const int64_t n = M * N, stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < n; idx += stride) {
    const int64_t i = div_nn(idx, N), j = idx - i * N;
    out[idx] = f(a[i * ars + j * acs], b[i * brs + j * bcs], 0.f);
  }
}

// Four consecutive columns of row i of a broadcast operand: one float4 when its columns are
// contiguous (cs == 1, row start 16-byte aligned: checked by the launcher), else one value
// repeated (cs == 0).
__device__ __forceinline__ float4 row_load4(const float* p, int64_t i, int64_t j, int64_t rs, int64_t cs) {
  const float* q = p + i * rs;
  if (cs == 0) {
    float v = *q;
    return make_float4(v, v, v, v);
  }
  return *reinterpret_cast<const float4*>(q + j);
}

// As binary_fwd_strided_kernel, thread per 4 consecutive outputs of a row (N % 4 == 0): the
// bias-add (b a row broadcast down M) and per-row scale (b a column broadcast along N) cases.
template <class F>
__global__ void binary_fwd_strided_vec4_kernel(float* out, const float* a, const float* b, int64_t M, int64_t N,
                                               int64_t ars, int64_t acs, int64_t brs, int64_t bcs, F f) {
  const int64_t n4 = M * N / 4, N4 = N / 4, stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  float4* o4 = reinterpret_cast<float4*>(out);
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < n4; idx += stride) {
    const int64_t i = div_nn(idx, N4), j = (idx - i * N4) * 4;
    float4 x = row_load4(a, i, j, ars, acs), y = row_load4(b, i, j, brs, bcs);
    o4[idx] = make_float4(f(x.x, y.x, 0.f), f(x.y, y.y, 0.f), f(x.z, y.z, 0.f), f(x.w, y.w, 0.f));
  }
}

unsigned flat_grid(int64_t n, bool vec) { return grid_for(vec ? ceil_div(n, 4) : n, kBlock); }

// An operand whose rows lie end to end: element (i,j) at i*N + j (a column's cs, or a single
// row's rs, is never used).
bool flat_operand(int64_t M, int64_t N, int64_t rs, int64_t cs) { return (cs == 1 || N == 1) && (rs == N || M == 1); }
// An operand row_load4 can read: N % 4 == 0 is checked by the caller.
bool vec4_operand(const float* p, int64_t M, int64_t rs, int64_t cs) {
  return cs == 0 || (cs == 1 && aligned16(p) && (rs % 4 == 0 || M == 1));
}

template <class F>
void binary_launch(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t ars, int64_t acs,
                   int64_t brs, int64_t bcs, F f) {
  const int64_t n = M * N;
  if (n == 0) return;
  if (flat_operand(M, N, ars, acs) && flat_operand(M, N, brs, bcs)) {
    if (aligned16(out) && aligned16(a) && aligned16(b))
      binary_fwd_kernel<true><<<flat_grid(n, true), kBlock, 0, stream()>>>(out, a, b, n, f);
    else
      binary_fwd_kernel<false><<<flat_grid(n, false), kBlock, 0, stream()>>>(out, a, b, n, f);
    CUDA_CHECK_LAUNCH("binary_fwd_kernel");
    return;
  }
  if (N % 4 == 0 && aligned16(out) && vec4_operand(a, M, ars, acs) && vec4_operand(b, M, brs, bcs)) {
    binary_fwd_strided_vec4_kernel<<<grid_for(n / 4, kBlock), kBlock, 0, stream()>>>(out, a, b, M, N, ars, acs, brs,
                                                                                      bcs, f);
    CUDA_CHECK_LAUNCH("binary_fwd_strided_vec4_kernel");
    return;
  }
  binary_fwd_strided_kernel<<<grid_for(n, kBlock), kBlock, 0, stream()>>>(out, a, b, M, N, ars, acs, brs, bcs, f);
  CUDA_CHECK_LAUNCH("binary_fwd_strided_kernel");
}

template <class F>
void scalar_launch(float* out, const float* x, int64_t n, F f) {
  if (n == 0) return;
  const bool vec = aligned16(out) && aligned16(x);
  if (vec) scalar_fwd_kernel<true><<<flat_grid(n, true), kBlock, 0, stream()>>>(out, x, n, f);
  else scalar_fwd_kernel<false><<<flat_grid(n, false), kBlock, 0, stream()>>>(out, x, n, f);
  CUDA_CHECK_LAUNCH("scalar_fwd_kernel");
}

template <class F>
void unary_launch(float* out, const float* x, int64_t n, F f) {
  if (n == 0) return;
  const bool vec = aligned16(out) && aligned16(x);
  if (vec) unary_fwd_kernel<true><<<flat_grid(n, true), kBlock, 0, stream()>>>(out, x, n, f);
  else unary_fwd_kernel<false><<<flat_grid(n, false), kBlock, 0, stream()>>>(out, x, n, f);
  CUDA_CHECK_LAUNCH("unary_fwd_kernel");
}

template <class F>
void unary_bwd_launch(float* dx, const float* dy, const float* x, const float* y, int64_t n, int op, F f) {
  if (F::kB && !x) throw std::invalid_argument("unary_bwd: op " + std::to_string(op) + " needs x");
  if (F::kC && !y) throw std::invalid_argument("unary_bwd: op " + std::to_string(op) + " needs y");
  if (n == 0) return;
  const bool vec = aligned16(dx) && aligned16(dy) && (!F::kB || aligned16(x)) && (!F::kC || aligned16(y));
  if (vec) unary_bwd_kernel<true><<<flat_grid(n, true), kBlock, 0, stream()>>>(dx, dy, x, y, n, f);
  else unary_bwd_kernel<false><<<flat_grid(n, false), kBlock, 0, stream()>>>(dx, dy, x, y, n, f);
  CUDA_CHECK_LAUNCH("unary_bwd_kernel");
}

}  // namespace

void binary_fwd(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t ars, int64_t acs,
                int64_t brs, int64_t bcs, int op) {
  switch (op) {
    case cpu::kAdd: return binary_launch(out, a, b, M, N, ars, acs, brs, bcs, AddF{});
    case cpu::kSub: return binary_launch(out, a, b, M, N, ars, acs, brs, bcs, SubF{});
    case cpu::kMul: return binary_launch(out, a, b, M, N, ars, acs, brs, bcs, MulF{});
    case cpu::kDiv: return binary_launch(out, a, b, M, N, ars, acs, brs, bcs, DivF{});
    default: throw std::invalid_argument("unknown binary op code " + std::to_string(op));
  }
}

void scalar_fwd(float* out, const float* x, int64_t n, int op, float s) {
  switch (op) {
    case cpu::kAddS: return scalar_launch(out, x, n, AddS{{}, s});
    case cpu::kMulS: return scalar_launch(out, x, n, MulS{{}, s});
    case cpu::kRsubS: return scalar_launch(out, x, n, RsubS{{}, s});
    case cpu::kRdivS: return scalar_launch(out, x, n, RdivS{{}, s});
    case cpu::kPowS: return scalar_launch(out, x, n, PowS{{}, s});
    default: throw std::invalid_argument("unknown scalar op code " + std::to_string(op));
  }
}

void unary_fwd(float* out, const float* x, int64_t n, int op) {
  switch (op) {
    case cpu::kRelu: return unary_launch(out, x, n, ReluF{});
    case cpu::kSigmoid: return unary_launch(out, x, n, SigmoidF{});
    case cpu::kTanh: return unary_launch(out, x, n, TanhF{});
    case cpu::kExp: return unary_launch(out, x, n, ExpF{});
    case cpu::kLog: return unary_launch(out, x, n, LogF{});
    case cpu::kSoftplus: return unary_launch(out, x, n, SoftplusF{});
    case cpu::kNeg: return unary_launch(out, x, n, NegF{});
    case cpu::kSqrt: return unary_launch(out, x, n, SqrtF{});
    case cpu::kSquare: return unary_launch(out, x, n, SquareF{});
    default: throw std::invalid_argument("unknown unary op code " + std::to_string(op));
  }
}

void unary_bwd(float* dx, const float* dy, const float* x, const float* y, int64_t n, int op) {
  switch (op) {
    case cpu::kRelu: return unary_bwd_launch(dx, dy, x, y, n, op, ReluB{});
    case cpu::kSigmoid: return unary_bwd_launch(dx, dy, x, y, n, op, SigmoidB{});
    case cpu::kTanh: return unary_bwd_launch(dx, dy, x, y, n, op, TanhB{});
    case cpu::kExp: return unary_bwd_launch(dx, dy, x, y, n, op, ExpB{});
    case cpu::kLog: return unary_bwd_launch(dx, dy, x, y, n, op, LogB{});
    case cpu::kSoftplus: return unary_bwd_launch(dx, dy, x, y, n, op, SoftplusB{});
    case cpu::kNeg: return unary_bwd_launch(dx, dy, x, y, n, op, NegB{});
    case cpu::kSqrt: return unary_bwd_launch(dx, dy, x, y, n, op, SqrtB{});
    case cpu::kSquare: return unary_bwd_launch(dx, dy, x, y, n, op, SquareB{});
    default: throw std::invalid_argument("unknown unary op code " + std::to_string(op));
  }
}

}  // namespace neurec::cuda
