/**
 * The fuzz harness (test/fuzz/main.ts) with a fixed seed: every property over the kernel
 * argument layer, the data readers and the checkpoint readers, each group in a child process
 * (a crash fails this test, with the case that caused it). Long runs: npm run fuzz -- --runs N.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'child_process';
import * as path from 'path';

const harness = path.resolve(__dirname, 'fuzz', 'main.js');
export const CI_SEED = 25, CI_RUNS = 400;

function fuzz(args: string[]) {
  const r = spawnSync(process.execPath, [harness, ...args], { encoding: 'utf8', timeout: 600_000 });
  const summary = JSON.parse(r.stdout.trim().split('\n').pop() || '{}');
  return { code: r.status, out: r.stdout, err: r.stderr, summary };
}

test(`fuzz: every property holds for seed ${CI_SEED}, ${CI_RUNS} runs per property (kernels 10x)`, () => {
  const r = fuzz(['--seed', String(CI_SEED), '--runs', String(CI_RUNS)]);
  const table = r.out.split('\n').filter((l) => /^(ok|FAIL)/.test(l)).map((l) => `  ${l}`).join('\n');
  console.log(`\n${table}\n  ${r.out.split('\n').filter((l) => l.startsWith('fuzz: ') && l.includes('cases')).pop()}`);
  assert.is(r.code, 0, `fuzz failed (replay: node ${path.relative(process.cwd(), harness)} --seed ${CI_SEED} --runs ${CI_RUNS}):\n${r.out.slice(-4000)}${r.err.slice(-2000)}`);
  assert.is(r.summary.failed, 0);
  assert.ok(r.summary.cases >= CI_RUNS * 19, `${r.summary.cases} cases`); // 10x for the kernels + 9 properties
});

test('fuzz: a child that crashes mid-case is a failure that names the case, not a dead runner', () => {
  const r = fuzz(['--group', 'selftest', '--seed', '1', '--runs', '1']);
  assert.is(r.code, 1);
  assert.match(r.out, /FAIL selftest: the child was killed by SIGSEGV/);
  assert.match(r.out, /during case \{"selftest":"the case being run when the process died"\}/);
});

test.run();
