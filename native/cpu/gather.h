// Embedding lookups: gather rows by int32 index, and the backward scatter-add of rows.
#pragma once
#include <cstdint>

namespace neurec::cpu {

// out (B,D) = table (R,D)[idx (B)]; throws std::out_of_range naming the first bad index.
void gather_fwd(float* out, const float* table, const int32_t* idx, int64_t B, int64_t D, int64_t R);
// dtable (R,D) += dy (B,D) scattered by idx (B); threads own disjoint row ranges, so no atomics.
void gather_bwd(float* dtable, const float* dy, const int32_t* idx, int64_t B, int64_t D, int64_t R);
// Sums rows of vals (B,D) that share a row id: out_rows (U) ascending unique ids, out_vals
// (U,D) their sums. Returns U. Used to coalesce sparse row gradients.
int64_t coalesce_rows(int32_t* out_rows, float* out_vals, const int32_t* rows, const float* vals, int64_t B, int64_t D);

}  // namespace neurec::cpu
