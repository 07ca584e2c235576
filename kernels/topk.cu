// Top-k per row on the device (see topk.h). One block per row (rows grid-strided):
//   0. the row's excluded columns go into a bitmap (shared memory when it fits, else a slice of
//      global scratch per block), set from the CSR list and cleared again after the row;
//   1. radix select on an order-preserving uint32 key of each score (NaN lowest, -0 as +0,
//      excluded columns absent): 11 + 11 + 10 bit histogram passes over the row in shared
//      memory, each narrowing the prefix of the k-th largest key, stopping early once every key
//      of the chosen bucket is taken;
//   2. one ordered pass collects the keys above the threshold plus, when the threshold key is
//      tied, the lowest-index ties (block scans keep the column order, so the set is exactly
//      the CPU's);
//   3. a bitonic sort of the <= k survivors by (key desc, column asc) in shared memory.
#include "topk.h"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "allocator.h"
#include "common.cuh"
#include "cpu/topk.h"

namespace neurec::cuda {
namespace {

constexpr int kThreads = 512;
constexpr int kMaxK = 1024;               // survivors sorted in shared memory, 2 per thread
constexpr int kSmemBitmapWords = 9216;    // 36 KB: rows up to 294912 columns keep the bitmap on chip
constexpr int kBlocksPerSm = 4;           // 2048 threads per SM

// Order-preserving key: larger key = ranked first. Numbers map above 1 (-Infinity to
// 0x007fffff), NaN to 1, and 0 is left for "excluded".
__device__ __forceinline__ uint32_t rank_key(float v) {
  if (isnan(v)) return 1u;
  uint32_t u = __float_as_uint(v);
  if (u == 0x80000000u) u = 0u;  // -0 ranks as +0
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

__device__ __forceinline__ bool is_excluded(const unsigned* bits, int64_t j) { return (bits[j >> 5] >> (j & 31)) & 1u; }

// f(j, key) for every eligible column of the row, threads strided (any order).
template <bool kVec, bool kExcl, class F>
__device__ __forceinline__ void for_eligible(const float* s, int64_t C, const unsigned* bits, F f) {
  if constexpr (kVec) {
    const float4* s4 = reinterpret_cast<const float4*>(s);
    for (int64_t v = threadIdx.x; v < C / 4; v += blockDim.x) {
      const float4 q = s4[v];
      const float e[4] = {q.x, q.y, q.z, q.w};
      for (int w = 0; w < 4; ++w)
        if (!kExcl || !is_excluded(bits, 4 * v + w)) f(4 * v + w, rank_key(e[w]));
    }
  } else {
    for (int64_t j = threadIdx.x; j < C; j += blockDim.x)
      if (!kExcl || !is_excluded(bits, j)) f(j, rank_key(s[j]));
  }
}

// Exclusive prefix sum over the block in thread order; *total gets the block's sum.
// scratch: 32 ints of shared memory.
__device__ int block_excl_scan(int v, int* scratch, int* total) {
  const int lane = threadIdx.x % kWarp, wid = threadIdx.x / kWarp, nw = (blockDim.x + kWarp - 1) / kWarp;
  int x = v;
  for (int o = 1; o < kWarp; o <<= 1) {
    int y = __shfl_up_sync(0xffffffffu, x, o);
    if (lane >= o) x += y;
  }
  if (lane == kWarp - 1) scratch[wid] = x;
  __syncthreads();
  if (wid == 0) {
    int t = lane < nw ? scratch[lane] : 0;
    for (int o = 1; o < kWarp; o <<= 1) {
      int y = __shfl_up_sync(0xffffffffu, t, o);
      if (lane >= o) t += y;
    }
    scratch[lane] = t;  // inclusive sums of the warp totals
  }
  __syncthreads();
  const int before = wid > 0 ? scratch[wid - 1] : 0;
  *total = scratch[nw - 1];
  __syncthreads();  // scratch is reused by the next call
  return before + x - v;
}

// Run by warp 0 on a histogram of nb bins: the digit d holding the need-th largest key, i.e.
// Σ_{>d} < need <= Σ_{>=d}. sel = {d, Σ_{>d}, hist[d], total, need}; with clamp, need is first
// cut to the total (fewer eligible columns than k). Each lane owns nb/32 consecutive bins.
__device__ void select_digit(const int* hist, int nb, int need, bool clamp, int* sel) {
  const int lane = threadIdx.x, per = nb / kWarp;
  const int* h = hist + lane * per;
  int tot = 0;
  for (int b = 0; b < per; ++b) tot += h[b];
  int suf = tot;  // Σ over lanes >= this one
  for (int o = 1; o < kWarp; o <<= 1) {
    int y = __shfl_down_sync(0xffffffffu, suf, o);
    if (lane + o < kWarp) suf += y;
  }
  const int total = __shfl_sync(0xffffffffu, suf, 0);
  if (clamp) need = need < total ? need : total;
  if (lane == 0) sel[3] = total, sel[4] = need;
  const int above = suf - tot;
  if (need < 1 || above >= need || need > suf) return;  // exactly one lane goes on
  int acc = above;
  for (int b = per - 1; b >= 0; --b) {
    if (acc + h[b] >= need) {
      sel[0] = lane * per + b, sel[1] = acc, sel[2] = h[b];
      return;
    }
    acc += h[b];
  }
}

// What the collect pass takes: every key >= lo, and when need_eq > 0 also the need_eq
// lowest-index keys equal to T (T < lo then). kk = their total = min(k, eligible columns).
struct Threshold {
  uint32_t lo, T;
  int need_eq, kk;
};

// Radix select over the row (block-uniform result). Uses hist (2048 ints) and sel.
template <bool kVec, bool kExcl>
__device__ Threshold radix_select(const float* s, int64_t C, const unsigned* bits, int k, int* hist, int* sel) {
  Threshold th{0u, 0u, 0, 0};
  uint32_t prefix = 0, mask = 0;
  int need = k;
  for (int pass = 0; pass < 3; ++pass) {
    const int shift = pass == 0 ? 21 : pass == 1 ? 10 : 0, nb = pass == 2 ? 1024 : 2048;
    for (int i = threadIdx.x; i < nb; i += blockDim.x) hist[i] = 0;
    __syncthreads();
    for_eligible<kVec, kExcl>(s, C, bits, [&](int64_t, uint32_t key) {
      if ((key & mask) == prefix) atomicAdd(&hist[(key >> shift) & (nb - 1)], 1);
    });
    __syncthreads();
    if (threadIdx.x < kWarp) select_digit(hist, nb, need, pass == 0, sel);
    __syncthreads();
    if (pass == 0) {
      th.kk = need = sel[4];
      if (need == 0) return th;  // no eligible column
    }
    need -= sel[1];
    prefix |= static_cast<uint32_t>(sel[0]) << shift;
    mask |= static_cast<uint32_t>(nb - 1) << shift;
    if (sel[2] == need) {  // the whole bucket is taken: everything >= its lowest key
      th.lo = prefix;
      return th;
    }
  }
  th.T = prefix;  // the exact k-th key, tied: need of its copies are taken
  th.lo = prefix + 1;
  th.need_eq = need;
  return th;
}

// The ordered collect: chunks of W·blockDim columns in column order, a block scan per chunk
// giving each thread its write positions. cand[0, kk - need_eq) gets the keys >= lo,
// cand[kk - need_eq, kk) the first need_eq ties, each packed as key << 32 | ~column.
template <bool kVec, bool kExcl>
__device__ void collect(unsigned long long* cand, const float* s, int64_t C, const unsigned* bits, Threshold th,
                        int* scan_sh) {
  constexpr int W = kVec ? 4 : 1;
  const int n_gt = th.kk - th.need_eq;
  int gt_base = 0, eq_base = 0;
  for (int64_t base = 0; base < C; base += static_cast<int64_t>(W) * blockDim.x) {
    const int64_t j0 = base + static_cast<int64_t>(W) * threadIdx.x;
    float v[W];
    if constexpr (kVec) {
      float4 q = j0 < C ? reinterpret_cast<const float4*>(s)[j0 / 4] : make_float4(0.f, 0.f, 0.f, 0.f);
      v[0] = q.x, v[1] = q.y, v[2] = q.z, v[3] = q.w;
    } else {
      v[0] = j0 < C ? s[j0] : 0.f;
    }
    uint32_t key[W];
    int ng = 0, ne = 0;
    for (int w = 0; w < W; ++w) {
      const bool ok = j0 + w < C && !(kExcl && is_excluded(bits, j0 + w));
      key[w] = ok ? rank_key(v[w]) : 0u;
      ng += ok && key[w] >= th.lo;
      ne += ok && th.need_eq > 0 && key[w] == th.T;
    }
    int total;
    const int ex = block_excl_scan(ne << 16 | ng, scan_sh, &total);  // a chunk holds < 65536 of each
    int gpos = gt_base + (ex & 0xffff), epos = eq_base + (ex >> 16);
    for (int w = 0; w < W; ++w) {
      if (key[w] == 0u) continue;
      const unsigned long long packed =
          static_cast<unsigned long long>(key[w]) << 32 | static_cast<uint32_t>(~static_cast<uint32_t>(j0 + w));
      if (key[w] >= th.lo) {
        cand[gpos++] = packed;
      } else if (th.need_eq > 0 && key[w] == th.T) {
        if (epos < th.need_eq) cand[n_gt + epos] = packed;
        ++epos;
      }
    }
    gt_base += total & 0xffff;
    eq_base += total >> 16;
    if (gt_base >= n_gt && eq_base >= th.need_eq) break;  // block-uniform: all found
  }
}

// Bitonic sort of cand[0, kk) descending (padded with 0 to a power of two <= kMaxK).
__device__ void sort_desc(unsigned long long* cand, int kk) {
  int P = 1;
  while (P < kk) P <<= 1;
  for (int i = kk + threadIdx.x; i < P; i += blockDim.x) cand[i] = 0ull;
  __syncthreads();
  for (int size = 2; size <= P; size <<= 1)
    for (int stride = size >> 1; stride > 0; stride >>= 1) {
      for (int t = threadIdx.x; t < P / 2; t += blockDim.x) {
        const int i = 2 * t - (t & (stride - 1)), j = i + stride;
        const unsigned long long a = cand[i], b = cand[j];
        if ((a < b) == ((i & size) == 0)) cand[i] = b, cand[j] = a;
      }
      __syncthreads();
    }
}

// Sets (set) or clears this row's excluded columns in bits; a bad pointer pair is reported
// and the row gets no exclusions, a bad column is reported and skipped.
__device__ void mark_exclusions(unsigned* bits, const int32_t* exclPtr, const int32_t* exclIdx, int64_t r, int64_t C,
                                int64_t nnz, bool set, DeviceError* err) {
  int64_t p0 = exclPtr[r], p1 = exclPtr[r + 1];
  if (!(0 <= p0 && p0 <= p1 && p1 <= nnz)) {
    if (set && threadIdx.x == 0)
      report_device_error(err, kIndexOutOfRange, kSiteTopk, (p0 < 0 || p0 > nnz) ? p0 : p1, nnz + 1);
    return;
  }
  for (int64_t p = p0 + threadIdx.x; p < p1; p += blockDim.x) {
    const int32_t e = exclIdx[p];
    if (e < 0 || e >= C) {
      if (set) report_device_error(err, kIndexOutOfRange, kSiteTopk, e, C);
    } else if (set) {
      atomicOr(&bits[e >> 5], 1u << (e & 31));
    } else {
      bits[e >> 5] = 0u;
    }
  }
}

// topk_fwd_kernel: a block per row, rows grid-strided (see the file comment for the steps).
// Every branch around a __syncthreads depends only on block-uniform values.
template <bool kVec, bool kExcl>
__global__ void __launch_bounds__(kThreads)
    topk_fwd_kernel(float* values, int32_t* indices, const float* scores, const int32_t* exclPtr,
                    const int32_t* exclIdx, int64_t N, int64_t C, int k, int64_t nnz, unsigned* gbits,
                    int64_t words, DeviceError* err) {
  // The histogram and the survivors are used in turn, so they share one buffer.
  __shared__ unsigned long long pool[kMaxK];
  __shared__ int sel[5];
  __shared__ int scan_sh[kWarp];
  extern __shared__ unsigned sbits[];
  int* hist = reinterpret_cast<int*>(pool);
  unsigned* bits = nullptr;
  if constexpr (kExcl) {
    bits = gbits ? gbits + blockIdx.x * words : sbits;  // the global slices come zeroed
    if (!gbits)
      for (int64_t w = threadIdx.x; w < words; w += blockDim.x) sbits[w] = 0u;
    __syncthreads();  // zeroed before any row marks
  }
  for (int64_t r = blockIdx.x; r < N; r += gridDim.x) {
    const float* s = scores + r * C;
    if constexpr (kExcl) {
      mark_exclusions(bits, exclPtr, exclIdx, r, C, nnz, true, err);
    }
    __syncthreads();
    const Threshold th = radix_select<kVec, kExcl>(s, C, bits, k, hist, sel);
    if (th.kk > 0) {
      collect<kVec, kExcl>(pool, s, C, bits, th, scan_sh);
      __syncthreads();
      sort_desc(pool, th.kk);
    }
    float* vr = values + r * k;
    int32_t* ir = indices + r * k;
    for (int q = threadIdx.x; q < k; q += blockDim.x) {
      if (q < th.kk) {
        const uint32_t j = ~static_cast<uint32_t>(pool[q]);
        vr[q] = s[j];  // the score itself (NaN, -0 kept)
        ir[q] = static_cast<int32_t>(j);
      } else {
        vr[q] = -INFINITY;
        ir[q] = -1;
      }
    }
    __syncthreads();  // pool and bits are done with before the next row
    if constexpr (kExcl) {
      mark_exclusions(bits, exclPtr, exclIdx, r, C, nnz, false, err);
      __syncthreads();  // cleared before the next row marks
    }
  }
}

}  // namespace

void topk_fwd(float* values, int32_t* indices, const float* scores, const int32_t* exclPtr, const int32_t* exclIdx,
              int64_t N, int64_t C, int64_t k, int64_t nnz) {
  cpu::check_topk_args(exclPtr, exclIdx, C, k);
  if (k > kMaxK)
    throw std::invalid_argument("k = " + std::to_string(k) + " is larger than " + std::to_string(kMaxK) +
                                ", the most topk_fwd supports on CUDA");
  // k == 0 selects nothing, but with exclusions the kernel still runs: the CPU checks them.
  if (N == 0 || (k == 0 && !exclPtr)) return;

  int dev = 0, sms = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
  const int64_t max_blocks = static_cast<int64_t>(sms) * kBlocksPerSm;
  const unsigned blocks = static_cast<unsigned>(N < max_blocks ? N : max_blocks);

  const bool excl = exclPtr != nullptr, vec = C % 4 == 0 && aligned16(scores);
  const int64_t words = ceil_div(C, 32);
  const bool on_chip = words <= kSmemBitmapWords;
  const size_t gbytes = excl && !on_chip ? static_cast<size_t>(blocks) * words * sizeof(unsigned) : 0;
  ScratchBuffer gb(gbytes);
  if (gbytes) CUDA_CHECK(cudaMemsetAsync(gb.as<void>(), 0, gbytes, stream()));
  const size_t dyn = excl && on_chip ? static_cast<size_t>(words) * sizeof(unsigned) : 0;
  unsigned* gbits = gb.as<unsigned>();
  DeviceError* err = device_error_slot();
  auto launch = [&](auto kernel) {
    kernel<<<blocks, kThreads, dyn, stream()>>>(values, indices, scores, exclPtr, exclIdx, N, C, static_cast<int>(k),
                                                 nnz, gbits, words, err);
  };
  if (excl) vec ? launch(topk_fwd_kernel<true, true>) : launch(topk_fwd_kernel<false, true>);
  else vec ? launch(topk_fwd_kernel<true, false>) : launch(topk_fwd_kernel<false, false>);
  CUDA_CHECK_LAUNCH("topk_fwd_kernel");
}

}  // namespace neurec::cuda
