#include "cpu/topk.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "simd.h"
#include "threadpool.h"

#if NR_HAVE_X86
#include <immintrin.h>
#endif

// How a row is ranked, in two passes over 64-column chunks:
//   1. lane maxima: for each chunk, the max of each of its 8 interleaved lanes (columns
//      j0+l, j0+l+8, ...), skipping excluded columns and NaN. Split the lanes into G ≥ k groups:
//      the k-th largest group max t0 is a floor, since k disjoint groups each hold an eligible
//      score ≥ t0, so the answer holds only scores ≥ t0.
//   2. candidates: only chunks with a lane max ≥ the running threshold are read again, and only
//      their columns ≥ it are offered to RowTopK, which keeps the exact top k by rank.
// For random scores, pass 2 offers about k columns instead of the k·(1 + ln(C/k)) of a
// one-pass scan, whose threshold starts low and each rise of which costs a branch miss. When
// the floor is no help (fewer lanes than k, or t0 = -Infinity) pass 2 reads every chunk.
namespace neurec::cpu {
namespace {

constexpr int64_t kChunk = 64;

// One int64 per entry whose order is the output order: the high half orders scores (numbers by
// value with -0 as +0, NaN below -Infinity), the low half prefers the lower column.
inline int64_t rank_of(float v, int64_t j) {
  float z = v + 0.0f;  // -0 -> +0
  int32_t b;
  std::memcpy(&b, &z, 4);
  int32_t key = std::isnan(v) ? std::numeric_limits<int32_t>::min() : (b ^ ((b >> 31) & 0x7fffffff));
  return static_cast<int64_t>(key) * (int64_t{1} << 32) + (0x7fffffff - j);
}
inline int64_t column_of(int64_t rank) { return 0x7fffffff - (rank & 0xffffffff); }

// Up to this many candidates, the final order comes from counting, for each, the candidates
// ranked above it (n² compares, but vectorized and without a branch to mispredict); above it
// from nth_element and sort.
constexpr int64_t kCountSortMax = 128;

// out[p] = the candidate with p others ranked above it, for p < m (ranks are distinct).
inline __attribute__((always_inline)) void count_sort_body(int64_t* out, const int64_t* c, int64_t n, int64_t m) {
  for (int64_t i = 0; i < n; ++i) {
    int64_t p = 0;
    for (int64_t j = 0; j < n; ++j) p += c[j] > c[i];
    if (p < m) out[p] = c[i];
  }
}
void count_sort_portable(int64_t* out, const int64_t* c, int64_t n, int64_t m) { count_sort_body(out, c, n, m); }
#if NR_HAVE_X86
__attribute__((target("avx2"))) void count_sort_avx2(int64_t* out, const int64_t* c, int64_t n, int64_t m) {
  count_sort_body(out, c, n, m);
}
#endif

// The exact top k (by rank) of the columns offered in increasing order. Candidates collect
// in buf; when it fills, nth_element keeps the best k and the k-th becomes the bar. A column
// enters when its rank beats thr: the k-th kept after a trim, else just below the floor (or
// no bound). t is the matching cheap filter for the scans, which offer only columns with
// !(s < t): the floor, or just above the k-th kept score, NaN (every column) when neither
// is a number.
class RowTopK {
 public:
  explicit RowTopK(int64_t k) : k_(k), cap_(2 * k + 64), buf_(static_cast<size_t>(cap_)), out_(static_cast<size_t>(k)) {}

  float t = 0;

  // A new row; `floor` (not NaN) is a score that at least k eligible columns reach.
  void reset(const float* row, float floor) {
    s_ = row;
    n_ = 0;
    t = floor;
    thr_ = std::isnan(floor) ? std::numeric_limits<int64_t>::min() : (rank_of(floor, 0x7fffffff) - 1);
  }

  void offer(float v, int64_t j) {
    int64_t c = rank_of(v, j);
    if (c <= thr_) return;
    buf_[n_++] = c;
    if (n_ == cap_) {
      std::nth_element(buf_.begin(), buf_.begin() + (k_ - 1), buf_.begin() + n_, std::greater<int64_t>());
      n_ = k_;
      thr_ = buf_[k_ - 1];
      // Columns come in increasing order, so one equal to the k-th kept score now loses the
      // tie: the filter becomes s > kth. NaN while the k-th kept is NaN (every number beats it).
      t = std::nextafter(s_[column_of(thr_)], std::numeric_limits<float>::infinity());
    }
  }

  // Writes the best k in order; slots past the eligible count get -Infinity and -1.
  void finish(float* values, int32_t* indices) {
    int64_t m = std::min(k_, n_);
    const int64_t* best = out_.data();
    if (n_ <= kCountSortMax) {
#if NR_HAVE_X86
      if (cpu_has_avx2_fma()) count_sort_avx2(out_.data(), buf_.data(), n_, m);
      else
#endif
        count_sort_portable(out_.data(), buf_.data(), n_, m);
    } else {
      std::nth_element(buf_.begin(), buf_.begin() + m, buf_.begin() + n_, std::greater<int64_t>());
      std::sort(buf_.begin(), buf_.begin() + m, std::greater<int64_t>());
      best = buf_.data();
    }
    for (int64_t q = 0; q < m; ++q) {
      int64_t j = column_of(best[q]);
      values[q] = s_[j];
      indices[q] = static_cast<int32_t>(j);
    }
    for (int64_t q = m; q < k_; ++q) {
      values[q] = -std::numeric_limits<float>::infinity();
      indices[q] = -1;
    }
  }

 private:
  int64_t k_, cap_, n_ = 0, thr_ = 0;
  std::vector<int64_t> buf_, out_;
  const float* s_ = nullptr;
};

inline bool excluded(const uint64_t* bits, int64_t j) { return (bits[j >> 6] >> (j & 63)) & 1; }

template <bool kExcl>
inline void visit(RowTopK& st, const float* s, int64_t j, const uint64_t* bits) {
  if (kExcl && excluded(bits, j)) return;
  st.offer(s[j], j);
}

// Pass 1, portable: lanes (8 per chunk) get the lane maxima; -Infinity where a lane is empty.
template <bool kExcl>
void lane_max_portable(float* lanes, const float* s, int64_t C, const uint64_t* bits) {
  const float ninf = -std::numeric_limits<float>::infinity();
  for (int64_t j0 = 0; j0 < C; j0 += kChunk) {
    float acc[8] = {ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf};
    int64_t len = std::min(kChunk, C - j0);
    if (!(kExcl && bits[j0 >> 6])) {
      int64_t i = 0;
      for (; i + 8 <= len; i += 8)
        for (int l = 0; l < 8; ++l) acc[l] = s[j0 + i + l] > acc[l] ? s[j0 + i + l] : acc[l];
      for (; i < len; ++i) acc[i & 7] = s[j0 + i] > acc[i & 7] ? s[j0 + i] : acc[i & 7];
    } else {
      for (int64_t q = 0; q < len; ++q)
        if (!(kExcl && excluded(bits, j0 + q)) && s[j0 + q] > acc[q & 7]) acc[q & 7] = s[j0 + q];
    }
    std::memcpy(lanes + j0 / 8, acc, sizeof acc);
  }
}

// Pass 2, portable: offers the columns !(s < t) of the chunks whose lane max passes too.
template <bool kExcl, bool kSkip>
void candidates_portable(RowTopK& st, const float* s, int64_t C, const float* lanes, const uint64_t* bits) {
  for (int64_t j0 = 0; j0 < C; j0 += kChunk) {
    if (kSkip) {
      int any = 0;
      for (int l = 0; l < 8; ++l) any |= !(lanes[j0 / 8 + l] < st.t);
      if (!any) continue;
    }
    int64_t j1 = std::min(C, j0 + kChunk);
    for (int64_t j = j0; j < j1; ++j)
      if (!(s[j] < st.t)) visit<kExcl>(st, s, j, bits);
  }
}

#if NR_HAVE_X86
// Pass 1, AVX2: excluded columns are blended to -Infinity; max(x, acc) keeps acc for a NaN x.
template <bool kExcl>
__attribute__((target("avx2"))) void lane_max_avx2(float* lanes, const float* s, int64_t C, const uint64_t* bits) {
  const __m256 ninf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  const __m256i sel = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  int64_t j0 = 0;
  for (; j0 + kChunk <= C; j0 += kChunk) {
    __m256 acc0 = ninf, acc1 = ninf;
    uint64_t w = kExcl ? bits[j0 >> 6] : 0;
    if (!w) {
      for (int64_t i = 0; i < kChunk; i += 16) {
        acc0 = _mm256_max_ps(_mm256_loadu_ps(s + j0 + i), acc0);
        acc1 = _mm256_max_ps(_mm256_loadu_ps(s + j0 + i + 8), acc1);
      }
    } else {
      for (int64_t i = 0; i < kChunk; i += 8) {
        __m256i b = _mm256_set1_epi32(static_cast<int>((w >> i) & 0xff));
        __m256 ex = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(b, sel), sel));
        acc0 = _mm256_max_ps(_mm256_blendv_ps(_mm256_loadu_ps(s + j0 + i), ninf, ex), acc0);
      }
    }
    _mm256_storeu_ps(lanes + j0 / 8, _mm256_max_ps(acc0, acc1));
  }
  if (j0 < C) lane_max_portable<kExcl>(lanes + j0 / 8, s + j0, C - j0, bits + (j0 >> 6));
}

// Pass 2, AVX2: one test per chunk on its lane maxima, then a 64-bit mask of the columns that
// pass, walked in order. Bits set under an older threshold are re-checked by offer().
template <bool kExcl, bool kSkip>
__attribute__((target("avx2"))) void candidates_avx2(RowTopK& st, const float* s, int64_t C, const float* lanes,
                                                     const uint64_t* bits) {
  __m256 t = _mm256_set1_ps(st.t);
  int64_t j0 = 0;
  for (; j0 + kChunk <= C; j0 += kChunk) {
    if (kSkip) {
      __m256 c = _mm256_cmp_ps(_mm256_loadu_ps(lanes + j0 / 8), t, _CMP_NLT_UQ);
      if (_mm256_testz_ps(c, c)) continue;
    }
    uint64_t m = 0;
    for (int64_t i = 0; i < kChunk; i += 8)
      m |= static_cast<uint64_t>(static_cast<uint32_t>(
               _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(s + j0 + i), t, _CMP_NLT_UQ))))
           << i;
    if (!m) continue;
    while (m) {
      visit<kExcl>(st, s, j0 + __builtin_ctzll(m), bits);
      m &= m - 1;
    }
    t = _mm256_set1_ps(st.t);
  }
  for (int64_t j = j0; j < C; ++j)
    if (!(s[j] < st.t)) visit<kExcl>(st, s, j, bits);
}
#endif

template <bool kExcl>
void lane_max(float* lanes, const float* s, int64_t C, const uint64_t* bits) {
#if NR_HAVE_X86
  if (cpu_has_avx2_fma()) return lane_max_avx2<kExcl>(lanes, s, C, bits);
#endif
  lane_max_portable<kExcl>(lanes, s, C, bits);
}

template <bool kExcl, bool kSkip>
void candidates(RowTopK& st, const float* s, int64_t C, const float* lanes, const uint64_t* bits) {
#if NR_HAVE_X86
  if (cpu_has_avx2_fma()) return candidates_avx2<kExcl, kSkip>(st, s, C, lanes, bits);
#endif
  candidates_portable<kExcl, kSkip>(st, s, C, lanes, bits);
}

// out[l] = max of lane l over chunks [c0, c1) (8 lane maxima per chunk; never NaN).
void lanes_max_portable(float* out, const float* lanes, int64_t c0, int64_t c1) {
  for (int l = 0; l < 8; ++l) out[l] = -std::numeric_limits<float>::infinity();
  for (int64_t c = c0; c < c1; ++c)
    for (int l = 0; l < 8; ++l) out[l] = lanes[8 * c + l] > out[l] ? lanes[8 * c + l] : out[l];
}

#if NR_HAVE_X86
__attribute__((target("avx2"))) void lanes_max_avx2(float* out, const float* lanes, int64_t c0, int64_t c1) {
  __m256 acc = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  for (int64_t c = c0; c < c1; ++c) acc = _mm256_max_ps(_mm256_loadu_ps(lanes + 8 * c), acc);
  _mm256_storeu_ps(out, acc);
}
#endif

// Up to this many groups, the floor is found by counting too; above it by nth_element.
constexpr int64_t kCountSelectMax = 64;

// The k-th largest of g[0..G) (no NaN). Small G: the largest value that at least k values
// reach, by counting (vectorized, branch-free); else nth_element.
inline __attribute__((always_inline)) float kth_largest_body(const float* g, int64_t G, int64_t k) {
  float best = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < G; ++i) {
    int32_t n = 0;
    for (int64_t j = 0; j < G; ++j) n += g[j] >= g[i];
    best = (n >= k && g[i] > best) ? g[i] : best;
  }
  return best;
}
float kth_largest_portable(const float* g, int64_t G, int64_t k) { return kth_largest_body(g, G, k); }
#if NR_HAVE_X86
__attribute__((target("avx2"))) float kth_largest_avx2(const float* g, int64_t G, int64_t k) {
  return kth_largest_body(g, G, k);
}
#endif

float kth_largest(float* g, int64_t G, int64_t k) {
  if (G <= kCountSelectMax) {
#if NR_HAVE_X86
    if (cpu_has_avx2_fma()) return kth_largest_avx2(g, G, k);
#endif
    return kth_largest_portable(g, G, k);
  }
  std::nth_element(g, g + (k - 1), g + G, std::greater<float>());
  return g[k - 1];
}

// The floor: groups are (run of chunks, lane) pairs, R runs × 8 lanes = G ≥ min(2k, lanes) ≥ k
// groups of about C/G columns; the floor is the k-th largest group max, or NaN when that is
// -Infinity (too few eligible numbers spread over the groups to bound anything).
float floor_of(const float* lanes, int64_t nch, int64_t k, float* groups) {
  int64_t R = std::min(nch, (2 * k + 7) / 8), G = 8 * R;
  int64_t base = nch / R, extra = nch % R;  // run r holds base (+1 for r < extra) chunks
  for (int64_t r = 0, c0 = 0; r < R; ++r) {
    int64_t c1 = c0 + base + (r < extra ? 1 : 0);
#if NR_HAVE_X86
    if (cpu_has_avx2_fma()) lanes_max_avx2(groups + 8 * r, lanes, c0, c1);
    else
#endif
      lanes_max_portable(groups + 8 * r, lanes, c0, c1);
    c0 = c1;
  }
  float t0 = kth_largest(groups, G, k);
  return t0 == -std::numeric_limits<float>::infinity() ? std::numeric_limits<float>::quiet_NaN() : t0;
}

template <bool kExcl>
void row_topk(RowTopK& st, float* values, int32_t* indices, const float* s, int64_t C, int64_t k, float* lanes,
              float* groups, const uint64_t* bits) {
  int64_t nch = (C + kChunk - 1) / kChunk;
  float floor = std::numeric_limits<float>::quiet_NaN();
  if (8 * nch >= k) {
    lane_max<kExcl>(lanes, s, C, bits);
    floor = floor_of(lanes, nch, k, groups);
  }
  st.reset(s, floor);
  if (std::isnan(floor)) candidates<kExcl, false>(st, s, C, lanes, bits);
  else candidates<kExcl, true>(st, s, C, lanes, bits);
  st.finish(values, indices);
}

void check_exclusions(const int32_t* ptr, const int32_t* idx, int64_t N, int64_t C, int64_t nnz) {
  if (ptr[0] < 0 || ptr[0] > nnz)
    throw std::out_of_range("exclusion pointer exclPtr[0] = " + std::to_string(ptr[0]) + " is outside [0, " +
                            std::to_string(nnz) + "] (nnz)");
  for (int64_t r = 0; r < N; ++r) {
    int64_t p0 = ptr[r], p1 = ptr[r + 1];
    if (p1 < p0 || p1 > nnz)
      throw std::out_of_range("exclusion pointer exclPtr[" + std::to_string(r + 1) + "] = " + std::to_string(p1) +
                              " of row " + std::to_string(r) + " is outside [" + std::to_string(p0) + ", " +
                              std::to_string(nnz) + "] (pointers must be non-decreasing and at most nnz)");
    for (int64_t p = p0; p < p1; ++p)
      if (idx[p] < 0 || idx[p] >= C)
        throw std::out_of_range("exclusion index " + std::to_string(idx[p]) + " in row " + std::to_string(r) +
                                " is out of range for rows of " + std::to_string(C) + " columns");
  }
}

}  // namespace

void topk_fwd(float* values, int32_t* indices, const float* scores, const int32_t* exclPtr, const int32_t* exclIdx,
              int64_t N, int64_t C, int64_t k, int64_t nnz) {
  check_topk_args(exclPtr, exclIdx, C, k);
  if (exclPtr) check_exclusions(exclPtr, exclIdx, N, C, nnz);
  if (k == 0 || N == 0) return;
  parallel_for(N, std::max<int64_t>(1, (1 << 15) / C), [&](int64_t r0, int64_t r1) {
    RowTopK st(k);
    std::vector<float> lanes(static_cast<size_t>(8 * ((C + kChunk - 1) / kChunk)));
    std::vector<float> groups(static_cast<size_t>(2 * k + 8));
    std::vector<uint64_t> bits(exclPtr ? static_cast<size_t>((C + 63) / 64) : 0);
    for (int64_t r = r0; r < r1; ++r) {
      const float* s = scores + r * C;
      if (exclPtr) {
        for (int64_t p = exclPtr[r]; p < exclPtr[r + 1]; ++p) bits[exclIdx[p] >> 6] |= uint64_t{1} << (exclIdx[p] & 63);
        row_topk<true>(st, values + r * k, indices + r * k, s, C, k, lanes.data(), groups.data(), bits.data());
        for (int64_t p = exclPtr[r]; p < exclPtr[r + 1]; ++p) bits[exclIdx[p] >> 6] = 0;
      } else {
        row_topk<false>(st, values + r * k, indices + r * k, s, C, k, lanes.data(), groups.data(), nullptr);
      }
    }
  });
}

}  // namespace neurec::cpu
