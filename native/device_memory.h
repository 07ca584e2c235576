// Where a Storage's bytes live. storage.cc is shared by both addons and touches memory only
// through these calls: native/memory_cpu.cc implements them with the caching host allocator,
// kernels/memory_cuda.cu with the caching device allocator and cudaMemcpy. Failures throw
// std::runtime_error with what and where; storage.cc turns them into JS Errors.
#pragma once
#include <js_native_api_types.h>

#include <cstddef>
#include <cstdint>

namespace neurec::mem {

// "cpu" or "cuda": named in error messages ("expected a cuda tensor storage").
const char* device_name();
// Tags this addon's Storage objects, so a handle from the other addon is rejected, never
// dereferenced on the wrong device.
const napi_type_tag* storage_tag();

// A block of at least `bytes` (64-byte aligned on the host, 256 on the device); *capacity
// receives its size class, to hand back to release(). nullptr when out of memory.
void* alloc(size_t bytes, size_t* capacity);
void release(void* p, size_t capacity);
void upload(void* dst, const void* host_src, size_t bytes);
void download(void* host_dst, const void* src, size_t bytes);
void copy(void* dst, const void* src, size_t bytes);
// n 32-bit words set to `bits` (a float's or an int's bit pattern).
void fill32(void* p, uint32_t bits, int64_t n);
size_t cached_bytes();
size_t release_cache();

}  // namespace neurec::mem
