// Caching device allocator: freed blocks go to size-binned free lists and are handed out
// again, so a training loop's steady state makes no cudaMalloc/cudaFree calls (each one
// synchronises the device). All work runs on one stream (common.cuh), so a freed block can
// be reused at once: later kernels are ordered after the ones that used it.
#pragma once
#include <cstddef>

namespace neurec::cuda {

// A 256-byte aligned device block of at least `bytes`; *capacity gets its size class.
// Throws std::runtime_error naming the size when the device is out of memory.
void* device_alloc(size_t bytes, size_t* capacity);
void device_free(void* p, size_t capacity);
size_t device_cached_bytes();
size_t device_release_cache();

// Temporary device memory for one launcher call (a reduction's partial sums, a sort's
// buffers), returned to the cache when it goes out of scope.
class ScratchBuffer {
 public:
  explicit ScratchBuffer(size_t bytes) : p_(bytes ? device_alloc(bytes, &cap_) : nullptr) {}
  ~ScratchBuffer() {
    if (p_) device_free(p_, cap_);
  }
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  template <typename T>
  T* as() const {
    return static_cast<T*>(p_);
  }

 private:
  size_t cap_ = 0;
  void* p_;
};

}  // namespace neurec::cuda
