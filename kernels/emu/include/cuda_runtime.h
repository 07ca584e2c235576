// Host emulation of the CUDA runtime and device built-ins, for running kernels/*.cu on a
// machine without a GPU (kernels/emu/README.md). Every CUDA thread of a block is a fiber on
// one OS thread; barriers and warp collectives switch fibers (runtime.cc), so blocks and their
// threads run one at a time, deterministically, and a missed barrier is a wrong answer, not a
// flaky one. Device memory is host memory.
#pragma once
#include <math.h>  // ::isnan, ::expf, INFINITY ... as device code spells them

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <type_traits>

// ---- qualifiers: device code is plain C++ here ----
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __constant__
#define __shared__ static  // one block runs at a time, so a function static is the block's copy
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
#define __CUDA_ARCH__ 900  // take the sm_90 paths (the float4 atomicAdd)

struct uint3 { unsigned x = 0, y = 0, z = 0; };
struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct alignas(8) float2 { float x, y; };
struct alignas(16) float4 { float x, y, z, w; };
inline float2 make_float2(float a, float b) { return {a, b}; }
inline float4 make_float4(float a, float b, float c, float d) { return {a, b, c, d}; }
constexpr int warpSize = 32;

// ---- the scheduler's interface (runtime.cc) ----
namespace emu {
struct Thread {  // one CUDA thread (a fiber in runtime.cc)
  uint3 idx;      // threadIdx
  unsigned lane;  // lane in its warp
  unsigned warp;
  int state;      // runtime.cc's State
  int op;         // the collective it waits at, its mask and where
  unsigned mask;
  const char* file;
  int line;
  uint64_t value;  // what it contributes to a vote or a __syncthreads_count
};
extern Thread* g_cur;  // the running CUDA thread
extern uint3 g_block_idx;
extern dim3 g_block_dim, g_grid_dim;

// Runs body for every thread of every block; reports a bad configuration as CUDA would (the
// launch is skipped and cudaGetLastError returns cudaErrorInvalidConfiguration).
void launch(const char* site, dim3 grid, dim3 block, size_t dyn_smem, const std::function<void()>& body);
// Inserted by pre.py at the top of every kernel: names the kernel and checks __launch_bounds__.
void kernel_entry(const char* name, int max_threads);
// Inserted by pre.py after every __shared__ declaration: the first thread of a block to get
// there poisons the array (0xFF bytes: NaN floats, -1 ints), and its size counts towards 48 KB.
void shared_decl(void* p, size_t bytes);
void* dynamic_smem();
void syncthreads(const char* file, int line);
int syncthreads_reduce(int pred, int op, const char* file, int line);  // op 0 count, 1 and, 2 or
void syncwarp(const char* file, int line, unsigned mask = 0xffffffffu);
// Warp exchange: lane l publishes v, then gets the value of lane src(l) (own value if src < 0).
// All 32 lanes of the warp must take part (asserted), with the same mask.
uint64_t warp_exchange(uint64_t v, int src, unsigned mask, const char* file, int line);
inline unsigned lane_id() { return g_cur->lane; }
size_t device_bytes_live();  // cudaMalloc'd and not freed
}  // namespace emu

#define threadIdx (::emu::g_cur->idx)
#define blockIdx (::emu::g_block_idx)
#define blockDim (::emu::g_block_dim)
#define gridDim (::emu::g_grid_dim)
#define __syncthreads() ::emu::syncthreads(__FILE__, __LINE__)
#define __syncthreads_count(p) ::emu::syncthreads_reduce(!!(p), 0, __FILE__, __LINE__)
#define __syncthreads_and(p) ::emu::syncthreads_reduce(!!(p), 1, __FILE__, __LINE__)
#define __syncthreads_or(p) ::emu::syncthreads_reduce(!!(p), 2, __FILE__, __LINE__)
#define __syncwarp(...) ::emu::syncwarp(__FILE__, __LINE__ __VA_OPT__(, ) __VA_ARGS__)

// ---- warp shuffles and votes (width as CUDA: lanes in segments of `width`) ----
namespace emu {
template <class T>
T shfl_from(const char* file, int line, unsigned mask, T v, int src) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffle of a type wider than 64 bits");
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  bits = warp_exchange(bits, src, mask, file, line);
  T r;
  std::memcpy(&r, &bits, sizeof(T));
  return r;
}
inline int seg_lane(int w, int target) {  // target if in this lane's segment of w lanes, else -1 (own value)
  const int base = static_cast<int>(lane_id()) & ~(w - 1);
  return target >= base && target < base + w ? target : -1;
}
template <class T> T shfl(const char* f, int l, unsigned m, T v, int src, int w = 32) {
  return shfl_from(f, l, m, v, (static_cast<int>(lane_id()) & ~(w - 1)) + (src & (w - 1)));
}
template <class T> T shfl_up(const char* f, int l, unsigned m, T v, unsigned d, int w = 32) {
  return shfl_from(f, l, m, v, seg_lane(w, static_cast<int>(lane_id()) - static_cast<int>(d)));
}
template <class T> T shfl_down(const char* f, int l, unsigned m, T v, unsigned d, int w = 32) {
  return shfl_from(f, l, m, v, seg_lane(w, static_cast<int>(lane_id()) + static_cast<int>(d)));
}
template <class T> T shfl_xor(const char* f, int l, unsigned m, T v, int x, int w = 32) {
  return shfl_from(f, l, m, v, seg_lane(w, static_cast<int>(lane_id()) ^ x));
}
unsigned ballot(const char* file, int line, unsigned mask, bool pred);
}  // namespace emu
#define __shfl_sync(...) ::emu::shfl(__FILE__, __LINE__, __VA_ARGS__)
#define __shfl_up_sync(...) ::emu::shfl_up(__FILE__, __LINE__, __VA_ARGS__)
#define __shfl_down_sync(...) ::emu::shfl_down(__FILE__, __LINE__, __VA_ARGS__)
#define __shfl_xor_sync(...) ::emu::shfl_xor(__FILE__, __LINE__, __VA_ARGS__)
#define __ballot_sync(m, p) ::emu::ballot(__FILE__, __LINE__, m, !!(p))
#define __any_sync(m, p) (::emu::ballot(__FILE__, __LINE__, m, !!(p)) != 0u)
#define __all_sync(m, p) (::emu::ballot(__FILE__, __LINE__, m, !!(p)) == (m))

// ---- atomics: fibers never interleave inside one, so plain read-modify-writes are atomic ----
template <class T> T atomicAdd(T* p, T v) { T o = *p; *p = o + v; return o; }
inline float4 atomicAdd(float4* p, float4 v) {  // sm_90
  const float4 o = *p;
  *p = make_float4(o.x + v.x, o.y + v.y, o.z + v.z, o.w + v.w);
  return o;
}
inline float2 atomicAdd(float2* p, float2 v) {
  const float2 o = *p;
  *p = make_float2(o.x + v.x, o.y + v.y);
  return o;
}
template <class T> T atomicSub(T* p, T v) { T o = *p; *p = o - v; return o; }
template <class T> T atomicExch(T* p, T v) { T o = *p; *p = v; return o; }
template <class T> T atomicMin(T* p, T v) { T o = *p; *p = v < o ? v : o; return o; }
template <class T> T atomicMax(T* p, T v) { T o = *p; *p = v > o ? v : o; return o; }
template <class T> T atomicAnd(T* p, T v) { T o = *p; *p = o & v; return o; }
template <class T> T atomicOr(T* p, T v) { T o = *p; *p = o | v; return o; }
template <class T> T atomicXor(T* p, T v) { T o = *p; *p = o ^ v; return o; }
template <class T> T atomicCAS(T* p, T cmp, T v) { T o = *p; if (o == cmp) *p = v; return o; }

// ---- intrinsics ----
template <class T> inline T __ldg(const T* p) { return *p; }
// Explicitly rounded operations: never contracted (this build has no FMA contraction anyway).
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
inline unsigned __float_as_uint(float x) { unsigned u; std::memcpy(&u, &x, 4); return u; }
inline int __float_as_int(float x) { int u; std::memcpy(&u, &x, 4); return u; }
inline float __uint_as_float(unsigned u) { float x; std::memcpy(&x, &u, 4); return x; }
inline float __int_as_float(int u) { float x; std::memcpy(&x, &u, 4); return x; }
inline int __clz(unsigned x) { return x ? __builtin_clz(x) : 32; }
inline int __clzll(unsigned long long x) { return x ? __builtin_clzll(x) : 64; }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  return __builtin_bswap32(x);
}
// The fast-math forms: the full-precision ones here (the GPU's are less accurate).
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float rsqrtf(float x) { return 1.f / sqrtf(x); }
inline float __saturatef(float x) { return x < 0.f ? 0.f : x > 1.f ? 1.f : x; }

// ---- runtime API ----
enum cudaError_t : int {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
};
enum cudaMemcpyKind : int {
  cudaMemcpyHostToHost = 0, cudaMemcpyHostToDevice = 1, cudaMemcpyDeviceToHost = 2, cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};
enum cudaDeviceAttr : int {
  cudaDevAttrMaxThreadsPerBlock = 1, cudaDevAttrMaxSharedMemoryPerBlock = 8, cudaDevAttrMultiProcessorCount = 16,
  cudaDevAttrMaxSharedMemoryPerBlockOptin = 97,
};
enum cudaFuncAttribute : int { cudaFuncAttributeMaxDynamicSharedMemorySize = 8 };
struct CUstream_st;
typedef CUstream_st* cudaStream_t;
#define cudaStreamPerThread (reinterpret_cast<cudaStream_t>(0x2))

const char* cudaGetErrorName(cudaError_t e);
const char* cudaGetErrorString(cudaError_t e);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
cudaError_t cudaMalloc(void** p, size_t bytes);  // 256-byte aligned, poisoned with 0xFF bytes
cudaError_t cudaFree(void* p);
cudaError_t cudaMemGetInfo(size_t* free_b, size_t* total_b);
inline cudaError_t cudaMemcpyAsync(void* d, const void* s, size_t n, cudaMemcpyKind, cudaStream_t = nullptr) {
  if (n) std::memmove(d, s, n);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpy(void* d, const void* s, size_t n, cudaMemcpyKind k) { return cudaMemcpyAsync(d, s, n, k); }
inline cudaError_t cudaMemsetAsync(void* d, int v, size_t n, cudaStream_t = nullptr) {
  if (n) std::memset(d, v, n);
  return cudaSuccess;
}
inline cudaError_t cudaMemset(void* d, int v, size_t n) { return cudaMemsetAsync(d, v, n); }
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }  // launches are synchronous
inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
inline cudaError_t cudaGetDevice(int* d) { *d = 0; return cudaSuccess; }
cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr a, int dev);  // an H100's values
template <class F> cudaError_t cudaFuncSetAttribute(F*, cudaFuncAttribute, int) { return cudaSuccess; }
// A __device__ variable is a host global here.
template <class T> cudaError_t cudaGetSymbolAddress(void** p, T& sym) { *p = &sym; return cudaSuccess; }
template <class T>
cudaError_t cudaMemcpyFromSymbol(void* d, const T& sym, size_t n, size_t off = 0, cudaMemcpyKind = cudaMemcpyDeviceToHost) {
  std::memcpy(d, reinterpret_cast<const char*>(&sym) + off, n);
  return cudaSuccess;
}
template <class T>
cudaError_t cudaMemcpyToSymbol(T& sym, const void* s, size_t n, size_t off = 0, cudaMemcpyKind = cudaMemcpyHostToDevice) {
  std::memcpy(reinterpret_cast<char*>(&sym) + off, s, n);
  return cudaSuccess;
}
