/**
 * Loads the native addons through `bindings`: the CPU addon is required, the CUDA addon is
 * optional. Every failure reason is kept so `whyNot('cuda')` can explain what to do.
 */
import bindings from 'bindings';
import type { Addon } from './addon_types';

export type Device = 'cpu' | 'cuda';

let cpuAddon: Addon | null = null;
let cudaAddon: Addon | null | undefined;
const reasons: Record<Device, string[]> = { cpu: [], cuda: [] };

export function cpu(): Addon {
  if (cpuAddon) return cpuAddon;
  try {
    cpuAddon = bindings('neurec_cpu') as Addon;
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
    const addon = bindings('neurec_cuda') as Addon & { deviceCount?: () => number };
    const n = addon.deviceCount ? addon.deviceCount() : 0;
    if (n > 0) cudaAddon = addon;
    else reasons.cuda.push('the CUDA addon loaded but found no CUDA device (check the driver and CUDA_VISIBLE_DEVICES)');
  } catch (e) {
    reasons.cuda.push(
      `the CUDA addon neurec_cuda is not built (${(e as Error).message.split('\n')[0]}); run \`npm run build:cuda\` on a machine with nvcc`,
    );
  }
  return cudaAddon;
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
  const a = cuda();
  if (!a) throw new Error(`neurec: device 'cuda' is unavailable: ${whyNot('cuda')}`);
  return a;
}
