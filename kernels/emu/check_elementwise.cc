// elementwise.cu against native/cpu/elementwise.cc: every binary op on flat, broadcast and
// strided operands, scalar ops, unary ops and their backward, aligned and offset by a float.
#include "check.h"
#include "cpu/elementwise.h"
#include "elementwise.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

// An operand of an (M,N) op: its extent and strides, as a layout name.
struct Layout {
  const char* name;
  int64_t rows, cols, rs, cs;  // storage (rows, cols); element (i,j) at i*rs + j*cs
};
Layout layout(const char* kind, int64_t M, int64_t N) {
  const std::string k = kind;
  if (k == "full") return {kind, M, N, N, 1};
  if (k == "row") return {kind, 1, N, 0, 1};    // a row broadcast down M (a bias)
  if (k == "col") return {kind, M, 1, 1, 0};    // a column broadcast along N
  if (k == "scalar") return {kind, 1, 1, 0, 0};
  if (k == "padded") return {kind, M, N + 4, N + 4, 1};  // a view of the first N of N + 4 columns
  if (k == "strided") return {kind, M, 2 * N, 2 * N, 2};  // every other column
  return {kind, N, M, 1, M};                    // "trans": a transposed (N,M) matrix
}

void binary(int64_t M, int64_t N, const char* ka, const char* kb, int op, int off) {
  const Layout la = layout(ka, M, N), lb = layout(kb, M, N);
  // off 0: all aligned, 1: all offset by a float, 2: only b offset
  F a(la.rows * la.cols, off == 1), b(lb.rows * lb.cols, off != 0), out(M * N, off == 1), ref(M * N);
  a.uniform(-2, 2);
  b.uniform(-2, 2);
  if (op == cpu::kDiv && b.n > 2) b[1] = 0.f, b[b.n - 1] = -0.f;  // inf and NaN results too
  const std::string what = fmt("binary_fwd op=%d (%lld,%lld) a=%s b=%s off=%d", op, (long long)M, (long long)N, ka, kb, off);
  run(what, [&] {
    cpu::binary_fwd(ref.p, a.p, b.p, M, N, la.rs, la.cs, lb.rs, lb.cs, op);
    cuda::binary_fwd(out.p, a.p, b.p, M, N, la.rs, la.cs, lb.rs, lb.cs, op);
    same(what, out, ref);  // one IEEE operation per element: bit for bit
  });
}

void scalar(int64_t n, int op, float s, int off) {
  F x(n, off), out(n, off), ref(n);
  x.uniform(-3, 3);
  if (n > 1) x[0] = 0.f;
  const std::string what = fmt("scalar_fwd op=%d s=%g n=%lld off=%d", op, s, (long long)n, off);
  run(what, [&] {
    cpu::scalar_fwd(ref.p, x.p, n, op, s);
    cuda::scalar_fwd(out.p, x.p, n, op, s);
    close(what, out, ref, 0, op == cpu::kPowS ? 4e-7 : 0);  // CUDA's powf is within 2 ulp
  });
}

// Inputs in the op's domain, with a few edges (0, large magnitudes) where they mean something.
void domain(F& x, int op) {
  const bool positive = op == cpu::kLog || op == cpu::kSqrt;
  x.uniform(positive ? 0.01 : -4, 4);
  if (x.n > 4 && !positive) x[1] = 0.f, x[2] = 95.f, x[3] = -95.f;  // exp overflow, sigmoid/softplus tails
  if (x.n > 4 && positive) x[1] = 0.f;                             // log 0 = -inf, sqrt 0
}
// transcendental ops: the CPU's AVX2 approximations against libm (the GPU: CUDA's libdevice)
double unary_rtol(int op) { return op == cpu::kRelu || op == cpu::kNeg || op == cpu::kSquare || op == cpu::kSqrt ? 0 : 4e-6; }

void unary(int64_t n, int op, int off) {
  F x(n, off), out(n, off), ref(n);
  domain(x, op);
  const std::string what = fmt("unary_fwd op=%d n=%lld off=%d", op, (long long)n, off);
  run(what, [&] {
    cpu::unary_fwd(ref.p, x.p, n, op);
    cuda::unary_fwd(out.p, x.p, n, op);
    close(what, out, ref, 1e-30, unary_rtol(op));
  });
}

void unary_bwd(int64_t n, int op, int off) {
  F x(n, off), dy(n, off), y(n, off), dx(n, off), ref(n);
  domain(x, op);
  dy.uniform(-1, 1);
  cpu::unary_fwd(y.p, x.p, n, op);
  // Only the input the op's derivative reads is passed; the other is null, as the engine does.
  const bool needs_y = op == cpu::kSigmoid || op == cpu::kTanh || op == cpu::kExp || op == cpu::kSqrt;
  const bool needs_x = op == cpu::kRelu || op == cpu::kLog || op == cpu::kSoftplus || op == cpu::kSquare;
  const float* xp = needs_x ? x.p : nullptr;
  const float* yp = needs_y ? y.p : nullptr;
  const std::string what = fmt("unary_bwd op=%d n=%lld off=%d", op, (long long)n, off);
  run(what, [&] {
    cpu::unary_bwd(ref.p, dy.p, xp, yp, n, op);
    cuda::unary_bwd(dx.p, dy.p, xp, yp, n, op);
    // tanh's 1 - y·y: the CPU's build fuses it into an FMA (as nvcc would), this one does not
    close(what, dx, ref, op == cpu::kTanh ? 2e-7 : 1e-30, op == cpu::kSoftplus ? 4e-6 : 0);
  });
}

// In place (out is the first input), as the engine's x op= y: each element is read before it
// is written, by the same thread.
void in_place(int64_t M, int64_t N, int off) {
  F a(M * N, off), b(N, off), s(M * N, off), u(M * N, off), dy(M * N, off), y(M * N, off);
  a.uniform(-2, 2), b.uniform(-2, 2), s.uniform(0.1, 2), u.uniform(-2, 2), dy.uniform(-1, 1);
  F ra(a, 0), rs(s, 0), ru(u, 0), rdy(dy, 0);
  cpu::unary_fwd(y.p, u.p, M * N, cpu::kTanh);
  const std::string what = fmt("in place (%lld,%lld) off=%d", (long long)M, (long long)N, off);
  run(what, [&] {
    cpu::binary_fwd(ra.p, ra.p, b.p, M, N, N, 1, 0, 1, cpu::kMul);
    cuda::binary_fwd(a.p, a.p, b.p, M, N, N, 1, 0, 1, cpu::kMul);
    cpu::scalar_fwd(rs.p, rs.p, M * N, cpu::kRdivS, 3.f);
    cuda::scalar_fwd(s.p, s.p, M * N, cpu::kRdivS, 3.f);
    cpu::unary_bwd(rdy.p, rdy.p, nullptr, y.p, M * N, cpu::kTanh);
    cuda::unary_bwd(dy.p, dy.p, nullptr, y.p, M * N, cpu::kTanh);
    cpu::unary_fwd(ru.p, ru.p, M * N, cpu::kSquare);
    cuda::unary_fwd(u.p, u.p, M * N, cpu::kSquare);
    same(what + " binary", a, ra);
    same(what + " scalar", s, rs);
    close(what + " unary_bwd", dy, rdy, 2e-7, 0);
    same(what + " unary", u, ru);
  });
}

}  // namespace

void check_elementwise() {
  for (int off = 0; off < 2; ++off) {
    in_place(1, 1, off);
    in_place(7, 12, off);
    in_place(33, 5, off);
  }
  const int64_t shapes[][2] = {{1, 1}, {1, 7}, {5, 1}, {3, 5}, {7, 4}, {9, 12}, {33, 20}, {2, 1030}};
  const char* kinds[][2] = {{"full", "full"}, {"full", "row"}, {"full", "col"}, {"row", "full"}, {"col", "full"},
                            {"scalar", "full"}, {"full", "scalar"}, {"trans", "full"}, {"full", "trans"}, {"col", "row"},
                            {"padded", "row"}, {"full", "padded"}, {"strided", "col"}, {"row", "strided"}};
  for (auto& s : shapes)
    for (auto& k : kinds)
      for (int op = 0; op < 4; ++op)
        for (int off = 0; off < 3; ++off) binary(s[0], s[1], k[0], k[1], op, off);

  // random shapes of the same layouts
  for (int t = 0; t < 300; ++t) {
    const auto& k = kinds[rng() % (sizeof kinds / sizeof kinds[0])];
    binary(1 + rng() % 40, 1 + rng() % 70, k[0], k[1], static_cast<int>(rng() % 4), static_cast<int>(rng() % 3));
  }

  const int64_t sizes[] = {0, 1, 3, 4, 5, 17, 1023, 2050};
  const float svals[] = {0.5f, -2.f, 2.f, 1.f, 3.f, -1.5f};
  for (int64_t n : sizes)
    for (int off = 0; off < 2; ++off) {
      for (int op = 0; op <= cpu::kPowS; ++op)
        for (float s : svals) scalar(n, op, s, off);
      for (int op = 0; op <= cpu::kSquare; ++op) {
        unary(n, op, off);
        unary_bwd(n, op, off);
      }
    }
}

}  // namespace chk
