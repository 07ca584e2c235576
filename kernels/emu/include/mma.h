// WMMA for the emulator: every lane holds the whole fragment (same values in every lane, so
// the lanes' identical stores agree). mma_sync is a warp collective, as on the GPU: lane 0
// multiplies, the others copy its result. TF32 inputs are rounded as cvt.rna.tf32.f32 does
// (to 10 mantissa bits, ties away); products accumulate in float.
#pragma once
#include <cassert>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <cuda_runtime.h>

namespace nvcuda {
namespace wmma {
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
namespace precision {
struct tf32 {};
}
enum layout_t { mem_row_major, mem_col_major };

template <class Use, int m, int n, int k, class T, class L = void>
struct fragment;
template <int m, int n, int k, class T, class L>
struct fragment<matrix_a, m, n, k, T, L> { float v[m][k]; };
template <int m, int n, int k, class T, class L>
struct fragment<matrix_b, m, n, k, T, L> { float v[k][n]; };
template <int m, int n, int k>
struct fragment<accumulator, m, n, k, float, void> { float v[m][n]; };

// The hardware's fragment pointer and stride rules (256-bit aligned, ldm a multiple of 16 bytes).
inline void check_ptr(const void* p, unsigned ldm) {
  assert((reinterpret_cast<uintptr_t>(p) & 31) == 0 && "wmma pointer not 32-byte aligned");
  assert(ldm % 4 == 0 && "wmma ldm not a multiple of 4 floats");
  (void)p, (void)ldm;
}

inline float __float_to_tf32(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & ~0x1fffu;  // finite: round half away
  std::memcpy(&x, &u, 4);
  return x;
}

template <int m, int n, int k>
void fill_fragment(fragment<accumulator, m, n, k, float>& f, float x) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) f.v[i][j] = x;
}
template <int m, int n, int k, class T, class L>
void load_matrix_sync(fragment<matrix_a, m, n, k, T, L>& f, const float* p, unsigned ldm) {
  check_ptr(p, ldm);
  for (int i = 0; i < m; ++i)
    for (int q = 0; q < k; ++q) f.v[i][q] = std::is_same<L, row_major>::value ? p[i * ldm + q] : p[i + q * ldm];
}
template <int m, int n, int k, class T, class L>
void load_matrix_sync(fragment<matrix_b, m, n, k, T, L>& f, const float* p, unsigned ldm) {
  check_ptr(p, ldm);
  for (int q = 0; q < k; ++q)
    for (int j = 0; j < n; ++j) f.v[q][j] = std::is_same<L, row_major>::value ? p[q * ldm + j] : p[q + j * ldm];
}
template <int m, int n, int k, class T, class LA, class LB>
void mma_sync(fragment<accumulator, m, n, k, float>& d, const fragment<matrix_a, m, n, k, T, LA>& a,
              const fragment<matrix_b, m, n, k, T, LB>& b, const fragment<accumulator, m, n, k, float>& c) {
  static_assert(m * n <= 256, "fragment larger than the exchange slot");
  static float slot[32][256];  // one per warp of the block
  float* r = slot[::emu::g_cur->warp];
  if (::emu::g_cur->lane == 0)
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        float s = c.v[i][j];
        for (int q = 0; q < k; ++q) s += a.v[i][q] * b.v[q][j];
        r[i * n + j] = s;
      }
  ::emu::syncwarp(__FILE__, __LINE__);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) d.v[i][j] = r[i * n + j];
  ::emu::syncwarp(__FILE__, __LINE__);  // all have read the slot before lane 0 writes it again
}
template <int m, int n, int k>
void store_matrix_sync(float* p, const fragment<accumulator, m, n, k, float>& f, unsigned ldm, layout_t l) {
  check_ptr(p, ldm);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) (l == mem_row_major ? p[i * ldm + j] : p[i + j * ldm]) = f.v[i][j];
}
}  // namespace wmma
}  // namespace nvcuda
