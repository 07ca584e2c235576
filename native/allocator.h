// Caching host allocator: freed buffers go to size-binned free lists and are reused, so the
// steady state of a training loop makes no malloc/free calls and, above all, touches no
// fresh pages (a first touch of a new page costs microseconds here; a 16 MB output took
// 50 ms in page faults against 2 ms of work).
#pragma once
#include <cstddef>
#include <cstdint>

namespace neurec {

// A 64-byte aligned block of at least `bytes`; *capacity receives the block's size class.
void* cached_alloc(size_t bytes, size_t* capacity);
// Returns a block from cached_alloc with its capacity; kept for reuse up to the cache limit.
void cached_free(void* p, size_t capacity);
// Frees every cached block; returns the bytes released.
size_t release_cache();
// Bytes currently held in free lists.
size_t cached_bytes();

}  // namespace neurec
