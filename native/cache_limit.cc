// The block caches' byte limit from an environment variable, shared by the CPU addon
// (native/allocator.cc) and the CUDA addon (kernels/allocator.cu), so it lives in neither.
#include <cstdlib>

#include "block_cache.h"

namespace neurec {

size_t cache_limit_from_env(const char* var, long default_mb) {
  const char* env = std::getenv(var);
  long mb = env ? std::atol(env) : default_mb;
  return static_cast<size_t>(mb < 0 ? 0 : mb) << 20;
}

}  // namespace neurec
