// Size-binned free lists shared by the host allocator (native/allocator.cc) and the device
// allocator (kernels/allocator.cu): freed blocks are kept by size class and handed out again,
// up to a byte limit. `Raw` supplies alloc(bytes) (nullptr when out of memory) and free(p).
#pragma once
#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace neurec {

// Size classes: multiples of 256 B up to 4 KiB, then four steps per power of two (at most 25%
// slack), so tensors of nearby sizes share blocks. 256 keeps device blocks fully aligned for
// vector loads and host blocks on cache lines.
inline size_t block_size_class(size_t bytes) {
#ifdef NEUREC_EXACT_ALLOC
  // The AddressSanitizer build: a block is exactly its tensor, so ASan sees every overrun.
  return bytes == 0 ? 1 : bytes;
#endif
  if (bytes <= 4096) return bytes == 0 ? 256 : (bytes + 255) / 256 * 256;
  size_t p = 4096;
  while (p * 2 < bytes) p *= 2;
  size_t step = p / 4;
  return (bytes + step - 1) / step * step;
}

template <typename Raw>
class BlockCache {
 public:
  explicit BlockCache(size_t limit_bytes) : limit_(limit_bytes) {}

  // A block of at least `bytes`; on a failed allocation the cache is emptied and the
  // allocation retried once, so cached blocks never cause an out-of-memory.
  void* alloc(size_t bytes, size_t* capacity) {
    size_t cls = block_size_class(bytes);
    *capacity = cls;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = lists_.find(cls);
      if (it != lists_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        held_ -= cls;
        return p;
      }
    }
    void* p = Raw::alloc(cls);
    if (p == nullptr && release() > 0) p = Raw::alloc(cls);
    return p;
  }

  void free(void* p, size_t capacity) {
    if (!p) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (held_ + capacity <= limit_) {
        lists_[capacity].push_back(p);
        held_ += capacity;
        return;
      }
    }
    Raw::free(p);
  }

  // Frees every cached block; returns the bytes released.
  size_t release() {
    std::lock_guard<std::mutex> lock(mu_);
    size_t freed = held_;
    for (auto& kv : lists_) {
      for (void* p : kv.second) Raw::free(p);
      kv.second.clear();
    }
    held_ = 0;
    return freed;
  }

  size_t held() {
    std::lock_guard<std::mutex> lock(mu_);
    return held_;
  }

 private:
  std::mutex mu_;
  std::unordered_map<size_t, std::vector<void*>> lists_;
  size_t held_ = 0;
  size_t limit_;
};

// The cache limit in bytes from an environment variable in MiB, else `default_mb`.
size_t cache_limit_from_env(const char* var, long default_mb);

}  // namespace neurec
