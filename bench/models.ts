/**
 * End-to-end NCF models against the PyTorch peer, run one after the other in one go on the same
 * machine, at equal settings (peer-comparable: all training data, 4 negatives, batch 256, Adam
 * 1e-3, no validation carve, final epoch reported).
 *
 *   node dist/bench/models.js [--data ml-100k] [--models gmf,mlp,neumf] [--epochs 20] [--seeds 42] [--no-peer] [--write]
 *
 * --seeds 1,2,3,4,5 runs both sides once per seed (ours: init, shuffle and negatives; the
 * peer's --seed likewise) and adds a mean row per side, so a comparison does not hang on one
 * seed's luck.
 * Each side prints one JSON summary as its last line; the table compares accuracy (HR@10,
 * NDCG@10 on the identical evaluation set: the fingerprints must agree), training samples/s,
 * seconds per epoch, evaluation seconds and peak RSS.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const flag = (n: string) => process.argv.includes(n);

const data = option('--data', 'ml-100k');
const models = option('--models', 'gmf,mlp,neumf').split(',');
const epochs = option('--epochs', '20');
const seeds = option('--seeds', '42').split(',');
const peers = process.env.NEUREC_PEERS_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'peers');
const cli = path.resolve(__dirname, '..', 'src', 'cli', 'main.js');

function lastJson(out: string): Record<string, any> | null {
  const line = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

const rows: string[] = [
  '| model | impl | epochs | HR@10 | NDCG@10 | full HR@10 / NDCG@10 | samples/s | s/epoch | eval s | peak RSS | fingerprint |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
interface Run { hr: number; ndcg: number; sps: number; eval: number }
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function meanRow(m: string, impl: string, runs: Run[]): string {
  return `| ${m} | ${impl}, mean of ${runs.length} seeds | ${epochs} | **${mean(runs.map((r) => r.hr)).toFixed(3)}** | **${mean(runs.map((r) => r.ndcg)).toFixed(3)}** | | ${Math.round(mean(runs.map((r) => r.sps))).toLocaleString('en-US')} | | ${mean(runs.map((r) => r.eval)).toFixed(2)} | | |`;
}
for (const m of models) {
  const ourRuns: Run[] = [], peerRuns: Run[] = [];
  for (const seed of seeds) {
    const ours = spawnSync(process.execPath, [cli, 'train', '--model', m, '--dataset', data, '--epochs', epochs, '--seed', seed, '--validation', 'none', '--no-save', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const o = lastJson(ours.stdout);
    if (!o) throw new Error(`neurec ${m} failed: ${ours.stderr}`);
    ourRuns.push({ hr: o.metrics.sampled['hr@10'], ndcg: o.metrics.sampled['ndcg@10'], sps: o.samples_per_second, eval: o.sampled_eval_seconds });
    rows.push(`| ${m} | neurec${seeds.length > 1 ? `, seed ${seed}` : ''} | ${o.epochs} | ${o.metrics.sampled['hr@10'].toFixed(3)} | ${o.metrics.sampled['ndcg@10'].toFixed(3)} | ${o.metrics.full['hr@10'].toFixed(3)} / ${o.metrics.full['ndcg@10'].toFixed(3)} | ${o.samples_per_second.toLocaleString('en-US')} | ${o.seconds_per_epoch.toFixed(2)} | ${o.sampled_eval_seconds.toFixed(2)} (full ranking too: ${o.eval_seconds.toFixed(2)}) | ${o.peak_rss_mb} MB | ${o.eval_fingerprint} |`);
    console.log(rows[rows.length - 1]);
    if (flag('--no-peer')) continue;
    const peer = spawnSync('/usr/bin/python3', [path.join(peers, 'torch_ncf.py'), '--data', data, '--model', m, '--epochs', epochs, '--seed', seed, '--threads', '1'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const p = lastJson(peer.stdout);
    if (!p) {
      console.log(`# peer ${m} failed: ${(peer.stderr || '').trim().split('\n').pop()}`);
      continue;
    }
    peerRuns.push({ hr: p.final_hr10, ndcg: p.final_ndcg10, sps: p.mean_train_samples_per_s, eval: p.eval_seconds });
    rows.push(`| ${m} | PyTorch ${p.torch} (1 thread)${seeds.length > 1 ? `, seed ${seed}` : ''} | ${p.epochs} | ${p.final_hr10.toFixed(3)} | ${p.final_ndcg10.toFixed(3)} | — | ${p.mean_train_samples_per_s.toLocaleString('en-US')} | ${p.seconds_per_epoch.toFixed(2)} | ${p.eval_seconds.toFixed(2)} | ${Math.round(p.peak_rss_mb)} MB | ${p.eval_fnv1a} |`);
    console.log(rows[rows.length - 1]);
    console.log(`# ${m}: neurec/PyTorch samples/s ${(o.samples_per_second / p.mean_train_samples_per_s).toFixed(2)}×, sampled evaluation ${(p.eval_seconds / o.sampled_eval_seconds).toFixed(2)}× faster`);
  }
  if (seeds.length > 1) {
    rows.push(meanRow(m, 'neurec', ourRuns));
    if (peerRuns.length) rows.push(meanRow(m, 'PyTorch', peerRuns));
    console.log(rows.slice(-2).join('\n'));
  }
}
const table = rows.join('\n');
console.log('\n' + table);
if (flag('--write')) {
  const file = path.resolve(__dirname, '..', '..', 'bench', 'RESULTS.md');
  const tag = `models-${data}${seeds.length > 1 ? '-seeds' : ''}`;
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const cmd = `node dist/bench/models.js --data ${data} --models ${models.join(',')} --epochs ${epochs}${seeds.length > 1 ? ` --seeds ${seeds.join(',')}` : ''} --write`;
  const block = `<!-- ${tag}:start -->\n${new Date().toISOString().slice(0, 10)}, commit ${commit}, ${os.cpus()[0]?.model}: \`${cmd}\`\n\n${table}\n<!-- ${tag}:end -->`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const re = new RegExp(`<!-- ${tag}:start -->[\\s\\S]*<!-- ${tag}:end -->`);
  text = re.test(text) ? text.replace(re, block) : `${text.trimEnd()}\n\n## NCF models on ${data} vs PyTorch\n\n${block}\n`;
  fs.writeFileSync(file, text);
}
