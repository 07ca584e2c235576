// N-API wrapper for topk_fwd.
#include "backend.h"
#include "napi_util.h"

// topk_fwd(values, indices, scores, exclPtr | null, exclIdx | null, N, C, k, nnz)
NR_KERNEL(topk_fwd) {
  int64_t N = a.size(5, "N"), C = a.size(6, "C"), k = a.size(7, "k"), nnz = a.size(8, "nnz");
  int64_t Nk = a.mul(N, k), NC = a.mul(N, C);
  backend::topk_fwd(a.out_f32(0, "values", Nk), a.out_i32(1, "indices", Nk), a.f32(2, "scores", NC),
                    a.i32_opt(3, "exclPtr", N + 1), a.i32_opt(4, "exclIdx", nnz), N, C, k, nnz);
  return a.undefined();
}
