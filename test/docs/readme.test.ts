/**
 * README.md stays true: its quick start is the two commands it promises, `npm run train` prints
 * what the README shows, and every neurec command in it is accepted as written (each is run
 * with --help appended: an unknown option or a misspelt command fails that).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const main = path.join(root, 'dist', 'src', 'cli', 'main.js');

/** The fenced blocks of a section (from its heading to the next heading of the same level). */
function blocks(heading: string): string[] {
  const at = readme.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `README has a "${heading}" section`);
  const level = heading.split(' ')[0];
  const rest = readme.slice(at + heading.length + 2);
  const end = rest.search(new RegExp(`\\n${level} `));
  return [...(end < 0 ? rest : rest.slice(0, end)).matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => `${m[1]}\n${m[2]}`);
}
const commandLines = (block: string) => block.split('\n').slice(1).map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);

/** What `npm run <script> -- args` runs, as argv for node: the script's command plus the args. */
function toNode(cmd: string): string[] | null {
  const m = /^npm run (\w[\w:-]*)(?: -- (.*))?$/.exec(cmd);
  if (!m) return null;
  const script: string = pkg.scripts[m[1]];
  assert.ok(script, `package.json has the script "${m[1]}" that README runs`);
  const s = /^node dist\/src\/cli\/main\.js ?(.*)$/.exec(script);
  if (!s) return null; // not the neurec command (bench, build:cuda): not checked here
  return [...s[1].split(' ').filter(Boolean), ...(m[2] ? m[2].split(/\s+/) : [])];
}

test('quick start: two commands after clone, one for the main job and one for the tests', () => {
  const [sh] = blocks('## Quick start');
  assert.equal(commandLines(sh), ['npm ci && npm run train', 'npm test']);
  assert.is(pkg.scripts.train, 'node dist/src/cli/main.js train');
  assert.match(pkg.scripts.test, /^tsc -p \. && uvu dist\/test/);
  assert.ok(pkg.scripts.install || pkg.scripts.prepare, 'npm ci builds the addon and the TypeScript');
});

test('npm run train prints what the README shows: data, epochs, the selected model, the refit, the checkpoint', () => {
  const shown = blocks('## Quick start')[1].split('\n').slice(1).filter((l) => l && l !== '...');
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-readme-'));
  try {
    // The README's own command, from a fresh folder (its checkpoint lands in runs/ there).
    const r = spawnSync(process.execPath, [main, 'train'], { cwd, encoding: 'utf8', env: process.env });
    assert.is(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    if (lines[0].startsWith('# data: synthetic')) {
      // No ml-100k anywhere: the README says the run says so on its first line, and how to get it.
      assert.match(lines[0], /because ml-100k was not found[^\n]*data download ml-100k/);
      shown.shift();
    }
    // Every line the README shows has a line of the same kind, in the same order.
    const kind = (l: string) => l.replace(/ml-100k|synthetic/g, 'D').replace(/\/\S+/g, 'P').replace(/\d+(\.\d+)?/g, 'N').slice(0, 24);
    let k = 0;
    for (const want of shown) {
      while (k < lines.length && kind(lines[k]) !== kind(want)) k++;
      assert.ok(k < lines.length, `no line like "${want.slice(0, 60)}" in the output (in order):\n${r.stdout.slice(0, 3000)}`);
      k++;
    }
    assert.ok(fs.existsSync(path.join(cwd, 'runs', /^# checkpoint: runs\/(\S+) /m.exec(r.stdout)![1], 'model.safetensors')));
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test('every neurec command in the README is accepted as written', () => {
  const cmds = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => commandLines(`sh\n${m[1]}`))
    .flatMap((l) => l.split(' && ')).map((c) => c.trim());
  const checked: string[] = [];
  for (const c of cmds) {
    const argv = toNode(c);
    if (!argv) continue;
    const r = spawnSync(process.execPath, [main, ...argv, '--help'], { encoding: 'utf8', env: { ...process.env, NEUREC_DATA_DIR: '' } });
    assert.is(r.status, 0, `README: ${c}\n${r.stderr}`);
    assert.match(r.stdout, /^usage: neurec /, c);
    checked.push(c);
  }
  assert.ok(checked.length >= 20, `${checked.length} commands checked`);
});

test.run();
