/**
 * Loads the native addons through `bindings`: the CPU addon is required, the CUDA addon is
 * optional. Every failure reason is kept so `whyNot('cuda')` can explain what to do.
 */
import * as path from 'path';
import bindings from 'bindings';
import type { Addon } from './addon_types';

export type Device = 'cpu' | 'cuda';

let cpuAddon: Addon | null = null;
let cudaAddon: Addon | null | undefined;
let cudaBuilt: Addon | null = null;
const reasons: Record<Device, string[]> = { cpu: [], cuda: [] };

export function cpu(): Addon {
  if (cpuAddon) return cpuAddon;
  try {
    // NEUREC_CPU_ADDON: another build of the addon (npm run test:asan points it at the
    // AddressSanitizer build in build-asan/, leaving build/Release alone).
    const other = process.env.NEUREC_CPU_ADDON;
    cpuAddon = (other ? require(path.resolve(other)) : bindings('neurec_cpu')) as Addon;
    return cpuAddon;
  } catch (e) {
    reasons.cpu.push((e as Error).message);
    throw new Error(
      `neurec: the CPU addon neurec_cpu could not be loaded (${(e as Error).message.split('\n')[0]}). ` +
        `Build it with \`npm ci\` or \`npx node-gyp rebuild\` (needs python3, make and a C++17 compiler).`,
    );
  }
}

export function cuda(): Addon | null {
  if (cudaAddon !== undefined) return cudaAddon;
  cudaAddon = null;
  try {
    const addon = bindings('neurec_cuda') as Addon;
    cudaBuilt = addon;
    const st = addon.deviceStatus ? addon.deviceStatus() : { devices: 0, error: 'the addon has no deviceStatus()' };
    if (st.devices > 0) cudaAddon = addon;
    else
      reasons.cuda.push(
        `the CUDA addon loaded but found no CUDA device (${st.error ?? 'none visible'}); check the NVIDIA driver (nvidia-smi) and CUDA_VISIBLE_DEVICES`,
      );
  } catch (e) {
    reasons.cuda.push(
      `the CUDA addon neurec_cuda is not built (${(e as Error).message.split('\n')[0]}); run \`npm run build:cuda\` on a machine with nvcc`,
    );
  }
  return cudaAddon;
}

/**
 * The CUDA addon when it is built, even with no device to run it (its kernel table and error
 * paths can be checked without a GPU); null when it is not built.
 */
export function cudaAddonBuild(): Addon | null {
  cuda();
  return cudaBuilt;
}

/** Devices whose addon loaded and works here. */
export function backends(): Device[] {
  const out: Device[] = ['cpu'];
  if (cuda()) out.push('cuda');
  return out;
}

/** Why a device is unavailable ('' when it is available). */
export function whyNot(device: Device): string {
  if (device === 'cuda') cuda();
  return reasons[device].join('; ');
}

export function addonFor(device: Device): Addon {
  if (device === 'cpu') return cpu();
  if (device !== 'cuda') throw new Error(`neurec: unknown device ${JSON.stringify(device)} (expected cpu or cuda)`);
  const a = cuda();
  if (!a) throw new Error(`neurec: device 'cuda' is unavailable: ${whyNot('cuda')}`);
  return a;
}

let current: Device = 'cpu';

/** The device new tensors go to when none is named (parameters, batches, scores). */
export function defaultDevice(): Device {
  return current;
}

/**
 * Makes `device` the default for new tensors, so models, trainers and evaluation run there
 * with no code change. Throws, saying why, when the device is unavailable.
 */
export function setDefaultDevice(device: Device): void {
  addonFor(device);
  current = device;
}

/** 'auto' is CUDA when a device and the CUDA addon are there, else the CPU. */
export function resolveDevice(name: string): Device {
  if (name === 'cpu') return 'cpu';
  if (name === 'cuda') {
    addonFor('cuda');
    return 'cuda';
  }
  if (name === 'auto') return cuda() ? 'cuda' : 'cpu';
  throw new Error(`neurec: unknown device '${name}' (expected cpu, cuda or auto)`);
}

/** Waits for queued device work (timing) and surfaces faults kernels recorded; no-op on CPU. */
export function synchronize(device: Device = current): void {
  if (device === 'cuda') addonFor('cuda').synchronize?.();
}
