/**
 * What the browser tests share: whether Chromium is here (in CI, CI=true, its absence fails;
 * elsewhere the suite says loudly that it skipped), run folders trained by the real command on
 * the synthetic set, and a folder for screenshots (kept with NEUREC_KEEP_SCREENSHOTS=1, to look at).
 */
import { test } from 'uvu';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findChromium, noChromiumMessage } from '../../src/report/browser';

export const MAIN = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');

/** True when the suite can run; otherwise registers the reason (a failure in CI) and returns false. */
export function chromiumHere(suite: string): boolean {
  if (findChromium()) return true;
  const why = noChromiumMessage();
  if (process.env.CI === 'true') {
    test(`${suite}: Chromium is installed (CI runs the browser tests)`, () => {
      throw new Error(`${why}; .ci/run installs it with apt-get`);
    });
  } else {
    console.log(`\n  SKIP ${suite}: ${why}\n`);
  }
  return false;
}

/** `neurec train ... --dataset synthetic --save <dir>`, failing with its output. */
export function train(dir: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [MAIN, 'train', '--dataset', 'synthetic', '--save', dir, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`train ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return dir;
}

export function neurec(...args: string[]): string {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`neurec ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export function workDir(name: string): { dir: string; shots: string; done(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `neurec-${name}-`));
  const shots = path.join(dir, 'screenshots');
  fs.mkdirSync(shots);
  return {
    dir, shots,
    done: () => {
      if (process.env.NEUREC_KEEP_SCREENSHOTS === '1') console.log(`  ${name}: screenshots in ${shots}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
