/**
 * Runs JavaScript in a child Node process, so a native crash is a failed assertion rather than a
 * dead test runner. The snippet sees `T` (the package, dist/src/index.js) and `A` (the CPU
 * addon's kernel table, through load.ts, so NEUREC_CPU_ADDON applies).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const dist = path.resolve(__dirname, '..', '..', 'src');

export interface Isolated {
  status: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export function runIsolated(code: string, timeoutMs = 60_000): Isolated {
  const prelude =
    `const T = require(${JSON.stringify(path.join(dist, 'index.js'))});\n` +
    `const A = require(${JSON.stringify(path.join(dist, 'backend', 'load.js'))}).cpu();\n`;
  const r = spawnSync(process.execPath, ['-e', prelude + code], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** A one-line account of how a child ended, for assertion messages. */
export function howItEnded(r: Isolated): string {
  const tail = (r.err || r.out).trim().split('\n').slice(-3).join(' | ');
  return r.signal ? `killed by ${r.signal}: ${tail}` : `exit ${r.status}: ${tail}`;
}
