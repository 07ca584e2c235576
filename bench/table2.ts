/**
 * He et al. 2017, Table 2 on the paper's own ML-1M test set (ml-1m-ncf): NeuMF HR@10 / NDCG@10
 * by predictive factors, without and with pre-training, every epoch chosen on a validation
 * carve of the training data (never the test file). Pre-training as in the paper: GMF and MLP
 * trained first (their rows are reported too), NeuMF initialised from both with α = 0.5 and
 * fine-tuned with plain SGD.
 *
 *   node dist/bench/table2.js [--factors 8,16,32,64] [--epochs 20] [--patience 5] [--sgd-lr 0.05]
 *                             [--plain paper|split] [--gmf paper|dot] [--mlp paper|split] [--finetune sgd|split]
 *                             [--alphas 0.5] [--finetune-epochs N] [--lr-decay F,P] [--finetune-decay F,P]
 *                             [--mlp-depth 3] [--seed 42] [--reuse] [--skip-plain] [--write]
 *
 * --gmf dot pre-trains GMF as Rendle et al. (2020) train MF on this set: h fixed to ones (a dot
 * product), per-sample L2 0.0025 on the rows each sample reads, SGD at 0.01 per sample (batch
 * 2048), 8 negatives, embeddings drawn with std 0.1, up to 120 epochs with patience 10.
 * --plain split / --mlp split train NeuMF from scratch / the MLP with the rows and the dense layers
 * regularised apart: the embedding tables on plain SGD at 0.01 per sample with per-sample L2
 * 0.0025, the dense layers on AdamW 1e-3 with decoupled weight decay 0.1, 8 negatives, batch 2048,
 * embeddings drawn with std 0.1, up to 150 epochs with patience 6. --finetune split fine-tunes
 * the pre-trained NeuMF with that recipe instead of plain SGD at --sgd-lr.
 * --lr-decay F,P passes `--lr-decay F,P` to every whole run (NeuMF from scratch, GMF, MLP): after
 * P epochs without a better validation score it goes back to the best weights and multiplies the
 * rates by F. Their checkpoint folders are then named with `-dFxP`. --finetune-decay F,P does the
 * same for the fine-tuning of the pre-trained NeuMF.
 * --mlp-depth N gives the MLP (alone and inside NeuMF) N hidden layers, halving down to the
 * factors F after the two embeddings concatenated (2^N·F wide): 3 is the paper's Table 2 tower
 * (`--layers` 8F,4F,2F,F), 4 its Table 3 "MLP-4" (16F,8F,4F,2F,F), named `mlp4-...` and
 * "MLP-4" in the rows.
 * --seed S passes `--seed S` to every run (initialisation, sampling and the validation carve);
 * checkpoints of a seed other than the CLI's 42 are named with `-sS`.
 * --reuse takes a GMF or MLP from its checkpoint folder when one is there instead of training it.
 * --alphas a,b,... fine-tunes one NeuMF per α and reports the one with the best validation
 * NDCG@10; the starting weights count as epoch 0, so fine-tuning that only hurts is not kept.
 * Each run is one `neurec train` child process; its last stdout line is the JSON summary.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const flag = (n: string) => process.argv.includes(n);
/** An option that must be one of `allowed`; the first is its default. */
function choice(name: string, allowed: string[]): string {
  const v = option(name, allowed[0]);
  if (!allowed.includes(v)) throw new Error(`table2: ${name} must be ${allowed.join(' or ')}, got ${v}`);
  return v;
}

const factors = option('--factors', '8,16,32,64').split(',').map(Number);
const epochs = option('--epochs', '20');
const patience = option('--patience', '5');
const sgdLr = option('--sgd-lr', '0.05');
const gmfRecipe = choice('--gmf', ['paper', 'dot']) as 'paper' | 'dot';
const alphas = option('--alphas', '0.5').split(',');
const finetuneEpochs = option('--finetune-epochs', epochs);
const plainRecipe = choice('--plain', ['paper', 'split']);
const mlpRecipe = choice('--mlp', ['paper', 'split']);
const finetuneRecipe = choice('--finetune', ['sgd', 'split']);
const finetuneDecay = option('--finetune-decay', '');
const runDecay = option('--lr-decay', '');
const seed = option('--seed', '42');
const seedSuffix = seed === '42' ? '' : `-s${seed}`;
const mlpDepthText = option('--mlp-depth', '3');
const mlpDepth = Number(mlpDepthText);
if (!Number.isInteger(mlpDepth) || mlpDepth < 1 || mlpDepth > 6) throw new Error(`table2: --mlp-depth must be an integer in [1, 6], got ${mlpDepthText}`);
/** Names of the MLP-carrying models: the paper's three layers keep their stop-9 names. */
const paperDepth = mlpDepth === 3;
/** The MLP tower: the concatenated embeddings (2^depth · F) then halving down to F. */
const towerOf = (f: number) => Array.from({ length: mlpDepth + 1 }, (_, i) => f * 2 ** (mlpDepth - i));
/** The flags and the checkpoint-folder suffix of a plateau decay F,P ('' when off). */
const decayed = (v: string) => (v ? { args: ['--lr-decay', v], suffix: `-d${v.replace(',', 'x')}` } : { args: [] as string[], suffix: '' });
const decayNote = (v: string) => (v ? `, rates ×${v.split(',')[0]} on a ${v.split(',')[1]}-epoch plateau` : '');
/** Rows on SGD with per-sample L2, dense layers on AdamW: the recipe that reaches the paper without pre-training. */
const SPLIT = ['--table-lr', '20.48', '--optimizer', 'adamw', '--weight-decay', '0.1', '--lr', '0.001', '--batch', '2048',
  '--negatives', '8', '--sparse-adam', '--init-std', '0.1', '--row-l2', '0.0025'];
/** A whole training run by the split recipe (not fine-tuning): up to 150 epochs, patience 6. */
const SPLIT_RUN = [...SPLIT, '--epochs', '150', '--patience', '6'];
const SPLIT_LABEL = 'rows SGD 0.01/sample + per-sample L2 0.0025, dense AdamW 1e-3 wd 0.1, 8 negatives';
/** The GMF flags and its label for each recipe. */
const GMF = {
  paper: { label: 'GMF (Adam 1e-3)', args: [] as string[] },
  dot: {
    label: 'GMF, h = 1, per-sample L2 0.0025, SGD 0.01/sample, 8 negatives',
    args: ['--unit-h', '--row-l2', '0.0025', '--optimizer', 'sgd', '--lr', '20.48', '--batch', '2048', '--negatives', '8',
      '--sparse-adam', '--init-std', '0.1', '--epochs', '120', '--patience', '10'],
  },
}[gmfRecipe];
const cli = path.resolve(__dirname, '..', 'src', 'cli', 'main.js');
const runs = path.resolve(__dirname, '..', '..', 'runs', 'table2');

/** The paper's Table 2, [HR@10, NDCG@10] without and with pre-training. */
const PAPER: Record<number, { plain: [number, number]; pretrained: [number, number] }> = {
  8: { plain: [0.688, 0.41], pretrained: [0.701, 0.42] },
  16: { plain: [0.696, 0.42], pretrained: [0.72, 0.436] },
  32: { plain: [0.701, 0.425], pretrained: [0.72, 0.438] },
  64: { plain: [0.705, 0.426], pretrained: [0.73, 0.447] },
};

interface Summary {
  best_epoch: number;
  valid?: { 'ndcg@10': number } | null;
  metrics: { sampled: Record<string, number>; full: Record<string, number> };
  seconds_per_epoch: number;
  eval_fingerprint: string;
}

/** A model trained earlier, from the summary its checkpoint folder keeps (with --reuse). */
function reused(dir: string): Summary | null {
  const file = path.join(dir, 'config.json');
  if (!flag('--reuse') || !fs.existsSync(file)) return null;
  const info = JSON.parse(fs.readFileSync(file, 'utf8')).info;
  console.error(`# reusing ${dir}`);
  return { best_epoch: info.bestEpoch, metrics: { sampled: info.sampled, full: info.full }, seconds_per_epoch: info.secondsPerEpoch, eval_fingerprint: '' };
}

function train(args: string[]): Summary {
  // Later flags win, so a recipe's own epochs and patience override these. The table holds
  // validation-selected models (its figures predate the default refit): --no-refit keeps them so.
  const common = ['train', '--dataset', 'ml-1m-ncf', '--epochs', epochs, '--patience', patience, '--seed', seed, '--no-refit', '--json'];
  console.error(`# neurec ${[...common, ...args].join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...common, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Summary;
  } catch {
    throw new Error(`neurec ${args.join(' ')} failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

const cell = (s: Summary) =>
  `${s.metrics.sampled['hr@10'].toFixed(3)} / ${s.metrics.sampled['ndcg@10'].toFixed(3)} (${s.best_epoch})`;
const full = (s: Summary) =>
  `${s.metrics.full['hr@10'].toFixed(3)} / ${s.metrics.full['ndcg@10'].toFixed(3)} / ${s.metrics.full['recall@20'].toFixed(3)}`;

const rows = [
  '| factors | variant | paper HR@10 / NDCG@10 | neurec HR@10 / NDCG@10 (best epoch) | full ranking HR@10 / NDCG@10 / Recall@20 | s/epoch |',
  '|---|---|---|---|---|---|',
];
for (const f of factors) {
  const layers = towerOf(f).join(',');
  const p = PAPER[f];
  const paper = (v?: [number, number]) => (v ? `${v[0].toFixed(3)} / ${v[1].toFixed(3)}` : '—');
  const add = (variant: string, ref: string, s: Summary) => {
    rows.push(`| ${f} | ${variant} | ${ref} | ${cell(s)} | ${full(s)} | ${s.seconds_per_epoch.toFixed(1)} |`);
    console.log(rows[rows.length - 1]);
  };
  const neumfName = paperDepth ? 'NeuMF' : `NeuMF (MLP-${mlpDepth} part)`;
  const neumf = ['--model', 'neumf', '--factors', String(f), '--layers', layers];
  if (!flag('--skip-plain')) {
    if (plainRecipe === 'paper') add(`${neumfName}, no pre-training (Adam 1e-3)`, paper(p?.plain), train([...neumf, '--no-save']));
    else add(`${neumfName}, no pre-training, ${SPLIT_LABEL}${decayNote(runDecay)}`, paper(p?.plain), train([...neumf, ...SPLIT_RUN, ...decayed(runDecay).args, '--no-save']));
  }
  const d = decayed(runDecay);
  const gDir = path.join(runs, (gmfRecipe === 'paper' ? `gmf-${f}` : `gmf-${gmfRecipe}-${f}`) + d.suffix + seedSuffix);
  const mlpName = paperDepth ? 'mlp' : `mlp${mlpDepth}`;
  const mDir = path.join(runs, (mlpRecipe === 'paper' ? `${mlpName}-${f}` : `${mlpName}-${mlpRecipe}-${f}`) + d.suffix + seedSuffix);
  add(GMF.label + decayNote(runDecay), '—', reused(gDir) ?? train(['--model', 'gmf', '--factors', String(f), ...GMF.args, ...d.args, '--save', gDir]));
  const mlpArgs = [...(mlpRecipe === 'paper' ? [] : SPLIT_RUN), ...d.args];
  const mlpLabel = paperDepth ? 'MLP' : `MLP-${mlpDepth} (${layers})`;
  add((mlpRecipe === 'paper' ? `${mlpLabel} (Adam 1e-3)` : `${mlpLabel}, ${SPLIT_LABEL}`) + decayNote(runDecay), '—',
    reused(mDir) ?? train(['--model', 'mlp', '--factors', String(f), '--layers', layers, ...mlpArgs, '--save', mDir]));
  const finetune = [...(finetuneRecipe === 'sgd' ? ['--optimizer', 'sgd', '--lr', sgdLr] : SPLIT), ...decayed(finetuneDecay).args];
  let best: { alpha: string; s: Summary } | null = null;
  for (const alpha of alphas) {
    const s = train([...neumf, '--pretrain', `${gDir},${mDir}`, '--alpha', alpha, ...finetune, '--epochs', finetuneEpochs, '--no-save']);
    console.error(`#   α ${alpha}: validation NDCG@10 ${s.valid?.['ndcg@10']}`);
    if (!best || (s.valid?.['ndcg@10'] ?? -1) > (best.s.valid?.['ndcg@10'] ?? -1)) best = { alpha, s };
  }
  const chosen = alphas.length > 1 ? ` (chosen on validation among ${alphas.join(', ')})` : '';
  const tuned = (finetuneRecipe === 'sgd' ? `SGD ${sgdLr}` : 'fine-tuned as the split recipe') + decayNote(finetuneDecay);
  add(`${neumfName}, pre-trained, α ${best!.alpha}${chosen}, ${tuned}`, paper(p?.pretrained), best!.s);
}
const table = rows.join('\n');
console.log('\n' + table);
if (flag('--write')) {
  const file = path.resolve(__dirname, '..', '..', 'bench', 'RESULTS.md');
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const cmd = process.argv.slice(2).join(' ');
  const block = `<!-- table2-pretrain:start -->\n${new Date().toISOString().slice(0, 10)}, commit ${commit}: \`node dist/bench/table2.js ${cmd}\`\n\n${table}\n<!-- table2-pretrain:end -->`;
  let text = fs.readFileSync(file, 'utf8');
  const re = /<!-- table2-pretrain:start -->[\s\S]*<!-- table2-pretrain:end -->/;
  text = re.test(text) ? text.replace(re, block) : `${text.trimEnd()}\n\n## He et al. 2017, Table 2: GMF, MLP and pre-trained NeuMF\n\n${block}\n`;
  fs.writeFileSync(file, text);
}
