#include "cpu/elementwise.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "simd.h"
#include "threadpool.h"
#include "vmath.h"

namespace neurec::cpu {
namespace {

constexpr int64_t kGrain = 1 << 15;  // elements per thread below which a loop runs inline

template <class F>
NR_VECTORIZE inline void loop_same(float* out, const float* a, const float* b, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
}

// out = f(a, s) for a scalar s (a loss's saved gradient times the upstream scalar, say).
template <class F>
NR_VECTORIZE inline void loop_scalar_b(float* out, const float* a, float s, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], s);
}

template <class F>
void binary_rows(float* out, const float* a, const float* b, int64_t i0, int64_t i1, int64_t N, int64_t ars,
                 int64_t acs, int64_t brs, int64_t bcs, F f) {
  for (int64_t i = i0; i < i1; ++i) {
    float* o = out + i * N;
    const float* ar = a + i * ars;
    const float* br = b + i * brs;
    if (acs == 1 && bcs == 1) {
      loop_same(o, ar, br, N, f);
    } else if (acs == 1 && bcs == 0) {
      loop_scalar_b(o, ar, *br, N, f);
    } else if (acs == 0 && bcs == 1) {
      float av = *ar;
      for (int64_t j = 0; j < N; ++j) o[j] = f(av, br[j]);
    } else {
      for (int64_t j = 0; j < N; ++j) o[j] = f(ar[j * acs], br[j * bcs]);
    }
  }
}

template <class F>
void binary_dispatch(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t ars, int64_t acs,
                     int64_t brs, int64_t bcs, F f) {
  if (ars == N && acs == 1 && brs == N && bcs == 1) {  // same shape: one flat loop
    parallel_for(M * N, kGrain, [&](int64_t s, int64_t e) { loop_same(out + s, a + s, b + s, e - s, f); });
    return;
  }
  if (M == 1) {  // one long row (a vector and a scalar): split it by columns
    parallel_for(N, kGrain, [&](int64_t s, int64_t e) {
      binary_rows(out + s, a + s * acs, b + s * bcs, 0, 1, e - s, ars, acs, brs, bcs, f);
    });
    return;
  }
  int64_t grain_rows = std::max<int64_t>(1, kGrain / std::max<int64_t>(1, N));
  parallel_for(M, grain_rows, [&](int64_t s, int64_t e) { binary_rows(out, a, b, s, e, N, ars, acs, brs, bcs, f); });
}

NR_VECTORIZE void scalar_range(float* out, const float* x, int64_t n, int op, float s) {
  switch (op) {
    case kAddS: for (int64_t i = 0; i < n; ++i) out[i] = x[i] + s; break;
    case kMulS: for (int64_t i = 0; i < n; ++i) out[i] = x[i] * s; break;
    case kRsubS: for (int64_t i = 0; i < n; ++i) out[i] = s - x[i]; break;
    case kRdivS: for (int64_t i = 0; i < n; ++i) out[i] = s / x[i]; break;
    case kPowS: for (int64_t i = 0; i < n; ++i) out[i] = std::pow(x[i], s); break;
    default: throw std::invalid_argument("unknown scalar op code " + std::to_string(op));
  }
}

inline float sigmoidf(float v) { return vmath::sigmoid_s(v); }
// log(1 + e^v) without overflow.
inline float softplusf(float v) { return vmath::softplus_s(v); }

NR_VECTORIZE void unary_range(float* out, const float* x, int64_t n, int op) {
  switch (op) {
    case kRelu: for (int64_t i = 0; i < n; ++i) out[i] = x[i] > 0.f ? x[i] : 0.f; break;
    case kSigmoid: for (int64_t i = 0; i < n; ++i) out[i] = sigmoidf(x[i]); break;
    case kTanh: for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(x[i]); break;
    case kExp: for (int64_t i = 0; i < n; ++i) out[i] = std::exp(x[i]); break;
    case kLog: for (int64_t i = 0; i < n; ++i) out[i] = std::log(x[i]); break;
    case kSoftplus: for (int64_t i = 0; i < n; ++i) out[i] = softplusf(x[i]); break;
    case kNeg: for (int64_t i = 0; i < n; ++i) out[i] = -x[i]; break;
    case kSqrt: for (int64_t i = 0; i < n; ++i) out[i] = std::sqrt(x[i]); break;
    case kSquare: for (int64_t i = 0; i < n; ++i) out[i] = x[i] * x[i]; break;
    default: throw std::invalid_argument("unknown unary op code " + std::to_string(op));
  }
}

NR_VECTORIZE void unary_bwd_range(float* dx, const float* dy, const float* x, const float* y, int64_t n, int op) {
  switch (op) {
    case kRelu: for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.f ? dy[i] : 0.f; break;
    case kSigmoid: for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.f - y[i]); break;
    case kTanh: for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.f - y[i] * y[i]); break;
    case kExp: for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i]; break;
    case kLog: for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] / x[i]; break;
    case kSoftplus: for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * sigmoidf(x[i]); break;
    case kNeg: for (int64_t i = 0; i < n; ++i) dx[i] = -dy[i]; break;
    case kSqrt: for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * 0.5f / y[i]; break;
    case kSquare: for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * 2.f * x[i]; break;
    default: throw std::invalid_argument("unknown unary op code " + std::to_string(op));
  }
}

#if NR_HAVE_X86
// dx = dy·sigmoid(x): softplus's derivative. Sigmoid goes through a small buffer, so dx may
// alias dy or x as in the scalar loop.
NR_AVX2 void softplus_bwd_avx2(float* dx, const float* dy, const float* x, int64_t n) {
  alignas(32) float s[vmath::avx2::kStageBlock];
  for (int64_t b = 0; b < n; b += vmath::avx2::kStageBlock) {
    const int64_t cnt = std::min(vmath::avx2::kStageBlock, n - b);
    vmath::avx2::sigmoid_n(s, x + b, cnt);
    for (int64_t j = 0; j < cnt; ++j) dx[b + j] = dy[b + j] * s[j];
  }
}

// The transcendental unary ops on vmath.h's AVX2 forms; false for the others.
bool unary_avx2(float* out, const float* x, int64_t n, int op) {
  void (*f)(float*, const float*, int64_t) = nullptr;
  switch (op) {
    case kSigmoid: f = vmath::avx2::sigmoid_n; break;
    case kTanh: f = vmath::avx2::tanh_n; break;
    case kExp: f = vmath::avx2::exp_n; break;
    case kLog: f = vmath::avx2::log_n; break;
    case kSoftplus: f = vmath::avx2::softplus_n; break;
    default: return false;
  }
  parallel_for(n, kGrain / 4, [&](int64_t b, int64_t e) { f(out + b, x + b, e - b); });
  return true;
}
#endif

}  // namespace

void binary_fwd(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t ars, int64_t acs,
                int64_t brs, int64_t bcs, int op) {
  if (op < kAdd || op > kDiv) throw std::invalid_argument("unknown binary op code " + std::to_string(op));
  if (M == 0 || N == 0) return;  // nothing to write (and no loop over the other size)
  switch (op) {
    case kAdd: return binary_dispatch(out, a, b, M, N, ars, acs, brs, bcs, [](float x, float y) { return x + y; });
    case kSub: return binary_dispatch(out, a, b, M, N, ars, acs, brs, bcs, [](float x, float y) { return x - y; });
    case kMul: return binary_dispatch(out, a, b, M, N, ars, acs, brs, bcs, [](float x, float y) { return x * y; });
    case kDiv: return binary_dispatch(out, a, b, M, N, ars, acs, brs, bcs, [](float x, float y) { return x / y; });
    default: throw std::invalid_argument("unknown binary op code " + std::to_string(op));
  }
}

void scalar_fwd(float* out, const float* x, int64_t n, int op, float s) {
  if (op < kAddS || op > kPowS) throw std::invalid_argument("unknown scalar op code " + std::to_string(op));
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) { scalar_range(out + b, x + b, e - b, op, s); });
}

void unary_fwd(float* out, const float* x, int64_t n, int op) {
  if (op < kRelu || op > kSquare) throw std::invalid_argument("unknown unary op code " + std::to_string(op));
#if NR_HAVE_X86
  if (cpu_has_avx2_fma() && unary_avx2(out, x, n, op)) return;
#endif
  parallel_for(n, kGrain / 4, [&](int64_t b, int64_t e) { unary_range(out + b, x + b, e - b, op); });
}

void unary_bwd(float* dx, const float* dy, const float* x, const float* y, int64_t n, int op) {
  if (op < kRelu || op > kSquare) throw std::invalid_argument("unknown unary op code " + std::to_string(op));
#if NR_HAVE_X86
  if (op == kSoftplus && cpu_has_avx2_fma()) {
    parallel_for(n, kGrain / 4, [&](int64_t b, int64_t e) { softplus_bwd_avx2(dx + b, dy + b, x + b, e - b); });
    return;
  }
#endif
  parallel_for(n, kGrain / 4, [&](int64_t b, int64_t e) {
    unary_bwd_range(dx + b, dy + b, x ? x + b : nullptr, y ? y + b : nullptr, e - b, op);
  });
}

}  // namespace neurec::cpu
