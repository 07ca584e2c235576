// Kernels that exercise the emulator itself (check_emu.cc knows their answers): shuffles of
// every kind and width, votes, __syncthreads_count/or/and, atomics, dynamic shared memory,
// and faults it must report (a deadlock, a shuffle after lanes exited, __launch_bounds__).
// Plain CUDA: nvcc compiles it too (run.sh only builds it for the emulator).
#include "common.cuh"

namespace emu_selftest {

using neurec::cuda::stream;

// 64 threads, 8 results each.
__global__ void warp_ops_kernel(int* out) {
  const int t = threadIdx.x, lane = t % 32;
  int* o = out + t * 8;
  o[0] = __shfl_sync(0xffffffffu, t, 5);
  o[1] = __shfl_xor_sync(0xffffffffu, t, 3);
  o[2] = __shfl_up_sync(0xffffffffu, t, 2);
  o[3] = __shfl_down_sync(0xffffffffu, t, 2, 8);
  o[4] = __shfl_sync(0xffffffffu, t, 3, 8);
  o[5] = static_cast<int>(__ballot_sync(0xffffffffu, lane % 3 == 0));
  o[6] = __syncthreads_count(t % 5 == 0);
  o[7] = __syncthreads_or(t == 63) + 2 * __syncthreads_and(t < 64);
}

// Every thread of every block adds into shared and global counters.
__global__ void atomics_kernel(int* ic, float* f, double* d, float4* f4, int* mx, unsigned* bits) {
  extern __shared__ int dyn[];
  __shared__ int cnt;
  if (threadIdx.x == 0) cnt = 0;
  dyn[threadIdx.x] = threadIdx.x;
  __syncthreads();
  atomicAdd(&cnt, 1);
  atomicAdd(f, 1.f);
  atomicAdd(d, 0.5);
  atomicAdd(f4, make_float4(1.f, 2.f, 3.f, 4.f));
  atomicMax(mx, static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x));
  atomicOr(bits, 1u << (threadIdx.x % 32));
  __syncthreads();
  if (threadIdx.x == 0) atomicAdd(ic, cnt + dyn[blockDim.x - 1]);
}

// Half of each warp waits at __syncwarp, the other half at __syncthreads: a deadlock.
__global__ void deadlock_kernel(int* out) {
  if (threadIdx.x % 32 < 16) __syncwarp();
  else __syncthreads();
  out[threadIdx.x] = 1;
}

// A shuffle after half the warp returned.
__global__ void exited_lanes_kernel(int* out) {
  if (threadIdx.x >= 16) return;
  out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, 1, 1);
}

__global__ void __launch_bounds__(64) bounded_kernel(int* out) { out[threadIdx.x] = 1; }

void warp_ops(int* out) {
  warp_ops_kernel<<<1, 64, 0, stream()>>>(out);
  CUDA_CHECK_LAUNCH("warp_ops_kernel");
}
void atomics(int* ic, float* f, double* d, float4* f4, int* mx, unsigned* bits) {
  atomics_kernel<<<4, 96, 96 * sizeof(int), stream()>>>(ic, f, d, f4, mx, bits);
  CUDA_CHECK_LAUNCH("atomics_kernel");
}
void deadlock(int* out) {
  deadlock_kernel<<<1, 64, 0, stream()>>>(out);
  CUDA_CHECK_LAUNCH("deadlock_kernel");
}
void exited_lanes(int* out) {
  exited_lanes_kernel<<<1, 32, 0, stream()>>>(out);
  CUDA_CHECK_LAUNCH("exited_lanes_kernel");
}
void bounded(int* out, int threads) {
  bounded_kernel<<<1, threads, 0, stream()>>>(out);
  CUDA_CHECK_LAUNCH("bounded_kernel");
}

}  // namespace emu_selftest
