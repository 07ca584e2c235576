// Host stand-ins for the CUB device algorithms kernels/ uses, with CUB's two-phase protocol:
// a call with d_temp_storage == nullptr only sets temp_storage_bytes; a call with storage
// checks it is large enough, scribbles over it (storage that overlaps live data shows up as a
// wrong answer) and does the work on the host.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <vector>

namespace cub {
namespace detail {
// Bytes a call on n items asks for: something that grows with n, as CUB's does.
inline size_t temp_bytes(int64_t n, size_t per_item) { return 1024 + static_cast<size_t>(n) * per_item; }
inline bool take(void* d, size_t& bytes, size_t need, cudaError_t* err) {
  if (!d) {
    bytes = need;
    *err = cudaSuccess;
    return false;
  }
  if (bytes < need) {
    *err = cudaErrorInvalidValue;
    return false;
  }
  std::memset(d, 0xA5, need);
  return true;
}
// The key's bits as CUB orders them: signed integers with the sign bit flipped.
template <class K>
uint64_t radix_bits(K k) {
  static_assert(std::is_integral_v<K>, "only integer keys are emulated");
  using U = std::make_unsigned_t<K>;
  U u = static_cast<U>(k);
  if constexpr (std::is_signed_v<K>) u ^= U{1} << (sizeof(K) * 8 - 1);
  return u;
}
}  // namespace detail

struct DeviceRadixSort {
  // Stable ascending sort of (key, value) pairs by key bits [begin_bit, end_bit).
  template <class K, class V, class N>
  static cudaError_t SortPairs(void* d_temp_storage, size_t& temp_storage_bytes, const K* keys_in, K* keys_out,
                               const V* values_in, V* values_out, N num_items, int begin_bit = 0,
                               int end_bit = sizeof(K) * 8, cudaStream_t = nullptr) {
    cudaError_t err;
    const int64_t n = static_cast<int64_t>(num_items);
    if (!detail::take(d_temp_storage, temp_storage_bytes, detail::temp_bytes(n, 2 * (sizeof(K) + sizeof(V))), &err))
      return err;
    const int width = end_bit - begin_bit;
    const uint64_t mask = width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return ((detail::radix_bits(keys_in[a]) >> begin_bit) & mask) < ((detail::radix_bits(keys_in[b]) >> begin_bit) & mask);
    });
    std::vector<K> k(static_cast<size_t>(n));
    std::vector<V> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) k[i] = keys_in[order[i]], v[i] = values_in[order[i]];
    std::copy(k.begin(), k.end(), keys_out);
    std::copy(v.begin(), v.end(), values_out);
    return cudaSuccess;
  }
};

struct DeviceScan {
  template <class In, class Out, class N, class = std::enable_if_t<!std::is_integral_v<Out>>>
  static cudaError_t InclusiveSum(void* d_temp_storage, size_t& temp_storage_bytes, In d_in, Out d_out, N num_items,
                                  cudaStream_t = nullptr) {
    return scan(d_temp_storage, temp_storage_bytes, d_in, d_out, static_cast<int64_t>(num_items), true);
  }
  template <class It, class N, class = std::enable_if_t<std::is_integral_v<N>>>
  static cudaError_t InclusiveSum(void* d_temp_storage, size_t& temp_storage_bytes, It d_data, N num_items,
                                  cudaStream_t = nullptr) {
    return scan(d_temp_storage, temp_storage_bytes, d_data, d_data, static_cast<int64_t>(num_items), true);
  }
  template <class In, class Out, class N, class = std::enable_if_t<!std::is_integral_v<Out>>>
  static cudaError_t ExclusiveSum(void* d_temp_storage, size_t& temp_storage_bytes, In d_in, Out d_out, N num_items,
                                  cudaStream_t = nullptr) {
    return scan(d_temp_storage, temp_storage_bytes, d_in, d_out, static_cast<int64_t>(num_items), false);
  }
  template <class It, class N, class = std::enable_if_t<std::is_integral_v<N>>>
  static cudaError_t ExclusiveSum(void* d_temp_storage, size_t& temp_storage_bytes, It d_data, N num_items,
                                  cudaStream_t = nullptr) {
    return scan(d_temp_storage, temp_storage_bytes, d_data, d_data, static_cast<int64_t>(num_items), false);
  }

 private:
  template <class In, class Out>
  static cudaError_t scan(void* d, size_t& bytes, In in, Out out, int64_t n, bool inclusive) {
    cudaError_t err;
    if (!detail::take(d, bytes, detail::temp_bytes(n, 4), &err)) return err;
    using T = std::remove_cv_t<std::remove_reference_t<decltype(*out)>>;
    T acc{};
    for (int64_t i = 0; i < n; ++i) {
      const T x = in[i];  // read before the write: in and out may be the same
      if (inclusive) acc += x;
      out[i] = acc;
      if (!inclusive) acc += x;
    }
    return cudaSuccess;
  }
};
}  // namespace cub
