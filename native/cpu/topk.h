// Top-k per row: rank every item for a batch of users, optionally skipping the items each user
// has already seen. Forward only (selection has no useful gradient).
#pragma once
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace neurec::cpu {

// values (N,k), indices (N,k) int32 = the k largest of each row of scores (N,C), descending;
// equal scores go to the lower column first. exclPtr (N+1) int32 and exclIdx (nnz) int32 are an
// optional CSR exclusion set (both null, or both given): row r never returns the columns
// exclIdx[exclPtr[r] .. exclPtr[r+1]) (any order, repeats allowed). NaN ranks below every
// number, -Infinity included: a NaN is returned only when a row has fewer than k eligible
// numbers, after them, lower column first. Slots past a row's eligible count get -Infinity and
// index -1. Throws std::out_of_range naming the row and value for a bad exclusion pointer or
// index, std::invalid_argument for k > C.
void topk_fwd(float* values, int32_t* indices, const float* scores, const int32_t* exclPtr, const int32_t* exclIdx,
              int64_t N, int64_t C, int64_t k, int64_t nnz);

// topk_fwd's argument checks on sizes (the exclude lists themselves are checked where they
// live: on the host by the CPU kernel, on the device by the CUDA one); shared by both.
inline void check_topk_args(const int32_t* exclPtr, const int32_t* exclIdx, int64_t C, int64_t k) {
  if (k > C)
    throw std::invalid_argument("k = " + std::to_string(k) + " is larger than the row length C = " + std::to_string(C));
  if (C > std::numeric_limits<int32_t>::max())
    throw std::invalid_argument("rows of " + std::to_string(C) + " columns do not fit int32 indices");
  if ((exclPtr == nullptr) != (exclIdx == nullptr))
    throw std::invalid_argument("exclPtr and exclIdx must both be given or both be null");
}

}  // namespace neurec::cpu
