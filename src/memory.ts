/** Live tensor and native memory counters, for tests and leak hunts. */
import { Tensor, drainPool, poolStats } from './tensor';
import { cpu } from './backend/load';

export interface MemoryInfo {
  /** Tensor objects not yet disposed (views count separately). */
  tensors: number;
  /** Native storages alive on the CPU addon. */
  storages: number;
  /** Bytes held by those storages. */
  bytes: number;
}

export function memory(): MemoryInfo {
  const s = cpu().storageStats();
  // Handles waiting in the reuse pool belong to no tensor: they are not counted as live.
  return { tensors: Tensor.liveCount(), storages: s.liveStorages - poolStats.count, bytes: s.liveBytes - poolStats.bytes };
}

/** Bytes of freed buffers the native allocator keeps for reuse (NEUREC_CACHE_MB caps it). */
export function cachedBytes(): number {
  return cpu().storageStats().cachedBytes + poolStats.bytes;
}

/** Returns the allocator's cached buffers to the system; the bytes released. */
export function releaseCache(): number {
  const pooled = poolStats.bytes;
  drainPool();
  return pooled + cpu().releaseCache();
}

/** Threads the CPU kernels use (NEUREC_NUM_THREADS sets the default). */
export function setNumThreads(n: number): number {
  return cpu().setNumThreads(n);
}

export function capabilities() {
  return cpu().capabilities();
}
