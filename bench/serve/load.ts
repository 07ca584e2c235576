/**
 * The load generator of `npm run bench:serve` and `bench:replicas`, run as its own process (so
 * it does not share the server's event loop): autocannon against one route with random users
 * or items, printing one JSON line of requests/s and latency percentiles. load() runs it.
 *
 *   node dist/bench/serve/load.js <url> <reads|writes> <connections> <seconds> <users file> [<rate>]
 *
 * With a rate, the connections together send that many requests a second (autocannon's
 * overallRate) instead of each sending its next as soon as its last is answered: latency at a
 * given throughput, not at saturation.
 */
import * as fs from 'fs';
import { spawn } from 'child_process';
import autocannon, { type Request } from 'autocannon';
import type { Interactions } from '../../src/data/dataset';

export interface LoadResult {
  kind: string;
  connections: number;
  /** Requests a second offered over all connections (0: as fast as answered). */
  rate: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  timeouts: number;
}

/** One autocannon run in its own process. */
export function load(url: string, kind: 'reads' | 'writes', connections: number, secs: number, targets: string, rate = 0): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [__filename, url, kind, String(connections), String(secs), targets, String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load ${kind} exited ${code}`))));
  });
}

/** The users and items load() draws from: every one of the data set's, by raw id. */
export function writeTargets(d: Interactions, file: string): void {
  fs.writeFileSync(file, JSON.stringify({
    users: Array.from({ length: d.nUsers }, (_, u) => String(d.userIds.raw(u))),
    items: Array.from({ length: d.nItems }, (_, i) => String(d.itemIds.raw(i))),
  }));
}

interface Target {
  users: string[];
  items: string[];
}

async function main(): Promise<void> {
  const [url, kind, conns, seconds, file, rate] = process.argv.slice(2);
  const t: Target = JSON.parse(fs.readFileSync(file, 'utf8'));
  const pick = (a: string[]) => a[Math.floor(Math.random() * a.length)];
  let n = 0;
  const request: Request = kind === 'reads'
    ? { method: 'GET' as const, setupRequest: (r) => ({ ...r, path: `/v1/users/${pick(t.users)}/recommendations?k=10` }) }
    : {
      method: 'POST' as const,
      setupRequest: (r) => ({
        ...r, path: `/v1/users/${pick(t.users)}/interactions`, headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ item: pick(t.items), kind: 'click', id: `${process.pid}-${n++}` }),
      }),
    };
  const result = await autocannon({ url, connections: Number(conns), duration: Number(seconds), requests: [request], ...(Number(rate) > 0 ? { overallRate: Number(rate) } : {}) });
  const lat = result.latency as unknown as Record<string, number>;
  console.log(JSON.stringify({
    kind, connections: Number(conns), rate: Number(rate) || 0, seconds: Number(seconds), requests: result.requests.total, rps: Math.round(result.requests.average),
    p50_ms: lat.p50, p90_ms: lat.p90, p99_ms: lat.p99, max_ms: lat.max, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx,
  }));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
