#include "allocator.h"

#include <cstdlib>

#include "block_cache.h"

namespace neurec {

namespace {

struct HostRaw {
#ifdef NEUREC_EXACT_ALLOC
  // Exact sizes are not multiples of 64, which aligned_alloc requires.
  static void* alloc(size_t bytes) {
    void* p = nullptr;
    return posix_memalign(&p, 64, bytes) == 0 ? p : nullptr;
  }
#else
  static void* alloc(size_t bytes) { return std::aligned_alloc(64, bytes); }
#endif
  static void free(void* p) { std::free(p); }
};

BlockCache<HostRaw>& cache() {
  // Never destroyed: finalizers may run after static destructors.
  static auto* c = new BlockCache<HostRaw>(cache_limit_from_env("NEUREC_CACHE_MB", 4096));
  return *c;
}

}  // namespace

void* cached_alloc(size_t bytes, size_t* capacity) { return cache().alloc(bytes, capacity); }
void cached_free(void* p, size_t capacity) { cache().free(p, capacity); }
size_t release_cache() { return cache().release(); }
size_t cached_bytes() { return cache().held(); }

}  // namespace neurec
