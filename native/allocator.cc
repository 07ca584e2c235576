#include "allocator.h"

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace neurec {
namespace {

std::mutex mu;
std::unordered_map<size_t, std::vector<void*>>& lists() {
  static auto* l = new std::unordered_map<size_t, std::vector<void*>>();  // never destroyed: finalizers may run late
  return *l;
}
size_t held = 0;

size_t limit_bytes() {
  static const size_t limit = [] {
    const char* env = std::getenv("NEUREC_CACHE_MB");
    long mb = env ? std::atol(env) : 4096;
    return static_cast<size_t>(mb < 0 ? 0 : mb) << 20;
  }();
  return limit;
}

// Size classes: multiples of 64 B up to 4 KiB, then four steps per power of two (at most 25%
// slack), so tensors of nearby sizes share blocks.
size_t size_class(size_t bytes) {
  if (bytes <= 4096) return bytes == 0 ? 64 : (bytes + 63) / 64 * 64;
  size_t p = 4096;
  while (p * 2 < bytes) p *= 2;
  size_t step = p / 4;
  return (bytes + step - 1) / step * step;
}

}  // namespace

void* cached_alloc(size_t bytes, size_t* capacity) {
  size_t cls = size_class(bytes);
  *capacity = cls;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = lists().find(cls);
    if (it != lists().end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      held -= cls;
      return p;
    }
  }
  return std::aligned_alloc(64, cls);
}

void cached_free(void* p, size_t capacity) {
  if (!p) return;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (held + capacity <= limit_bytes()) {
      lists()[capacity].push_back(p);
      held += capacity;
      return;
    }
  }
  std::free(p);
}

size_t release_cache() {
  std::lock_guard<std::mutex> lock(mu);
  size_t freed = held;
  for (auto& kv : lists()) {
    for (void* p : kv.second) std::free(p);
    kv.second.clear();
  }
  held = 0;
  return freed;
}

size_t cached_bytes() {
  std::lock_guard<std::mutex> lock(mu);
  return held;
}

}  // namespace neurec
