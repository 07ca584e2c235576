/** Live tensor and native memory counters, for tests and leak hunts. */
import { Tensor, drainPool, poolStats } from './tensor';
import { addonFor, cpu, cuda, type Device } from './backend/load';

export interface MemoryInfo {
  /** Tensor objects not yet disposed (views count separately). */
  tensors: number;
  /** Native storages alive on the CPU addon. */
  storages: number;
  /** Bytes held by those storages. */
  bytes: number;
}

export function memory(device: Device = 'cpu'): MemoryInfo {
  const s = addonFor(device).storageStats();
  // Handles waiting in the reuse pool belong to no tensor: they are not counted as live.
  const pooled = poolStats[device];
  return { tensors: Tensor.liveCount(), storages: s.liveStorages - pooled.count, bytes: s.liveBytes - pooled.bytes };
}

/** Bytes of freed buffers the native allocator keeps for reuse (NEUREC_CACHE_MB caps it). */
export function cachedBytes(): number {
  return cpu().storageStats().cachedBytes + poolStats.cpu.bytes;
}

/** Returns the allocator's cached buffers to the system; the bytes released. */
export function releaseCache(): number {
  const pooled = poolStats.cpu.bytes + poolStats.cuda.bytes;
  drainPool();
  return pooled + cpu().releaseCache() + (cuda()?.releaseCache() ?? 0);
}

/** Threads the CPU kernels use (NEUREC_NUM_THREADS sets the default). */
export function setNumThreads(n: number): number {
  return cpu().setNumThreads(n);
}

/** What a backend offers: SIMD and threads on the CPU; device name and compute capability on CUDA. */
export function capabilities(device: Device = 'cpu') {
  return addonFor(device).capabilities();
}
