// The CUDA addon's storage memory (native/device_memory.h): the caching device allocator,
// copies on the one stream, and a check of the device error word after every download, so a
// kernel's fault surfaces as an Error at the first read of results.
#include <node_api.h>

#include "allocator.h"
#include "common.cuh"
#include "device_memory.h"

namespace neurec::mem {

using neurec::cuda::stream;

const char* device_name() { return "cuda"; }

const napi_type_tag* storage_tag() {
  static const napi_type_tag tag = {0x6e657572656331ULL, 0x63756461737432ULL};
  return &tag;
}

void* alloc(size_t bytes, size_t* capacity) { return cuda::device_alloc(bytes, capacity); }
void release(void* p, size_t capacity) { cuda::device_free(p, capacity); }

void upload(void* dst, const void* host_src, size_t bytes) {
  // Pageable source: cudaMemcpyAsync stages it, so the JS array may be reused on return.
  CUDA_CHECK(cudaMemcpyAsync(dst, host_src, bytes, cudaMemcpyHostToDevice, stream()));
  CUDA_CHECK(cudaStreamSynchronize(stream()));
}

void download(void* host_dst, const void* src, size_t bytes) {
  CUDA_CHECK(cudaMemcpyAsync(host_dst, src, bytes, cudaMemcpyDeviceToHost, stream()));
  CUDA_CHECK(cudaStreamSynchronize(stream()));
  cuda::throw_if_device_error();
}

void copy(void* dst, const void* src, size_t bytes) {
  CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream()));
}

namespace {
__global__ void fill32_kernel(uint32_t* p, uint32_t bits, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    p[i] = bits;
}
}  // namespace

void fill32(void* p, uint32_t bits, int64_t n) {
  if (n == 0) return;
  if (bits == 0) {
    CUDA_CHECK(cudaMemsetAsync(p, 0, static_cast<size_t>(n) * 4, stream()));
    return;
  }
  fill32_kernel<<<cuda::grid_for(n, 256), 256, 0, stream()>>>(static_cast<uint32_t*>(p), bits, n);
  CUDA_CHECK_LAUNCH("fill32_kernel");
}

size_t cached_bytes() { return cuda::device_cached_bytes(); }
size_t release_cache() { return cuda::device_release_cache(); }

}  // namespace neurec::mem
