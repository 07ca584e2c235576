/**
 * How cost grows with data (the scale issue): one NeuMF epoch (factors 8, batch 256, 4
 * negatives, sampling included) and the peak RSS of the whole run, on prefixes of one
 * ml-20m-shaped synthetic set: the first users' ratings up to about 1M, 5M, 10M and all 20M
 * interactions, so every size has the same catalogue and the same kind of users.
 *
 *   node dist/bench/scale.js [--sizes 1e6,5e6,10e6,20e6] [--dir ~/.cache/neurec/scale]
 *                            [--args "--sparse-adam"] [--write]
 *
 * The full set is written once by ../shared/peers/make_synth.py --shape ml-20m (about 5
 * minutes and 500 MB), the prefixes are cut from it by lines (its users come in order). Each
 * size runs `neurec train --epochs 1 --validation none --no-save --json` in a child process,
 * timed by the training loop's own figures; peak RSS is the child's (its /proc status at exit,
 * as train --json reports it), and the evaluation after the epoch (every user ranked over all items, and the
 * sampled protocol) is timed too. --write puts bench/scale.json (read by `npm run bench:plots` for
 * bench/img/scale-*.png) and prints the table for bench/RESULTS.md. Take it on a quiet machine.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const sizes = option('--sizes', '1e6,5e6,10e6,20e6').split(',').map(Number);
const dir = path.resolve(option('--dir', path.join(os.homedir(), '.cache', 'neurec', 'scale')));
const extra = option('--args', '').split(' ').filter(Boolean);
const python = process.env.NEUREC_PYTHON ?? '/usr/bin/python3';
const peers = process.env.NEUREC_PEERS_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'peers');
const cli = path.resolve(__dirname, '..', 'src', 'cli', 'main.js');

/** The whole ml-20m-shaped set, written once. */
function fullSet(): string {
  const full = path.join(dir, 'synth-ml-20m');
  if (fs.existsSync(path.join(full, 'ratings.dat'))) return full;
  console.log(`# writing ${full} (make_synth.py --shape ml-20m)`);
  const r = spawnSync(python, [path.join(peers, 'make_synth.py'), full, '--shape', 'ml-20m'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`make_synth.py failed (${r.status}); it needs numpy (apt-get install python3-numpy)`);
  return full;
}

/** The first users' ratings, whole users, until at least `n` lines. */
function prefix(full: string, n: number): string {
  const out = path.join(dir, `synth-ml-20m-${n / 1e6}M`);
  const file = path.join(out, 'ratings.dat');
  if (fs.existsSync(file)) return out;
  fs.mkdirSync(out, { recursive: true });
  // Bytes, not a string: the whole set is larger than V8's longest string.
  const bytes = fs.readFileSync(path.join(full, 'ratings.dat'));
  let at = 0, lines = 0, lastUser = '';
  while (at < bytes.length) {
    const end = bytes.indexOf(10, at);
    const user = bytes.toString('latin1', at, bytes.indexOf('::', at));
    if (lines >= n && user !== lastUser) break;
    lastUser = user;
    lines++;
    at = end < 0 ? bytes.length : end + 1;
  }
  fs.writeFileSync(file + '.tmp', bytes.subarray(0, at));
  fs.renameSync(file + '.tmp', file);
  return out;
}

interface Row { label: string; interactions: number; epochSeconds: number; samplingSeconds: number | null; samplesPerSecond: number; loadSeconds: number; evalSeconds: number; peakRssMb: number }

function run(data: string): Row {
  const args = [cli, 'train', '--model', 'neumf', '--dataset', data, '--epochs', '1', '--validation', 'none', '--no-save', '--json', ...extra];
  console.log(`# node ${args.slice(1).join(' ')}`);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0) throw new Error(`train failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const s = JSON.parse(last);
  return {
    // The epoch with its negative sampling (the loop times the two apart).
    label: path.basename(data), interactions: s.interactions, epochSeconds: s.seconds_per_epoch + (s.sampling_seconds_per_epoch ?? 0),
    samplingSeconds: s.sampling_seconds_per_epoch, samplesPerSecond: s.samples_per_second, loadSeconds: s.load_seconds, evalSeconds: s.eval_seconds, peakRssMb: s.peak_rss_mb,
  };
}

function main(): void {
  if (process.argv.includes('--help')) {
    console.log('usage: node dist/bench/scale.js [--sizes 1e6,5e6,10e6,20e6] [--dir DIR] [--args "..."] [--write]');
    return;
  }
  fs.mkdirSync(dir, { recursive: true });
  const full = fullSet();
  const rows = sizes.map((n) => run(n >= 20e6 ? full : prefix(full, n)));
  console.log('| data | interactions | s / epoch | sampling s | samples/s | load s | evaluation s (full ranking of every user, and the sampled protocol) | peak RSS MB |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.label} | ${r.interactions} | ${r.epochSeconds} | ${r.samplingSeconds ?? '—'} | ${r.samplesPerSecond} | ${r.loadSeconds} | ${r.evalSeconds} | ${r.peakRssMb} |`);
  if (process.argv.includes('--write')) {
    const source = `NeuMF (factors 8, batch 256, 4 negatives${extra.length ? `, ${extra.join(' ')}` : ''}), one epoch, prefixes of a make_synth.py ml-20m set, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}`;
    fs.writeFileSync(path.resolve(__dirname, '..', '..', 'bench', 'scale.json'), JSON.stringify({ source, rows }, null, 1) + '\n');
    console.log('# wrote bench/scale.json');
  }
}

main();
