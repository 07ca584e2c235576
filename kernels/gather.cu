// Embedding lookups on the device (see gather.h). Every kernel gives each row to a group of
// G consecutive threads (G a power of two, the row's width in units up to 32), so short rows
// do not idle most of a warp and long rows are read by a full warp in coalesced units; a unit
// is a float4 when D % 4 == 0 and the arrays are 16-byte aligned, else one float.
#include "gather.h"

#include <cub/cub.cuh>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "allocator.h"
#include "common.cuh"

namespace neurec::cuda {
namespace {

constexpr int kThreads = 256;

// log2 of the threads per row: the smallest power of two >= units, at most a warp.
int group_log2(int64_t units) {
  int lg = 0;
  while ((int64_t{1} << lg) < units && (1 << lg) < kWarp) ++lg;
  return lg;
}

// Row groups of one launch: this thread's lane in its group, its first row, the row stride.
struct Groups {
  int lane, size;
  int64_t first, stride;
  __device__ explicit Groups(int lg) {
    size = 1 << lg;
    lane = threadIdx.x & (size - 1);
    first = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) >> lg;
    stride = (static_cast<int64_t>(gridDim.x) * blockDim.x) >> lg;
  }
};

template <bool kVec>
struct Unit;  // one float4 or one float of a row, with loads, stores and atomic adds
template <>
struct Unit<true> {
  using T = float4;
  __device__ static T load(const float* p, int64_t u) { return __ldg(reinterpret_cast<const float4*>(p) + u); }
  __device__ static void store(float* p, int64_t u, T v) { reinterpret_cast<float4*>(p)[u] = v; }
  __device__ static T zero() { return make_float4(0.f, 0.f, 0.f, 0.f); }
  __device__ static T add(T a, T b) { return make_float4(a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w); }
  __device__ static void atomic_add(float* p, int64_t u, T v) {
#if __CUDA_ARCH__ >= 900
    atomicAdd(reinterpret_cast<float4*>(p) + u, v);  // one vector atomic (sm_90+)
#else
    atomicAdd(p + 4 * u, v.x), atomicAdd(p + 4 * u + 1, v.y), atomicAdd(p + 4 * u + 2, v.z),
        atomicAdd(p + 4 * u + 3, v.w);
#endif
  }
};
template <>
struct Unit<false> {
  using T = float;
  __device__ static T load(const float* p, int64_t u) { return __ldg(p + u); }
  __device__ static void store(float* p, int64_t u, T v) { p[u] = v; }
  __device__ static T zero() { return 0.f; }
  __device__ static T add(T a, T b) { return a + b; }
  __device__ static void atomic_add(float* p, int64_t u, T v) { atomicAdd(p + u, v); }
};

// gather_fwd_kernel: a group of threads per output row (see Groups), rows grid-strided; a bad
// index gets a zero row and one report from the group's lane 0.
template <bool kVec>
__global__ void __launch_bounds__(kThreads)
    gather_fwd_kernel(float* out, const float* table, const int32_t* idx, int64_t B, int64_t D, int64_t R, int lg,
                      DeviceError* err) {
  using U = Unit<kVec>;
  const Groups g(lg);
  const int64_t units = kVec ? D / 4 : D;
  for (int64_t b = g.first; b < B; b += g.stride) {
    const int32_t r = idx[b];
    float* o = out + b * D;
    if (r < 0 || r >= R) {
      if (g.lane == 0) report_device_error(err, kIndexOutOfRange, kSiteGather, r, R);
      for (int64_t u = g.lane; u < units; u += g.size) U::store(o, u, U::zero());
      continue;
    }
    const float* t = table + static_cast<int64_t>(r) * D;
    for (int64_t u = g.lane; u < units; u += g.size) U::store(o, u, U::load(t, u));
  }
}

// gather_bwd_kernel: a group of threads per dy row, each adding its units into the table row
// with atomics (rows that share an index may be added by several groups at once).
template <bool kVec>
__global__ void __launch_bounds__(kThreads)
    gather_bwd_kernel(float* dtable, const float* dy, const int32_t* idx, int64_t B, int64_t D, int64_t R, int lg,
                      DeviceError* err) {
  using U = Unit<kVec>;
  const Groups g(lg);
  const int64_t units = kVec ? D / 4 : D;
  for (int64_t b = g.first; b < B; b += g.stride) {
    const int32_t r = idx[b];
    if (r < 0 || r >= R) {
      if (g.lane == 0) report_device_error(err, kIndexOutOfRange, kSiteGatherBwd, r, R);
      continue;
    }
    float* t = dtable + static_cast<int64_t>(r) * D;
    const float* s = dy + b * D;
    for (int64_t u = g.lane; u < units; u += g.size) U::atomic_add(t, u, U::load(s, u));
  }
}

// ---- coalesce_rows: radix sort (row, position) pairs, then one group per unique row ---------

__global__ void __launch_bounds__(kThreads) coalesce_rows_iota_kernel(int32_t* pos, int64_t B) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < B;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    pos[i] = static_cast<int32_t>(i);
}

// head[k] = 1 where sorted key k starts a run of equal row ids (then inclusive-scanned into
// each entry's unique slot + 1).
__global__ void __launch_bounds__(kThreads) coalesce_rows_heads_kernel(int32_t* head, const int32_t* keys, int64_t B) {
  for (int64_t k = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; k < B;
       k += static_cast<int64_t>(gridDim.x) * blockDim.x)
    head[k] = (k == 0 || keys[k] != keys[k - 1]) ? 1 : 0;
}

// Run heads write their row id and where their run starts; the last entry writes U and closes
// the last run (start[U] = B), so run u is [start[u], start[u+1]).
__global__ void __launch_bounds__(kThreads)
    coalesce_rows_runs_kernel(int32_t* out_rows, int32_t* start, int32_t* U, const int32_t* keys,
                              const int32_t* slot1, int64_t B) {
  for (int64_t k = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; k < B;
       k += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int32_t s = slot1[k];  // inclusive count of heads: this run's slot + 1
    if (k == 0 || s != slot1[k - 1]) {
      out_rows[s - 1] = keys[k];
      start[s - 1] = static_cast<int32_t>(k);
    }
    if (k == B - 1) {
      *U = s;
      start[s] = static_cast<int32_t>(B);
    }
  }
}

// coalesce_rows_sum_kernel: a group of threads per unique row (groups past U idle); each unit
// starts from the run's first value row and adds the others in sorted (= input) order, as the
// CPU does, so the sums match it bit for bit.
template <bool kVec>
__global__ void __launch_bounds__(kThreads)
    coalesce_rows_sum_kernel(float* out_vals, const float* vals, const int32_t* perm, const int32_t* start,
                             const int32_t* U, int64_t D, int lg) {
  using Un = Unit<kVec>;
  const Groups g(lg);
  const int64_t units = kVec ? D / 4 : D, nu = *U;
  for (int64_t u = g.first; u < nu; u += g.stride) {
    const int32_t k0 = start[u], k1 = start[u + 1];
    float* o = out_vals + u * D;
    for (int64_t c = g.lane; c < units; c += g.size) {
      typename Un::T acc = Un::load(vals + static_cast<int64_t>(perm[k0]) * D, c);
      for (int32_t k = k0 + 1; k < k1; ++k) acc = Un::add(acc, Un::load(vals + static_cast<int64_t>(perm[k]) * D, c));
      Un::store(o, c, acc);
    }
  }
}

// Launches a row-group kernel over `rows` rows of D floats.
struct GroupLaunch {
  bool vec;
  int lg;
  unsigned blocks;
};
GroupLaunch group_launch(int64_t rows, int64_t D, bool aligned) {
  GroupLaunch l;
  l.vec = D % 4 == 0 && aligned;
  l.lg = group_log2(l.vec ? D / 4 : D);
  l.blocks = grid_for(rows << l.lg, kThreads);
  return l;
}

// Byte offsets into one scratch block, each rounded up to 256 bytes.
size_t carve(size_t& at, size_t bytes) {
  size_t p = at;
  at += (bytes + 255) / 256 * 256;
  return p;
}

}  // namespace

void gather_fwd(float* out, const float* table, const int32_t* idx, int64_t B, int64_t D, int64_t R) {
  if (B == 0) return;  // D == 0 still launches: the indices are checked, as on the CPU
  const GroupLaunch l = group_launch(B, D, aligned16(out) && aligned16(table));
  DeviceError* err = device_error_slot();
  if (l.vec) gather_fwd_kernel<true><<<l.blocks, kThreads, 0, stream()>>>(out, table, idx, B, D, R, l.lg, err);
  else gather_fwd_kernel<false><<<l.blocks, kThreads, 0, stream()>>>(out, table, idx, B, D, R, l.lg, err);
  CUDA_CHECK_LAUNCH("gather_fwd_kernel");
}

void gather_bwd(float* dtable, const float* dy, const int32_t* idx, int64_t B, int64_t D, int64_t R) {
  if (B == 0) return;
  const GroupLaunch l = group_launch(B, D, aligned16(dtable) && aligned16(dy));
  DeviceError* err = device_error_slot();
  if (l.vec) gather_bwd_kernel<true><<<l.blocks, kThreads, 0, stream()>>>(dtable, dy, idx, B, D, R, l.lg, err);
  else gather_bwd_kernel<false><<<l.blocks, kThreads, 0, stream()>>>(dtable, dy, idx, B, D, R, l.lg, err);
  CUDA_CHECK_LAUNCH("gather_bwd_kernel");
}

int64_t coalesce_rows(int32_t* out_rows, float* out_vals, const int32_t* rows, const float* vals, int64_t B, int64_t D) {
  if (B == 0) return 0;
  if (B > std::numeric_limits<int32_t>::max())
    throw std::invalid_argument("coalesce_rows: " + std::to_string(B) + " rows do not fit int32 positions");
  const size_t n4 = static_cast<size_t>(B) * sizeof(int32_t);
  // One int32 scratch block: sorted keys, positions, sorted positions, heads/slots, run starts, U.
  size_t at = 0;
  const size_t o_keys = carve(at, n4), o_pos = carve(at, n4), o_perm = carve(at, n4), o_slot = carve(at, n4),
               o_start = carve(at, n4 + sizeof(int32_t)), o_u = carve(at, sizeof(int32_t));
  ScratchBuffer buf(at);
  char* base = buf.as<char>();
  int32_t *keys = reinterpret_cast<int32_t*>(base + o_keys), *pos = reinterpret_cast<int32_t*>(base + o_pos),
          *perm = reinterpret_cast<int32_t*>(base + o_perm), *slot = reinterpret_cast<int32_t*>(base + o_slot),
          *start = reinterpret_cast<int32_t*>(base + o_start), *u_dev = reinterpret_cast<int32_t*>(base + o_u);

  size_t sort_bytes = 0, scan_bytes = 0;
  CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, sort_bytes, rows, keys, pos, perm, B, 0, 32, stream()));
  CUDA_CHECK(cub::DeviceScan::InclusiveSum(nullptr, scan_bytes, slot, B, stream()));
  const size_t temp_cap = sort_bytes > scan_bytes ? sort_bytes : scan_bytes;
  ScratchBuffer temp(temp_cap);
  size_t temp_bytes = temp_cap;

  const unsigned blocks = grid_for(B, kThreads);
  coalesce_rows_iota_kernel<<<blocks, kThreads, 0, stream()>>>(pos, B);
  CUDA_CHECK_LAUNCH("coalesce_rows_iota_kernel");
  // Radix sort is stable: equal row ids keep their input order, as std::stable_sort does.
  CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp.as<void>(), temp_bytes, rows, keys, pos, perm, B, 0, 32, stream()));
  coalesce_rows_heads_kernel<<<blocks, kThreads, 0, stream()>>>(slot, keys, B);
  CUDA_CHECK_LAUNCH("coalesce_rows_heads_kernel");
  temp_bytes = temp_cap;
  CUDA_CHECK(cub::DeviceScan::InclusiveSum(temp.as<void>(), temp_bytes, slot, B, stream()));
  coalesce_rows_runs_kernel<<<blocks, kThreads, 0, stream()>>>(out_rows, start, u_dev, keys, slot, B);
  CUDA_CHECK_LAUNCH("coalesce_rows_runs_kernel");
  if (D > 0) {  // groups for B rows (U <= B is not known here yet); the kernel reads U itself
    const GroupLaunch l = group_launch(B, D, aligned16(out_vals) && aligned16(vals));
    if (l.vec)
      coalesce_rows_sum_kernel<true><<<l.blocks, kThreads, 0, stream()>>>(out_vals, vals, perm, start, u_dev, D, l.lg);
    else
      coalesce_rows_sum_kernel<false><<<l.blocks, kThreads, 0, stream()>>>(out_vals, vals, perm, start, u_dev, D, l.lg);
    CUDA_CHECK_LAUNCH("coalesce_rows_sum_kernel");
  }
  int32_t U = 0;
  CUDA_CHECK(cudaMemcpyAsync(&U, u_dev, sizeof U, cudaMemcpyDeviceToHost, stream()));
  CUDA_CHECK(cudaStreamSynchronize(stream()));
  return U;
}

}  // namespace neurec::cuda
