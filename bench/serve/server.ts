/** `neurec serve` as a child process for the serving benchmarks: start, wait for ready, stop, peak RSS. */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');

export interface ServerProc {
  proc: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readyMs: number;
}

export async function startServer(checkpoint: string, events: string, extra: string[] = []): Promise<ServerProc> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [CLI, 'serve', '--checkpoint', checkpoint, '--events', events, '--port', '0', '--log-level', 'warn', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /serving \S+ \(\S+\) on \S+ at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
  for (;;) {
    try {
      if ((await fetch(url + '/readyz')).status === 200) break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { proc, url, exited, readyMs: performance.now() - t0 };
}

/** Peak resident memory of a live process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

export async function stopServer(s: ServerProc): Promise<void> {
  s.proc.kill('SIGTERM');
  await s.exited;
}
