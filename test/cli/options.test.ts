/**
 * Issue 25's command-line cases, end to end: numeric options out of range stop the command at
 * once (--batch 0 hung, --epochs -1 trained nothing and exited 0), and a rating model trained on
 * a folder of ml-100k's format uses that folder's own split files and checkpoint name.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../../src/data/rng';

const main = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-options-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string | undefined> = process.env) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: env as NodeJS.ProcessEnv, timeout: 120_000 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr, last: r.stdout.trim().split('\n').pop() ?? '' };
}

test('out-of-range numbers stop train, recommend and coldstart before any work, with a non-zero exit', () => {
  const cases: Array<[string[], RegExp]> = [
    [['train', '--dataset', 'synthetic', '--batch', '0'], /train: --batch must be an integer >= 1, got "0"/],
    [['train', '--dataset', 'synthetic', '--epochs', '-1'], /train: --epochs must be an integer >= 0, got "-1"/],
    [['train', '--model', 'mf', '--dataset', 'synthetic', '--factors', '0'], /train: --factors must be an integer >= 1/],
    [['train', '--dataset', 'synthetic', '--lr', '-0.1'], /train: --lr must be a number > 0, got "-0.1"/],
    [['train', '--dataset', 'synthetic', '--layers', '64,x'], /train: --layers must be comma-separated integers >= 1, got "64,x"/],
    [['recommend', '--checkpoint', tmp, '--user', '1', '--k', '0'], /recommend: --k must be an integer >= 1, got "0"/],
    [['coldstart', '--k', '-5'], /coldstart: --k must be an integer >= 1, got "-5"/],
  ];
  for (const [argv, msg] of cases) {
    const r = run(argv);
    assert.is(r.signal, null, `${argv.join(' ')} did not finish (${r.signal})`);
    assert.is(r.code, 1, `${argv.join(' ')} exited ${r.code}: ${r.out.slice(-200)}`);
    assert.match(r.err, msg);
  }
});

/** An ml-100k-format folder: u.data plus u1.base / u1.test splitting it (every 5th rating is test). */
function ml100kFolder(dir: string, seed: number): { base: number; test: number } {
  const rng = new Rng(seed);
  const lines: string[] = [];
  for (let u = 1; u <= 30; u++) for (let i = 1; i <= 40; i++) if (rng.next() < 0.5) lines.push(`${u}\t${i}\t${1 + rng.int(5)}\t${880000000 + lines.length}`);
  const test = lines.filter((_, k) => k % 5 === 0), base = lines.filter((_, k) => k % 5 !== 0);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'u.data'), lines.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'u1.base'), base.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'u1.test'), test.join('\n') + '\n');
  return { base: base.length, test: test.length };
}

test("a rating model on a folder reads the folder's u1 split and records the folder, not ml-100k", () => {
  // NEUREC_DATA_DIR holds another ml-100k: before, its u1 files were read for the folder's data.
  const root = path.join(tmp, 'root');
  ml100kFolder(path.join(root, 'ml-100k'), 1);
  const mine = path.join(tmp, 'mine');
  const own = ml100kFolder(mine, 2);
  const env = { ...process.env, NEUREC_DATA_DIR: root };
  const ck = path.join(tmp, 'run');
  const r = run(['train', '--model', 'mf-rating', '--dataset', mine, '--epochs', '1', '--factors', '4', '--save', ck, '--json'], env);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`# ${mine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} split u1: \\d+ fit / \\d+ validation / ${own.test} test ratings`));
  const meta = JSON.parse(fs.readFileSync(path.join(ck, 'config.json'), 'utf8'));
  assert.is(meta.dataset, mine);
  assert.is(JSON.parse(r.last).dataset, mine);
  // eval reopens the same folder and split: the same test ratings, the same RMSE.
  const e = run(['eval', '--checkpoint', ck, '--json'], env);
  assert.is(e.code, 0, e.err);
  assert.is(JSON.parse(e.last).dataset, mine);
  assert.is(JSON.parse(e.last).metrics.rmse.toFixed(4), JSON.parse(r.last).metrics.rmse.toFixed(4));
});

test.run();
