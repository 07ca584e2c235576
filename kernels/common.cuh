// Shared by every CUDA kernel file: error checks that name file and line, launch geometry,
// warp/block reductions, and the device-side error word for faults found inside kernels
// (an index out of range), which the host reads at its next synchronisation.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "device_errors.h"

namespace neurec::cuda {

// Throws std::runtime_error "<file>:<line>: <call> failed: <cuda error>"; the N-API wrapper
// adds the kernel id, so the JS Error says what failed and where.
inline void check(cudaError_t err, const char* call, const char* file, int line) {
  if (err == cudaSuccess) return;
  throw std::runtime_error(std::string(file) + ":" + std::to_string(line) + ": " + call +
                           " failed: " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")");
}
#define CUDA_CHECK(call) ::neurec::cuda::check((call), #call, __FILE__, __LINE__)
// After every launch: catches bad configurations at once (asynchronous faults surface at the
// next synchronising call, which is checked too).
#define CUDA_CHECK_LAUNCH(name) ::neurec::cuda::check(cudaGetLastError(), name " launch", __FILE__, __LINE__)

// All work goes to one stream, so the caching allocator may hand a freed block to the next
// tensor at once: stream order guarantees the old kernels are done with it.
inline cudaStream_t stream() { return cudaStreamPerThread; }

constexpr int kWarp = 32;

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// float4 paths need 16-byte aligned pointers; a view at an odd offset takes the scalar path.
inline bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

// a / b for a, b >= 0, in 32 bits when both fit (64-bit division is several times slower).
__device__ __forceinline__ int64_t div_nn(int64_t a, int64_t b) {
  if (((a | b) >> 32) == 0) return static_cast<int64_t>(static_cast<uint32_t>(a) / static_cast<uint32_t>(b));
  return a / b;
}

// Blocks for a grid-stride loop over n elements: enough to fill the device, never more than
// the hardware's grid limit.
inline unsigned grid_for(int64_t n, int block, int64_t max_blocks = 65535LL * 32) {
  int64_t g = ceil_div(n, block);
  if (g < 1) g = 1;
  return static_cast<unsigned>(g < max_blocks ? g : max_blocks);
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = kWarp / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
  for (int o = kWarp / 2; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
// `scratch` holds 32 floats of shared memory.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  int lane = threadIdx.x % kWarp, wid = threadIdx.x / kWarp;
  v = warp_sum(v);
  __syncthreads();
  if (lane == 0) scratch[wid] = v;
  __syncthreads();
  int nw = (blockDim.x + kWarp - 1) / kWarp;
  v = threadIdx.x < nw ? scratch[threadIdx.x] : 0.f;
  if (wid == 0) v = warp_sum(v);
  if (threadIdx.x == 0) scratch[0] = v;
  __syncthreads();
  float r = scratch[0];
  __syncthreads();
  return r;
}
__device__ __forceinline__ float block_max(float v, float* scratch) {
  int lane = threadIdx.x % kWarp, wid = threadIdx.x / kWarp;
  v = warp_max(v);
  __syncthreads();
  if (lane == 0) scratch[wid] = v;
  __syncthreads();
  int nw = (blockDim.x + kWarp - 1) / kWarp;
  v = threadIdx.x < nw ? scratch[threadIdx.x] : -INFINITY;
  if (wid == 0) v = warp_max(v);
  if (threadIdx.x == 0) scratch[0] = v;
  __syncthreads();
  float r = scratch[0];
  __syncthreads();
  return r;
}

// Faults found inside a kernel. The first one wins; the host reads and clears it at the next
// download (device_errors.cu), and throws "<kernel>: index <value> out of range [0, <bound>)".
// kRowsNotAscending: value is the row id, bound the one before it.
enum DeviceErrorKind : int { kNoError = 0, kIndexOutOfRange = 1, kLabelOutOfRange = 2, kRowsNotAscending = 3 };
enum DeviceErrorSite : int { kSiteGather = 1, kSiteGatherBwd = 2, kSiteSoftmaxCe = 3, kSiteSparseAdam = 4, kSiteTopk = 5 };
struct DeviceError {
  int kind, site;
  long long value, bound;
};
// The device's error word (device_errors.cu). Launchers pass it to kernels that can fault,
// so no relocatable device code is needed.
DeviceError* device_error_slot();

__device__ __forceinline__ void report_device_error(DeviceError* slot, int kind, int site, long long value,
                                                    long long bound) {
  if (atomicCAS(&slot->kind, 0, kind) == 0) {
    slot->site = site;
    slot->value = value;
    slot->bound = bound;
  }
}


}  // namespace neurec::cuda
