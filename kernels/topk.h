// Top-k per row on the device: rank every item for a batch of users, optionally skipping the
// items each user has already seen. Same signature as native/cpu/topk.h; every pointer is a
// device pointer. Forward only.
#pragma once
#include <cstdint>

namespace neurec::cuda {

// values (N,k), indices (N,k) int32 = the k largest of each row of scores (N,C), descending;
// equal scores go to the lower column first. exclPtr (N+1) int32 and exclIdx (nnz) int32 are an
// optional CSR exclusion set (both null, or both given): row r never returns the columns
// exclIdx[exclPtr[r] .. exclPtr[r+1]) (any order, repeats allowed). NaN ranks below every
// number, -Infinity included: a NaN is returned only when a row has fewer than k eligible
// numbers, after them, lower column first. Slots past a row's eligible count get -Infinity and
// index -1. A bad exclusion pointer or index is reported at the next sync (the pointer's row is
// ranked without exclusions; the bad index is skipped). Throws std::invalid_argument for k > C
// and for k > 1024 (the CUDA kernel's limit).
void topk_fwd(float* values, int32_t* indices, const float* scores, const int32_t* exclPtr, const int32_t* exclIdx,
              int64_t N, int64_t C, int64_t k, int64_t nnz);

}  // namespace neurec::cuda
