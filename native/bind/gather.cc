// N-API wrappers for gather_fwd, gather_bwd, coalesce_rows.
#include "backend.h"
#include "napi_util.h"

// gather_fwd(out, table, idx, B, D, R)
NR_KERNEL(gather_fwd) {
  int64_t B = a.size(3, "B"), D = a.size(4, "D"), R = a.size(5, "R");
  int64_t BD = a.mul(B, D), RD = a.mul(R, D);
  backend::gather_fwd(a.out_f32(0, "out", BD), a.f32(1, "table", RD), a.i32(2, "idx", B), B, D, R);
  return a.undefined();
}

// gather_bwd(dtable, dy, idx, B, D, R): dtable += scatter(dy)
NR_KERNEL(gather_bwd) {
  int64_t B = a.size(3, "B"), D = a.size(4, "D"), R = a.size(5, "R");
  int64_t BD = a.mul(B, D), RD = a.mul(R, D);
  backend::gather_bwd(a.out_f32(0, "dtable", RD), a.f32(1, "dy", BD), a.i32(2, "idx", B), B, D, R);
  return a.undefined();
}

// coalesce_rows(outRows, outVals, rows, vals, B, D) -> U
NR_KERNEL(coalesce_rows) {
  int64_t B = a.size(4, "B"), D = a.size(5, "D");
  int64_t BD = a.mul(B, D);
  int64_t U = backend::coalesce_rows(a.out_i32(0, "outRows", B), a.out_f32(1, "outVals", BD), a.i32(2, "rows", B),
                                     a.f32(3, "vals", BD), B, D);
  return Napi::Number::New(a.env, static_cast<double>(U));
}
