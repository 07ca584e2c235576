// N-API wrappers for copy_cols, transpose_fwd, sum_fwd, broadcast_fwd. Each output is a storage
// of its own (a column block copied onto itself would overlap its source).
#include "backend.h"
#include "napi_util.h"

// copy_cols(out, x, rows, outCols, outOff, xCols, xOff, len, accumulate)
NR_KERNEL(copy_cols) {
  int64_t rows = a.size(2, "rows"), oc = a.size(3, "outCols"), oo = a.size(4, "outOff");
  int64_t xc = a.size(5, "xCols"), xo = a.size(6, "xOff"), len = a.size(7, "len");
  if (oo + len > oc || xo + len > xc) a.fail_range("column block exceeds the row width");
  int64_t on = a.mul(rows, oc), xn = a.mul(rows, xc);
  backend::copy_cols(a.out_f32(0, "out", on), a.f32(1, "x", xn), rows, oc, oo, xc, xo, len, a.flag(8, "accumulate"));
  return a.undefined();
}

// transpose_fwd(out, x, M, N)
NR_KERNEL(transpose_fwd) {
  int64_t M = a.size(2, "M"), N = a.size(3, "N");
  int64_t MN = a.mul(M, N);
  backend::transpose_fwd(a.out_f32(0, "out", MN), a.f32(1, "x", MN), M, N);
  return a.undefined();
}

// sum_fwd(out, x, outer, R, inner, scale)
NR_KERNEL(sum_fwd) {
  int64_t o = a.size(2, "outer"), R = a.size(3, "R"), in = a.size(4, "inner");
  int64_t on = a.mul(o, in), xn = a.mul(o, R, in);
  backend::sum_fwd(a.out_f32(0, "out", on), a.f32(1, "x", xn), o, R, in, static_cast<float>(a.number(5, "scale")));
  return a.undefined();
}

// broadcast_fwd(out, x, outer, R, inner, scale)
NR_KERNEL(broadcast_fwd) {
  int64_t o = a.size(2, "outer"), R = a.size(3, "R"), in = a.size(4, "inner");
  int64_t on = a.mul(o, R, in), xn = a.mul(o, in);
  backend::broadcast_fwd(a.out_f32(0, "out", on), a.f32(1, "x", xn), o, R, in, static_cast<float>(a.number(5, "scale")));
  return a.undefined();
}
