/**
 * The default command against the PyTorch peer, seed by seed (issue 22): what a user gets from
 * `neurec train --dataset D` (NeuMF, epochs chosen on the validation carve, then the refit on all
 * training data) beside the peer's final epoch after the same number of epochs.
 *
 *   node dist/bench/defaults.js [--data ml-100k] [--epochs 20] [--seeds 1,2,3,4,5]
 *       [--carves carve,random] [--no-peer] [--only ours|peer] [--train-args "--sparse-adam"] [--threads 1] [--log runs/defaults-ml-100k.jsonl]
 *
 * Each carve is one `--validation` value of ours ('carve' is the default command). Every run's
 * JSON summary is appended to --log as it finishes and read back on the next start, so a long
 * series (ml-1m-ncf: about 40 minutes a seed for the peer on one core) survives interruption and
 * its table can be printed again without training. The table: per seed, ours (refit and
 * validation-selected, with the chosen epoch) and the peer; then means and the paired
 * difference ours minus peer (mean ± standard error over seeds).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const data = option('--data', 'ml-100k');
const epochs = option('--epochs', '20');
const seeds = option('--seeds', '1,2,3,4,5').split(',');
const carves = option('--carves', 'carve').split(',');
const threads = option('--threads', '1');
const noPeer = process.argv.includes('--no-peer');
// --only ours|peer: run that side only and read the other from the log (two lanes, one per core).
const only = option('--only', '');
// More options for our side (e.g. a candidate default), part of each run's key in the log.
const trainArgs = option('--train-args', '').split(' ').filter(Boolean);
const logFile = option('--log', path.join('runs', `defaults-${data}-${epochs}.jsonl`));
const peers = process.env.NEUREC_PEERS_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'peers');
const python = process.env.NEUREC_PYTHON ?? '/usr/bin/python3';
const cli = path.resolve(__dirname, '..', 'src', 'cli', 'main.js');

type Summary = Record<string, any>;
const done = new Map<string, Summary>();
if (fs.existsSync(logFile)) {
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) if (line.trim()) { const r = JSON.parse(line); done.set(r.key, r.summary); }
}
fs.mkdirSync(path.dirname(path.resolve(logFile)), { recursive: true });

function lastJson(out: string): Summary | null {
  try {
    return JSON.parse(out.trim().split('\n').pop() ?? '');
  } catch {
    return null;
  }
}

function once(key: string, cmd: string, args: string[]): Summary | null {
  if (done.has(key)) return done.get(key)!;
  if (only && !key.startsWith(only === 'ours' ? 'neurec ' : 'peer ')) return null;
  console.error(`# ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NEUREC_NUM_THREADS: threads } });
  const s = lastJson(r.stdout);
  if (!s) {
    console.error(`# failed (${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
    return null;
  }
  fs.appendFileSync(logFile, JSON.stringify({ key, summary: s }) + '\n');
  done.set(key, s);
  return s;
}

const ours = (carve: string, seed: string) => once(`neurec ${data} ${epochs} ${carve}${trainArgs.length ? ` ${trainArgs.join(' ')}` : ''} ${seed}`, process.execPath,
  [cli, 'train', '--dataset', data, '--epochs', epochs, '--seed', seed, '--validation', carve, '--threads', threads, ...trainArgs, '--no-save', '--json']);
const peer = (seed: string) => noPeer ? null : once(`peer ${data} ${epochs} ${seed}`, python,
  [path.join(peers, 'torch_ncf.py'), '--data', data, '--model', 'neumf', '--epochs', epochs, '--seed', seed, '--threads', threads]);

const f3 = (x: number) => x.toFixed(3);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const se = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1) / xs.length);
const cols = carves.map((c) => c === 'carve' ? 'default command' : `--validation ${c}`);
console.log(`| seed | ${cols.map((c) => `${c}: refit HR@10 / NDCG@10 | selected (epoch)`).join(' | ')} | peer, epoch ${epochs} |`);
console.log(`|---|${cols.map(() => '---|---|').join('')}---|`);
const refit: number[][][] = carves.map(() => []), sel: number[][][] = carves.map(() => []), pr: number[][] = [];
for (const seed of seeds) {
  const cells: string[] = [];
  carves.forEach((carve, c) => {
    const o = ours(carve, seed);
    if (!o) return void cells.push('failed', '');
    const s = o.selected ?? o.metrics; // no refit when the starting weights were kept
    refit[c].push([o.metrics.sampled['hr@10'], o.metrics.sampled['ndcg@10']]);
    sel[c].push([s.sampled['hr@10'], s.sampled['ndcg@10']]);
    cells.push(`${f3(o.metrics.sampled['hr@10'])} / ${f3(o.metrics.sampled['ndcg@10'])}`, `${f3(s.sampled['hr@10'])} / ${f3(s.sampled['ndcg@10'])} (${o.best_epoch})`);
  });
  const p = peer(seed);
  if (p) pr.push([p.final_hr10, p.final_ndcg10]);
  console.log(`| ${seed} | ${cells.join(' | ')} | ${p ? `${f3(p.final_hr10)} / ${f3(p.final_ndcg10)}` : '—'} |`);
}
const m = (rows: number[][], k: number) => rows.length ? f3(mean(rows.map((r) => r[k]))) : '—';
console.log(`| mean | ${carves.map((_, c) => `**${m(refit[c], 0)} / ${m(refit[c], 1)}** | ${m(sel[c], 0)} / ${m(sel[c], 1)}`).join(' | ')} | **${m(pr, 0)} / ${m(pr, 1)}** |`);
if (pr.length === seeds.length) {
  carves.forEach((carve, c) => {
    if (refit[c].length !== seeds.length) return;
    const d = [0, 1].map((k) => refit[c].map((r, s) => r[k] - pr[s][k]));
    const ds = [0, 1].map((k) => sel[c].map((r, s) => r[k] - pr[s][k]));
    const pm = (xs: number[]) => `${mean(xs) >= 0 ? '+' : '−'}${Math.abs(mean(xs)).toFixed(4)} ± ${se(xs).toFixed(4)}`;
    console.log(`\n${cols[c]} minus peer, paired by seed (mean ± s.e.): refit HR@10 ${pm(d[0])}, NDCG@10 ${pm(d[1])}; selected HR@10 ${pm(ds[0])}, NDCG@10 ${pm(ds[1])}`);
  });
}
