/**
 * The row models at scale (the scale issue): one epoch of item- and user-based AutoRec and of
 * Mult-VAE on a large data set, each in its own child process so each peak RSS is its own.
 *
 *   node dist/bench/scale_rows.js --data DIR [--models i-autorec,u-autorec,vae] [--seconds 60]
 *
 * An epoch at ml-20m's size takes minutes to hours, so each model trains for about --seconds of
 * steps after the first 64-batch progress mark (the warm-up: tables allocated, JIT compiled),
 * and the epoch's time is extrapolated from the rows done per second; the peak RSS is the
 * child's VmHWM at that point (the weights, Adam's state, the input rows and a batch are all
 * allocated by then; an epoch adds nothing). Defaults as `neurec train`: I-AutoRec 500 hidden,
 * U-AutoRec 200-100-200, batch 256; Mult-VAE 600-200, batch 500. Take it on a quiet machine.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { resolveDataset } from '../src/data/source';
import { AutoRec } from '../src/models/autorec';
import { MultVAE } from '../src/models/multvae';
import { trainAutoRec, trainMultVae } from '../src/train/rows';

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const MODELS = ['i-autorec', 'u-autorec', 'vae'];

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

class Enough extends Error {}

/** In the child: train one model until the time is up, print one JSON line. */
function child(model: string, dir: string, seconds: number): void {
  const t0 = performance.now();
  const data = resolveDataset(dir);
  const loadSeconds = (performance.now() - t0) / 1000;
  const { nUsers, nItems } = data;
  let mark: { t: number; done: number } | null = null, last = { t: 0, done: 0, total: 0 };
  const onProgress = (done: number, total: number) => {
    const t = performance.now();
    if (!mark) mark = { t, done };
    last = { t, done, total };
    if ((t - mark.t) / 1000 >= seconds) throw new Enough();
  };
  let net: AutoRec | MultVAE;
  const ts = performance.now();
  let finished = false;
  try {
    if (model === 'vae') {
      net = new MultVAE({ nUsers, nItems, seed: 1 });
      trainMultVae(net, data, { epochs: 1, batchSize: 500, onProgress });
      finished = true;
    } else {
      const variant = model === 'i-autorec' ? 'item' : 'user';
      net = new AutoRec({ variant, nUsers, nItems, hidden: variant === 'item' ? [500] : [200, 100, 200], activation: 'sigmoid', seed: 1 });
      trainAutoRec(net, data, { epochs: 1, batchSize: 256, lambda: variant === 'item' ? 200 : 3, onProgress });
      finished = true;
    }
  } catch (e) {
    if (!(e instanceof Enough)) throw e;
  }
  // A whole epoch done within the time is reported as it ran (warm-up included).
  const m = mark as { t: number; done: number } | null;
  const epochSeconds = finished ? (performance.now() - ts) / 1000 : (last.total * (last.t - m!.t)) / 1000 / (last.done - m!.done);
  console.log(JSON.stringify({
    model, rows: last.total, inputWidth: model === 'i-autorec' ? nUsers : nItems, loadSeconds: +loadSeconds.toFixed(1),
    epochSeconds: +epochSeconds.toFixed(1), measuredRows: finished ? last.total : last.done - m!.done, peakRssMb: peakRssMb(),
  }));
}

function main(): void {
  const dir = option('--data', '');
  if (!dir) throw new Error('scale_rows: --data DIR (a data set folder, e.g. the make_synth ml-20m one)');
  const seconds = Number(option('--seconds', '60'));
  if (process.argv.includes('--child')) return child(option('--child', ''), dir, seconds);
  const models = option('--models', MODELS.join(',')).split(',');
  for (const m of models) if (!MODELS.includes(m)) throw new Error(`scale_rows: unknown model ${m}; known: ${MODELS.join(', ')}`);
  console.log('| model | rows an epoch | input width | s / epoch (extrapolated) | rows measured | peak RSS |\n|---|---|---|---|---|---|');
  for (const m of models) {
    const r = spawnSync(process.execPath, [__filename, '--data', dir, '--seconds', String(seconds), '--child', m], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) {
      console.log(`| ${m} | failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}) | | | | |`);
      continue;
    }
    const j = JSON.parse(line);
    console.log(`| ${m} | ${j.rows.toLocaleString('en-US')} | ${j.inputWidth.toLocaleString('en-US')} | ${j.epochSeconds} | ${j.measuredRows.toLocaleString('en-US')} | ${j.peakRssMb.toLocaleString('en-US')} MB |`);
  }
}

main();
