// The CPU addon's storage memory: the caching host allocator and memcpy.
#include <node_api.h>

#include <algorithm>
#include <cstring>

#include "allocator.h"
#include "device_memory.h"

namespace neurec::mem {

const char* device_name() { return "cpu"; }

const napi_type_tag* storage_tag() {
  static const napi_type_tag tag = {0x6e657572656331ULL, 0x73746f7261676531ULL};
  return &tag;
}

void* alloc(size_t bytes, size_t* capacity) { return cached_alloc(bytes, capacity); }
void release(void* p, size_t capacity) { cached_free(p, capacity); }
void upload(void* dst, const void* host_src, size_t bytes) { std::memcpy(dst, host_src, bytes); }
void download(void* host_dst, const void* src, size_t bytes) { std::memcpy(host_dst, src, bytes); }
void copy(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
void fill32(void* p, uint32_t bits, int64_t n) { std::fill_n(static_cast<uint32_t*>(p), n, bits); }
size_t cached_bytes() { return neurec::cached_bytes(); }
size_t release_cache() { return neurec::release_cache(); }

}  // namespace neurec::mem
