/**
 * Run reports without a browser: log.jsonl read and normalised, the curves and tables built
 * from it, the self-contained document, the EDA figures, and the command's errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { parseLog, readRun, runLabels } from '../../src/report/run_data';
import { keptEpoch, runFigures } from '../../src/report/run_figures';
import { configTable, summaryTable } from '../../src/report/run_summary';
import { runReport } from '../../src/report/run_report';
import { datasetFigures, doublingBins } from '../../src/report/data_figures';
import { computeStats } from '../../src/data/stats';
import { synthetic } from '../../src/data/synthetic';
import type { RunData } from '../../src/report/run_types';

const main = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-report-'));
const line = (o: object) => JSON.stringify(o);

/** A run folder as train writes one. */
function writeRun(name: string, meta: object, log: object[]): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ format: 'neurec-checkpoint/1', ...meta }));
  fs.writeFileSync(path.join(dir, 'log.jsonl'), log.map(line).join('\n') + '\n');
  return dir;
}

const pair = (epoch: number, loss: number, hr: number, extra: object = {}) =>
  ({ epoch, loss, seconds: 0.5, sampleSeconds: 0.1, samplesPerSecond: 1e6 + epoch, valid: { 'hr@10': hr, 'ndcg@10': hr / 2 }, best: true, lrScale: 1, ...extra });

// A GMF run with a plateau decay at epoch 3 and a refit of 2 epochs; an MLP run that scored the test set each epoch.
const gmfDir = writeRun('gmf', {
  model: 'gmf', config: { model: 'gmf', factors: 8 }, dataset: 'ml-100k', evalFingerprint: '56b0a832',
  info: { bestEpoch: 2, selectedEpoch: 2, sampled: { 'hr@10': 0.6, 'ndcg@10': 0.35 }, full: { 'hr@10': 0.1, 'ndcg@10': 0.05, 'recall@20': 0.17 }, secondsPerEpoch: 0.5, peakRssMb: 120, refit: '--lr-schedule 1x2', refitted: true, selected: { sampled: { 'hr@10': 0.61, 'ndcg@10': 0.36 }, full: { 'hr@10': 0.12, 'ndcg@10': 0.06, 'recall@20': 0.18 } } },
}, [pair(1, 0.5, 0.5), pair(2, 0.4, 0.6), pair(3, 0.35, 0.58, { lrScale: 0.3, best: false }), { stage: 'refit', ...pair(1, 0.52, 0), valid: null }, { stage: 'refit', ...pair(2, 0.41, 0), valid: null }]);
const mlpDir = writeRun('mlp', {
  model: 'mlp', config: { model: 'mlp', layers: [64, 32] }, dataset: 'ml-100k', evalFingerprint: '56b0a832',
  info: { bestEpoch: 1, sampled: { 'hr@10': 0.55, 'ndcg@10': 0.3 }, full: { 'hr@10': 0.09, 'ndcg@10': 0.04, 'recall@20': 0.15 }, secondsPerEpoch: 1.5 },
}, [{ epoch: 0, loss: null, valid: { 'hr@10': 0.1, 'ndcg@10': 0.05 }, best: true, lrScale: 1 }, pair(1, 0.6, 0.5, { test: { 'hr@10': 0.4, 'ndcg@10': 0.2 } })]);

test('parseLog: pair, refit and row records normalised; a bad line named', () => {
  const log = parseLog([line(pair(1, 0.5, 0.6)), line({ stage: 'refit', epoch: 1, loss: 0.4, rowsPerSecond: 50, lr: 0.001, valid: null }), line({ epoch: 0, loss: null, valid: { rmse: 0.9 } }), ''].join('\n'), 'x.jsonl');
  assert.equal(log.map((p) => [p.stage, p.epoch, p.loss, p.perSecond, p.lr]), [['epoch', 1, 0.5, 1000001, 1], ['refit', 1, 0.4, 50, 0.001], ['epoch', 0, null, null, null]]);
  assert.equal(log[2].valid, { rmse: 0.9 });
  assert.throws(() => parseLog('{"epoch": 1}\nnot json', 'runs/x/log.jsonl'), /runs\/x\/log\.jsonl:2: not JSON/);
  assert.throws(() => parseLog('{"loss": 1}', 'f'), /f:1: expected an object with an epoch number/);
});

test('readRun and runLabels: config and log of a folder; clashing names get their parent', () => {
  const r = readRun(gmfDir);
  assert.is(r.label, 'gmf');
  assert.is(r.model, 'gmf');
  assert.is(r.log.length, 5);
  assert.is(keptEpoch(r), 2);
  assert.equal(runLabels(['a/x', 'b/x', 'c/y']), [path.join('a', 'x'), path.join('b', 'x'), 'y']);
  assert.throws(() => readRun(path.join(tmp, 'nothing')), /no config\.json there/);
});

test('runFigures: loss (refit dashed), HR and NDCG (validation solid, test dashed), kept epochs and the lr change marked', () => {
  const runs = [readRun(gmfDir), readRun(mlpDir)];
  const figs = runFigures(runs);
  assert.equal(figs.map((f) => f.id), ['loss', 'hr10', 'ndcg10']);
  const [loss, hr] = figs;
  assert.equal(loss.x.values, [0, 1, 2, 3]);
  assert.equal(loss.series.map((s) => [s.label, s.dash ?? false, s.color]), [['gmf', false, 0], ['gmf refit on all training data', true, 0], ['mlp', false, 1]]);
  assert.equal(loss.series[2].values, [null, 0.6, null, null], 'epoch 0 has no loss');
  assert.equal(hr.series.map((s) => s.label), ['gmf validation', 'mlp validation', 'mlp test']);
  assert.equal(hr.series[1].values, [0.1, 0.5, null, null]);
  assert.equal(hr.marks, [
    { x: 2, label: 'gmf: kept', color: 0, kind: 'kept' }, { x: 3, label: 'gmf: lr ×0.3', color: 0, kind: 'lr' }, { x: 1, label: 'mlp: kept', color: 1, kind: 'kept' },
  ]);
  const rating: RunData = { ...readRun(mlpDir), log: parseLog(line({ epoch: 1, loss: 1, valid: { rmse: 0.95, mae: 0.7 } }), 'f') };
  assert.equal(runFigures([rating]).map((f) => [f.id, f.series.map((s) => s.label)]), [['loss', ['training loss']], ['rmse', ['validation']]]);
  assert.equal(runFigures([{ ...rating, log: [] }]), []);
  const mixed = runFigures([readRun(gmfDir), { ...rating, label: 'autorec' }]);
  assert.equal(mixed.find((f) => f.id === 'rmse')!.marks, [{ x: 1, label: 'autorec: kept', color: 1, kind: 'kept' }], "only the charts a run is on carry its marks");
  assert.equal(mixed.map((f) => f.legend), [true, true, true, true]);
});

test('summaryTable and configTable: both protocols, the validation-selected model, speed and memory; empty columns dropped', () => {
  const t = summaryTable([readRun(gmfDir), readRun(mlpDir)]);
  assert.equal(t.columns, ['run', 'model', 'data', 'epochs (refit)', 'kept epoch', 'sampled HR@10 / NDCG@10', 'full HR@10 / NDCG@10 / Recall@20', 's / epoch', 'samples / s (median)', 'peak RSS MB']);
  assert.equal(t.rows[0], ['gmf', 'gmf', 'ml-100k', '3 (2)', '2', '0.6000 / 0.3500', '0.1000 / 0.0500 / 0.1700', '0.50', '1000002', '120']);
  assert.equal(t.rows[1].slice(0, 7), ['gmf, validation-selected (before the refit)', 'gmf', 'ml-100k', '3', '2', '0.6100 / 0.3600', '0.1200 / 0.0600 / 0.1800']);
  assert.equal(t.rows[2].slice(-1), ['—'], 'no peak RSS logged');
  const c = configTable(readRun(gmfDir));
  assert.ok(c.rows.some(([k, v]) => k === 'factors' && v === '8'));
  assert.ok(c.rows.some(([k, v]) => k === 'refit' && v === '--lr-schedule 1x2'));
});

test('runReport: one self-contained file, nothing fetched, labels escaped, the figures embedded', () => {
  const runs = [readRun(gmfDir), { ...readRun(mlpDir), label: 'mlp </script><b>' }];
  const html = runReport(runs, new Date('2026-01-02T03:04:00Z'));
  assert.not.match(html, /<script[^>]+src=|<link[^>]+href=|@import|url\(http/i);
  assert.is(html.match(/<\/script>/g)!.length, 2, 'only the two script elements close');
  assert.match(html, /mlp &lt;\/script&gt;&lt;b&gt;/);
  const json = /<script type="application\/json" id="neurec-figures">([^<]*)<\/script>/.exec(html)![1];
  assert.equal(JSON.parse(json), runFigures(runs));
  for (const id of ['loss', 'hr10', 'ndcg10']) assert.match(html, new RegExp(`data-figure-slot="${id}"`));
  assert.match(html, /written 2026-01-02 03:04 UTC/);
  const other = runReport([readRun(gmfDir), { ...readRun(mlpDir), dataset: 'ml-1m' }]);
  assert.match(other, /on different data \(ml-100k, ml-1m\)/);
});

test('datasetFigures: ratings per user and item in doubling bins, ratings, genres, time, decades, ages', () => {
  assert.equal(doublingBins([1, 2, 3, 4, 7, 8, 0]), { labels: ['0', '1', '2–3', '4–7', '8–15'], values: [1, 1, 2, 2, 1] });
  assert.equal(doublingBins([20, 31, 40]), { labels: ['16–31', '32–63'], values: [2, 1] }, 'no empty bins below the smallest');
  const data = synthetic({ nUsers: 50, nItems: 60, nRatings: 1200, seed: 5 });
  const figs = datasetFigures(data, computeStats(data));
  assert.equal(figs.map((f) => f.id), ['per-user', 'per-item', 'ratings', 'genres', 'over-time', 'decades', 'ages']);
  const perUser = figs[0];
  assert.is(perUser.series[0].values.reduce((a, b) => a! + b!, 0), data.nUsers);
  assert.is(figs[2].series[0].values.reduce((a, b) => a! + b!, 0), data.length);
  assert.is(figs[4].series[0].values.reduce((a, b) => a! + b!, 0), data.length);
  assert.ok(figs[4].x.time);
});

test('neurec report: usage, and clear errors for no folder or a folder that is not a run', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [main, 'report', ...args], { encoding: 'utf8' });
  const help = run('runs/a', '--out', 'x.html', '--help');
  assert.is(help.status, 0);
  assert.match(help.stdout, /^usage: neurec report <run folder>/);
  assert.match(run('--out', 'x.html').stderr, /give one or more run folders/);
  assert.match(run(path.join(tmp, 'nothing')).stderr, /no config\.json there/);
  assert.match(run(gmfDir, '--bogus').stderr, /unknown option --bogus/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.run();
