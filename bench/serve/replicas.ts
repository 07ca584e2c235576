/**
 * `npm run bench:replicas`: two `neurec serve` replicas on this machine over one PostgreSQL
 * event store, beside one replica on SQLite (the embedded default), the same checkpoint behind
 * both (bench:serve's, runs/bench-serve/):
 *   - reads and durable writes at N connections (default 100), split evenly across the
 *     replicas, autocannon in its own processes (load.ts): requests/s, p50, p99;
 *   - PostgreSQL queries per request over each run (the replicas' neurec_store_queries), the
 *     database's share of the work;
 *   - the cross-replica lag, idle and under the write load: each replica's own histogram of
 *     the delay from the other's commit to dropping the user's cached state (every write's
 *     notification), and from outside: a new user's answer cached on B, an interaction posted
 *     to A, B polled back to back until its state of the user counts it, then its answer;
 *   - per replica: peak RSS, and the connections it holds (pool + change feed).
 *
 *   npm run bench:replicas -- [--data ml-1m-ncf] [--model neumf] [--seconds 10] [--connections 100]
 *                             [--lag-samples 200] [--pg postgres://postgres@127.0.0.1:5432/test] [--write]
 *
 * The schema bench_replicas in that database is dropped before and after. --write puts the
 * table in bench/RESULTS.md.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import pg from 'pg';
import { resolveDataset } from '../../src/data/source';
import { peakRssMb, startServer, stopServer, type ServerProc } from './server';
import { load, writeTargets, type LoadResult } from './load';
import { benchCheckpoint } from './checkpoints';
import { writeResults } from './results';

const USAGE = `npm run bench:replicas -- [--data ml-1m-ncf] [--model neumf] [--seconds 10] [--connections 100]
                            [--lag-samples 200] [--pg postgres://postgres@127.0.0.1:5432/test] [--write]`;
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const flag = (name: string) => process.argv.includes(name);

const data = arg('--data', 'ml-1m-ncf');
const model = arg('--model', 'neumf');
const seconds = Number(arg('--seconds', '10'));
const connections = Number(arg('--connections', '100'));
const lagSamples = Number(arg('--lag-samples', '200'));
const server = arg('--pg', process.env.NEUREC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const SCHEMA = 'bench_replicas';

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/**
 * Queries the replicas have sent to PostgreSQL so far and the user requests they have answered
 * (their /metrics, a second after the load stopped, so requests autocannon cut off count too).
 */
async function served(replicas: ServerProc[]): Promise<{ queries: number; requests: number }> {
  await new Promise((r) => setTimeout(r, 1000));
  let queries = 0, requests = 0;
  for (const s of replicas) {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    queries += Number(/^neurec_store_queries (\d+)/m.exec(text)?.[1] ?? NaN);
    for (const m of text.matchAll(/^neurec_http_requests_total\{route="\/v1\/users\/:user\/(?:recommendations|interactions)"[^}]*\} (\d+)/gm)) requests += Number(m[1]);
  }
  return { queries, requests };
}

interface Row {
  setup: string;
  kind: 'reads' | 'writes';
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  /** Queries sent to PostgreSQL per request (null on SQLite). */
  queriesPerRequest: number | null;
  /** Connections per replica, halfway through the run (PostgreSQL). */
  held: { pool: number; feeds: number } | null;
}

/** `connections` split evenly across `replicas`, one load process each; p50/p99 are the worst replica's. */
async function run(setup: string, replicas: ServerProc[], kind: 'reads' | 'writes', targets: string, pgStats: boolean): Promise<Row> {
  const before = pgStats ? await served(replicas) : null;
  const midway = pgStats ? new Promise<Row['held']>((r) => setTimeout(() => void connectionsHeld().then(r), seconds * 500)) : null;
  const parts: LoadResult[] = await Promise.all(replicas.map((s) => load(s.url, kind, Math.round(connections / replicas.length), seconds, targets)));
  const after = before ? await served(replicas) : null;
  const tx = before && after ? (after.queries - before.queries) / (after.requests - before.requests) : null;
  const row: Row = {
    setup, kind, rps: parts.reduce((n, p) => n + p.rps, 0), p50: Math.max(...parts.map((p) => p.p50_ms)), p99: Math.max(...parts.map((p) => p.p99_ms)),
    failed: parts.reduce((n, p) => n + p.errors + p.non2xx + p.timeouts, 0), queriesPerRequest: tx, held: midway ? await midway : null,
  };
  console.log(`${setup} ${kind}: ${row.rps} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.failed} failed${tx === null ? '' : `, ${tx.toFixed(2)} PostgreSQL queries a request`}`);
  return row;
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const r = await fetch(url, init);
  return { status: r.status, body: await r.json() };
}

interface Lags {
  /** To B's state of the user counting the write (GET .../profile, polled back to back). */
  state: number[];
  /** To B's recommendations counting it (the state's lag plus one answer, a fold-in included). */
  answer: number[];
}

/**
 * Milliseconds from A acknowledging a new user's interaction to B seeing it, B having that
 * user's answer cached before the write; `samples` users one after another.
 */
async function lag(a: ServerProc, b: ServerProc, items: string[], samples: number, tag: string, into: Lags): Promise<void> {
  for (let k = 0; k < samples; k++) {
    const user = `lag-${tag}-${process.pid}-${k}`;
    const recs = () => json(`${b.url}/v1/users/${user}/recommendations?k=10`);
    if ((await recs()).body.interactions !== 0) throw new Error(`${user} is not new`);
    const posted = await fetch(`${a.url}/v1/users/${user}/interactions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: items[k % items.length], kind: 'click', id: `${tag}-${k}` }),
    });
    await posted.text();
    if (posted.status !== 201) throw new Error(`lag write answered ${posted.status}`);
    const t0 = performance.now();
    while ((await json(`${b.url}/v1/users/${user}/profile`)).body.events === 0) {
      if (performance.now() - t0 > 10_000) throw new Error(`replica B did not see ${user}'s write in 10 s`);
    }
    into.state.push(performance.now() - t0);
    if ((await recs()).body.interactions !== 1) throw new Error(`B's answer for ${user} does not count the write`);
    into.answer.push(performance.now() - t0);
  }
}

const lagLine = (l: number[]) => `p50 ${f1(pct(l, 0.5))} ms, p99 ${f1(pct(l, 0.99))} ms`;

/** The replicas' change-feed delay histograms summed: cumulative count by upper bound (seconds). */
async function feedDelays(replicas: ServerProc[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const s of replicas) {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    for (const m of text.matchAll(/^neurec_change_feed_delay_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)) {
      const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
      out.set(le, (out.get(le) ?? 0) + Number(m[2]));
    }
  }
  return out;
}

/** Quantile q (in ms) of what was observed between two scrapes, interpolated in its bucket (as histogram_quantile does). */
function histQuantile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const les = [...after.keys()].sort((x, y) => x - y);
  const count = (le: number) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const rank = q * count(Infinity);
  let lower = 0, below = 0;
  for (const le of les) {
    const c = count(le);
    if (c >= rank && c > below) return le === Infinity ? lower * 1000 : 1000 * (lower + ((le - lower) * (rank - below)) / (c - below));
    lower = le;
    below = c;
  }
  return NaN;
}

/** Change-feed delays over a phase: p50 and p99 in ms, and how many notifications. */
interface FeedDelay {
  p50: number;
  p99: number;
  n: number;
}

function feedDelay(before: Map<number, number>, after: Map<number, number>): FeedDelay {
  return { p50: histQuantile(before, after, 0.5), p99: histQuantile(before, after, 0.99), n: (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0) };
}

/** Connections each replica holds now: its pool's and its change feed's. */
async function connectionsHeld(): Promise<{ pool: number; feeds: number }> {
  const rows = await sql<{ app: string; n: string }>(
    "SELECT application_name AS app, count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND (application_name = 'neurec' OR application_name = $1) GROUP BY 1",
    [`neurec:${SCHEMA} changes`]);
  const n = (app: string) => Number(rows.find((r) => r.app === app)?.n ?? 0);
  return { pool: n('neurec') / 2, feeds: n(`neurec:${SCHEMA} changes`) / 2 };
}

async function main(): Promise<void> {
  if (flag('--help')) return void console.log(USAGE);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-bench-replicas-'));
  const d = resolveDataset(data, {});
  const targets = path.join(tmp, 'targets.json');
  writeTargets(d, targets);
  const items = Array.from({ length: d.nItems }, (_, i) => String(d.itemIds.raw(i)));
  const checkpoint = benchCheckpoint(model, data);
  const url = new URL(server);
  url.searchParams.set('schema', SCHEMA);
  await sql(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  const maxConnections = (await sql<{ max_connections: string }>('SHOW max_connections'))[0].max_connections;
  const pgVersion = (await sql<{ server_version: string }>('SHOW server_version'))[0].server_version;

  const [a, b] = await Promise.all([startServer(checkpoint, url.toString()), startServer(checkpoint, url.toString())]);
  const lite = await startServer(checkpoint, path.join(tmp, 'events.sqlite'));
  const rows: Row[] = [];
  const lagIdle: Lags = { state: [], answer: [] }, lagLoaded: Lags = { state: [], answer: [] };
  let delayIdle: FeedDelay = { p50: NaN, p99: NaN, n: 0 }, delayLoaded = delayIdle;
  try {
    for (const s of [a, b, lite]) await load(s.url, 'reads', 10, 2, targets); // warm-up
    const pgSetup = '2 replicas, PostgreSQL', liteSetup = '1 replica, SQLite';
    rows.push(await run(pgSetup, [a, b], 'reads', targets, true));
    rows.push(await run(liteSetup, [lite], 'reads', targets, false));
    rows.push(await run(pgSetup, [a, b], 'writes', targets, true));
    rows.push(await run(liteSetup, [lite], 'writes', targets, false));
    let d0 = await feedDelays([a, b]);
    await lag(a, b, items, lagSamples, 'idle', lagIdle);
    delayIdle = feedDelay(d0, await feedDelays([a, b]));
    console.log(`lag, idle: state ${lagLine(lagIdle.state)}, answer ${lagLine(lagIdle.answer)} (${lagIdle.state.length} users)`);
    // Under load: the write load on both replicas while four clients sample the lag beside it.
    d0 = await feedDelays([a, b]);
    let loading = true;
    const loaded = Promise.all([a, b].map((s) => load(s.url, 'writes', Math.round(connections / 2), seconds, targets))).finally(() => (loading = false));
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all([0, 1, 2, 3].map(async (c) => {
      for (let k = 0; loading; k++) await lag(a, b, items, 1, `load-${c}-${k}`, lagLoaded);
    }));
    await loaded;
    delayLoaded = feedDelay(d0, await feedDelays([a, b]));
    console.log(`change feed delay: idle p50 ${f1(delayIdle.p50)} ms, p99 ${f1(delayIdle.p99)} ms (${delayIdle.n}); under load p50 ${f1(delayLoaded.p50)} ms, p99 ${f1(delayLoaded.p99)} ms (${delayLoaded.n})`);
    console.log(`lag, under ${connections} writing connections: state ${lagLine(lagLoaded.state)}, answer ${lagLine(lagLoaded.answer)} (${lagLoaded.state.length} users)`);
  } finally {
    const rss = { a: peakRssMb(a.proc.pid!), b: peakRssMb(b.proc.pid!), lite: peakRssMb(lite.proc.pid!) };
    await Promise.all([a, b, lite].map(stopServer));
    await sql(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    fs.rmSync(tmp, { recursive: true, force: true });
    if (rows.length === 4) {
      const text = table(rows, [lagIdle, delayIdle], [lagLoaded, delayLoaded], rss, pgVersion, maxConnections);
      console.log('\n' + text);
      if (flag('--write')) writeResults('replicas', 'Replicas over PostgreSQL (npm run bench:replicas)', text);
    }
  }
}

function table(rows: Row[], idle: [Lags, FeedDelay], loaded: [Lags, FeedDelay], rss: { a: number; b: number; lite: number }, pgVersion: string, maxConnections: string): string {
  const held = rows.find((r) => r.kind === 'writes' && r.held)?.held ?? { pool: NaN, feeds: NaN };
  const when = new Date().toISOString().slice(0, 10);
  const lines = [
    `Measured ${when} on ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, PostgreSQL ${pgVersion} on the same machine (default settings: synchronous_commit on, max_connections ${maxConnections}); ${model} on ${data}; ${connections} connections split evenly across the replicas, autocannon in its own processes on the same cores; ${seconds} s per row. p50 and p99 are the worst replica's.`,
    '',
    '| setup | load | requests/s | p50 ms | p99 ms | failed | PostgreSQL queries a request |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.setup} | ${r.kind === 'reads' ? 'reads' : 'durable writes'} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.failed} | ${r.queriesPerRequest === null ? '—' : r.queriesPerRequest.toFixed(2)} |`),
    '',
    '| cross-replica lag | notifications | commit on one replica to the other dropping the user\'s state (its histogram): p50 / p99 ms | users | A\'s 201 to B\'s state of the user (polled): p50 / p99 ms | to B\'s recommendations: p50 / p99 ms |',
    '|---|---|---|---|---|---|',
    ...([['idle', idle], [`under ${connections} writing connections`, loaded]] as const).map(([what, [l, d]]) =>
      `| ${what} | ${d.n} | ${f1(d.p50)} / ${f1(d.p99)} | ${l.state.length} | ${f1(pct(l.state, 0.5))} / ${f1(pct(l.state, 0.99))} | ${f1(pct(l.answer, 0.5))} / ${f1(pct(l.answer, 0.99))} |`),
    '',
    `Per replica: peak RSS ${rss.a} and ${rss.b} MB on PostgreSQL, ${rss.lite} MB on SQLite; ${held.pool} pooled connections open halfway through the write run (of --pool 10) plus ${held.feeds} for the change feed.`,
  ];
  return lines.join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
