/**
 * `npm run bench:serve`: the service measured as it runs. autocannon from its own process on
 * loopback (it shares the machine's cores with the server: on 2 cores the load generator takes
 * roughly one of them), against NeuMF and I-AutoRec checkpoints of ml-1m-ncf, users drawn at
 * random:
 *   - reads: requests/s and p50/p99 at 1, 10 and 100 connections, each as fast as answered,
 *     then 100 connections offering --rate requests/s together (latency at that throughput);
 *   - writes: durable interactions/s at 10 connections, with reads at 10 connections beside them;
 *   - peak RSS of the server;
 *   - fold-in: per model, 5 and 50 ratings (bench/serve/foldin.ts);
 *   - kill -9 mid-burst: acknowledged vs stored events, time to ready again.
 *
 *   npm run bench:serve -- [--data ml-1m-ncf] [--seconds 10] [--models neumf,autoencoder]
 *                          [--fold-models neumf,gmf,mf,vae,autoencoder,u-autorec,mf-rating,classifier,features]
 *                          [--score-cache on,off] [--rate 5000] [--skip-load] [--skip-fold] [--skip-kill] [--write]
 *
 * Checkpoints are trained once into runs/bench-serve/ (few epochs: this measures serving, not
 * accuracy) and reused. --write puts the tables in bench/RESULTS.md.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { resolveDataset } from '../../src/data/source';
import { peakRssMb, startServer, stopServer } from './server';
import { load, writeTargets, type LoadResult } from './load';
import { benchCheckpoint } from './checkpoints';
import { writeResults } from './results';
import { foldInRow, type FoldInRow } from './foldin';
import { killNineTest } from './durability';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const flag = (name: string) => process.argv.includes(name);

const data = arg('--data', 'ml-1m-ncf');
const seconds = Number(arg('--seconds', '10'));
const loadModels = arg('--models', 'neumf,autoencoder').split(',');
// The score cache on (the default: a stored user's scores are kept until they write or the model
// reloads) and off (every request scores the whole catalogue).
const cacheModes = arg('--score-cache', 'on,off').split(',').map((m) => m === 'on');
const rate = Number(arg('--rate', '5000'));
const foldModels = arg('--fold-models', 'neumf,gmf,mf,vae,autoencoder,u-autorec,mf-rating,classifier,features').split(',');
const checkpoint = (name: string) => benchCheckpoint(name, data);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-bench-serve-'));

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

/** Server-side figures over one run, from /metrics: event-loop delay and scoring batches. */
interface ServerSide {
  loopP99Ms: number;
  loopMaxMs: number;
  meanBatch: number;
}

/** Reads /metrics; event-loop figures cover the time since the previous scrape (prom-client resets them). */
async function scrape(url: string, prev?: { sum: number; count: number }): Promise<ServerSide & { sum: number; count: number }> {
  const text = await (await fetch(url + '/metrics')).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);
  const sum = value('neurec_scoring_batch_size_sum'), count = value('neurec_scoring_batch_size_count');
  const dn = count - (prev?.count ?? 0);
  return {
    loopP99Ms: value('neurec_nodejs_eventloop_lag_p99_seconds') * 1000, loopMaxMs: value('neurec_nodejs_eventloop_lag_max_seconds') * 1000,
    meanBatch: dn > 0 ? (sum - (prev?.sum ?? 0)) / dn : NaN, sum, count,
  };
}

interface ModelLoad {
  model: string;
  reads: (LoadResult & { server: ServerSide })[];
  writes: LoadResult;
  writesBeside: LoadResult;
  readsDuringWrites: LoadResult;
  peakRssMb: number;
  readyMs: number;
}

async function loadBench(name: string, targets: string, cache: boolean): Promise<ModelLoad> {
  const s = await startServer(checkpoint(name), path.join(tmp, `${name}-${cache}-events.sqlite`), cache ? [] : ['--score-cache-mb', '0']);
  name = `${name}${cache ? '' : ', no score cache'}`;
  try {
    await load(s.url, 'reads', 10, 2, targets); // warm-up
    const reads: ModelLoad['reads'] = [];
    for (const [c, offered] of [[1, 0], [10, 0], [100, 0], [100, rate]]) {
      if (offered && !cache) continue; // uncached reads do not reach the rate: the row would say nothing more
      const before = await scrape(s.url);
      const r = await load(s.url, 'reads', c, seconds, targets, offered);
      const server = await scrape(s.url, before);
      console.log(`${name} reads  c=${String(c).padStart(3)}${offered ? ` at ${offered}/s offered` : ''}: ${r.rps} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms (${r.errors} errors, ${r.non2xx} non-2xx); mean batch ${f1(server.meanBatch)}, event-loop delay p99 ${f1(server.loopP99Ms)} ms, max ${f1(server.loopMaxMs)} ms`);
      reads.push({ ...r, server });
    }
    const writes = await load(s.url, 'writes', 10, seconds, targets);
    console.log(`${name} writes c= 10: ${writes.rps} durable interactions/s, p50 ${writes.p50_ms} ms, p99 ${writes.p99_ms} ms`);
    // Both at once: a read for a user who has just written is a fold-in (their vector refitted to
    // the new events), so these reads cost more than the plain reads above.
    const [writesBeside, readsDuringWrites] = await Promise.all([load(s.url, 'writes', 10, seconds, targets), load(s.url, 'reads', 10, seconds, targets)]);
    console.log(`${name} writes c= 10 with reads c=10 beside them: ${writesBeside.rps} interactions/s, p99 ${writesBeside.p99_ms} ms; the reads ${readsDuringWrites.rps} req/s, p99 ${readsDuringWrites.p99_ms} ms`);
    return { model: name, reads, writes, writesBeside, readsDuringWrites, peakRssMb: peakRssMb(s.proc.pid!), readyMs: Math.round(s.readyMs) };
  } finally {
    await stopServer(s);
  }
}


function tables(loads: ModelLoad[], folds: FoldInRow[], k9: Awaited<ReturnType<typeof killNineTest>> | null): string {
  const lines: string[] = [];
  const when = new Date().toISOString().slice(0, 10);
  let commit = '';
  try {
    commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  } catch {
    // not a checkout
  }
  lines.push(`Measured ${when}${commit ? ` at commit ${commit}` : ''} on ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}; ${data}; autocannon in its own process on the same cores (it takes about one of them); ${seconds} s per row.`, '');
  if (loads.length) {
    lines.push('| model | connections | requests/s | p50 ms | p99 ms | errors | mean batch | event-loop delay p99 / max ms |', '|---|---|---|---|---|---|---|---|');
    for (const l of loads) {
      for (const r of l.reads) lines.push(`| ${l.model} reads | ${r.connections}${r.rate ? `, ${r.rate}/s offered` : ''} | ${r.rps} | ${r.p50_ms} | ${r.p99_ms} | ${r.errors + r.non2xx + r.timeouts} | ${f1(r.server.meanBatch)} | ${f1(r.server.loopP99Ms)} / ${f1(r.server.loopMaxMs)} |`);
      lines.push(`| ${l.model} writes (durable) | 10 | ${l.writes.rps} | ${l.writes.p50_ms} | ${l.writes.p99_ms} | ${l.writes.errors + l.writes.non2xx + l.writes.timeouts} | | |`);
      lines.push(`| ${l.model} writes with reads beside | 10 | ${l.writesBeside.rps} | ${l.writesBeside.p50_ms} | ${l.writesBeside.p99_ms} | ${l.writesBeside.errors + l.writesBeside.non2xx + l.writesBeside.timeouts} | | |`);
      lines.push(`| ${l.model} reads beside the writes | 10 | ${l.readsDuringWrites.rps} | ${l.readsDuringWrites.p50_ms} | ${l.readsDuringWrites.p99_ms} | ${l.readsDuringWrites.errors + l.readsDuringWrites.non2xx} | | |`);
    }
    lines.push('', `Peak RSS of the server: ${loads.map((l) => `${l.model} ${l.peakRssMb} MB`).join(', ')}; ready ${loads.map((l) => `${l.model} ${l.readyMs} ms`).join(', ')} after start.`, '');
  }
  if (folds.length) {
    lines.push('| model | a new user\'s ratings | fold-in 5 ratings ms | 50 ratings ms | whole answer 5 / 50 ms | Horror fan: genre share of top 20 before → after |', '|---|---|---|---|---|---|');
    for (const f of folds) lines.push(`| ${f.model} | ${f.foldIn} | ${f1(f.fold5)} | ${f1(f.fold50)} | ${f1(f.total5)} / ${f1(f.total50)} | ${f.shareBefore.toFixed(2)} → ${f.shareAfter.toFixed(2)} |`);
    lines.push('');
  }
  if (k9) lines.push(`kill -9 mid-burst (${k9.clients} clients posting for ${k9.burstSeconds} s): ${k9.acknowledged} events acknowledged, ${k9.stored} stored, **${k9.lost} lost**; the restarted server was ready in ${k9.readyAgainMs} ms.`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const d = resolveDataset(data, {});
  const targets = path.join(tmp, 'targets.json');
  writeTargets(d, targets);
  const loads: ModelLoad[] = [];
  if (!flag('--skip-load'))
    for (const m of loadModels) for (const c of cacheModes) loads.push(await loadBench(m, targets, c));
  const folds: FoldInRow[] = [];
  if (!flag('--skip-fold')) {
    for (const m of foldModels) {
      const row = await foldInRow(m, checkpoint(m));
      console.log(`${m} fold-in: 5 ratings ${f1(row.fold5)} ms, 50 ratings ${f1(row.fold50)} ms (answers ${f1(row.total5)} / ${f1(row.total50)} ms); Horror share ${row.shareBefore} -> ${row.shareAfter}`);
      folds.push(row);
    }
  }
  let k9 = null;
  if (!flag('--skip-kill')) {
    k9 = await killNineTest(checkpoint('neumf'), path.join(tmp, 'k9.sqlite'), Array.from({ length: d.nItems }, (_, i) => String(d.itemIds.raw(i))));
    console.log(`kill -9: ${k9.acknowledged} acknowledged, ${k9.stored} stored, ${k9.lost} lost; ready again in ${k9.readyAgainMs} ms`);
  }
  const text = tables(loads, folds, k9);
  console.log('\n' + text);
  if (flag('--write')) writeResults('serve', 'Serving (npm run bench:serve)', text);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
