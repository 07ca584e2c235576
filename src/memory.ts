/** Live tensor and native memory counters, for tests and leak hunts. */
import { Tensor } from './tensor';
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
  return { tensors: Tensor.liveCount(), storages: s.liveStorages, bytes: s.liveBytes };
}

/** Bytes of freed buffers the native allocator keeps for reuse (NEUREC_CACHE_MB caps it). */
export function cachedBytes(): number {
  return cpu().storageStats().cachedBytes;
}

/** Returns the allocator's cached buffers to the system; the bytes released. */
export function releaseCache(): number {
  return cpu().releaseCache();
}

/** Threads the CPU kernels use (NEUREC_NUM_THREADS sets the default). */
export function setNumThreads(n: number): number {
  return cpu().setNumThreads(n);
}

export function capabilities() {
  return cpu().capabilities();
}
