/**
 * Headless Chromium for pictures (report --png, bench plots) and the browser tests: Debian's
 * `chromium` (apt-get install -y chromium) driven by playwright-core, which downloads no
 * browser of its own. The flags keep it off the network: without them it stalls on a closed one.
 */
import * as fs from 'fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser to drive: $NEUREC_CHROMIUM, else the first of Debian's usual paths that exists. */
export function findChromium(): string | null {
  const given = process.env.NEUREC_CHROMIUM;
  if (given) return fs.existsSync(given) ? given : null;
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

export function noChromiumMessage(): string {
  const given = process.env.NEUREC_CHROMIUM;
  return given ? `NEUREC_CHROMIUM=${given} does not exist` : `no Chromium at ${CANDIDATES.join(', ')}: apt-get install -y chromium (or set NEUREC_CHROMIUM to a Chrome or Chromium binary)`;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(noChromiumMessage());
  let pw: typeof import('playwright-core');
  try {
    pw = require('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed (npm install playwright-core): ${(e as Error).message}`);
  }
  // The browser is not under test: test:asan's preloaded sanitizer (for the addon) stays out of it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'LD_PRELOAD' && !k.startsWith('ASAN_'))) as Record<string, string>;
  return pw.chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, env, timeout: 60_000 });
}
