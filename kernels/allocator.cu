// The caching device allocator (allocator.h) on the shared size-binned BlockCache.
#include <string>

#include "allocator.h"
#include "block_cache.h"
#include "common.cuh"

namespace neurec::cuda {
namespace {

struct DeviceRaw {
  // nullptr on out-of-memory (the cache then frees its blocks and retries); other errors throw.
  static void* alloc(size_t bytes) {
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, bytes);
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // clear the sticky-free error so later checks do not see it
      return nullptr;
    }
    CUDA_CHECK(err);
    return p;
  }
  static void free(void* p) { CUDA_CHECK(cudaFree(p)); }
};

BlockCache<DeviceRaw>& cache() {
  // Never destroyed: finalizers may run after static destructors, and freeing device memory
  // after the CUDA runtime shut down would fail.
  static auto* c = new BlockCache<DeviceRaw>(cache_limit_from_env("NEUREC_CUDA_CACHE_MB", 1 << 20));
  return *c;
}

}  // namespace

void* device_alloc(size_t bytes, size_t* capacity) {
  void* p = cache().alloc(bytes, capacity);
  if (p == nullptr) {
    size_t free_b = 0, total_b = 0;
    cudaMemGetInfo(&free_b, &total_b);
    throw std::runtime_error("out of CUDA memory allocating " + std::to_string(bytes) + " bytes (" +
                             std::to_string(free_b >> 20) + " of " + std::to_string(total_b >> 20) +
                             " MiB free on the device)");
  }
  return p;
}

void device_free(void* p, size_t capacity) { cache().free(p, capacity); }
size_t device_cached_bytes() { return cache().held(); }
size_t device_release_cache() { return cache().release(); }

}  // namespace neurec::cuda
