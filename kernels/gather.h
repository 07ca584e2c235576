// Embedding lookups on the device: gather rows by int32 index, the backward scatter-add of rows,
// and the coalescing of sparse row gradients. Same signatures as native/cpu/gather.h; every
// pointer is a device pointer.
#pragma once
#include <cstdint>

namespace neurec::cuda {

// out (B,D) = table (R,D)[idx (B)]; an index out of range is reported at the next sync (naming
// the first bad index found) and its output row is written as zeros.
void gather_fwd(float* out, const float* table, const int32_t* idx, int64_t B, int64_t D, int64_t R);
// dtable (R,D) += dy (B,D) scattered by idx (B), with atomic adds (the order of adds into a
// shared row varies); an index out of range is reported at the next sync and skipped.
void gather_bwd(float* dtable, const float* dy, const int32_t* idx, int64_t B, int64_t D, int64_t R);
// Sums rows of vals (B,D) that share a row id: out_rows (U) ascending unique ids, out_vals
// (U,D) their sums, each added in input order (bit-for-bit the CPU's). Returns U (synchronises
// the stream to read it).
int64_t coalesce_rows(int32_t* out_rows, float* out_vals, const int32_t* rows, const float* vals, int64_t B, int64_t D);

}  // namespace neurec::cuda
