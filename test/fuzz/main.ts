/**
 * The fuzz harness: property-based tests (fast-check) of the kernel argument layer, the data
 * readers and the checkpoint readers, each group in a child process of its own so that a
 * native crash is a failed group (with the case that crashed it), never a dead runner.
 *
 *   node dist/test/fuzz/main.js [--runs N] [--seed S] [--group kernels,readers,io] [--timeout SECONDS]
 *   npm run fuzz -- --runs 100000            (a long run; the seed is printed to replay it)
 *
 * --runs is the number of cases per property (the kernel group gets 10x, its cases being
 * cheap); without --seed a fresh one is drawn. test/fuzz.test.ts runs it in CI with a fixed
 * seed. The last line of output is a JSON summary: cases per property, failures, seed.
 */
import fc from 'fast-check';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeKernelCase, kernelCase, runKernelCase, SIGNATURES } from './kernels';
import { readerProperties } from './readers';
import { ioProperties } from './io';
import { cpu } from '../../src/backend/load';

export const GROUPS = ['kernels', 'readers', 'io'] as const;
/** 'selftest' (never run by default): a child that dies mid-case, to show the harness reports it. */
type Group = (typeof GROUPS)[number] | 'selftest';

interface PropertyResult {
  group: Group;
  name: string;
  runs: number;
  failed: boolean;
  detail?: string;
}

function parse(argv: string[]): { runs: number; seed: number; groups: Group[]; timeout: number; child: Group | null; caseFile: string | null } {
  const get = (k: string) => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(get('runs') ?? 200);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`fuzz: --runs must be an integer >= 1, got ${get('runs')}`);
  const seedArg = get('seed');
  const seed = seedArg === undefined ? (Date.now() ^ (process.pid << 8)) >>> 0 : Number(seedArg);
  if (!Number.isSafeInteger(seed)) throw new Error(`fuzz: --seed must be an integer, got ${seedArg}`);
  const groups = (get('group') ?? GROUPS.join(',')).split(',') as Group[];
  for (const g of groups) if (!GROUPS.includes(g as (typeof GROUPS)[number]) && g !== 'selftest') throw new Error(`fuzz: unknown group ${g} (known: ${GROUPS.join(', ')})`);
  const timeout = Number(get('timeout') ?? 600);
  const child = (get('child') as Group | undefined) ?? null;
  return { runs, seed, groups, timeout, child, caseFile: get('case-file') ?? null };
}

/** Runs one property; a failure is described by fast-check's report (seed, path, counterexample). */
function check(group: Group, name: string, property: fc.IProperty<never>, runs: number, seed: number): PropertyResult {
  const details = fc.check(property, { numRuns: runs, seed, endOnFailure: false });
  return { group, name, runs: details.numRuns, failed: details.failed, detail: details.failed ? fc.defaultReportMessage(details) : undefined };
}

/** The child's work: one group's properties, results as JSON on the last line. */
function runGroup(group: Group, runs: number, seed: number, caseFile: string | null): PropertyResult[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `neurec-fuzz-${group}-`));
  try {
    if (group === 'selftest') {
      if (caseFile) fs.writeFileSync(caseFile, '{"selftest":"the case being run when the process died"}\n');
      process.kill(process.pid, 'SIGSEGV');
    }
    if (group === 'kernels') {
      const addon = cpu();
      const missing = addon.capabilities().kernels.filter((id) => !(id in SIGNATURES));
      const stale = Object.keys(SIGNATURES).filter((id) => !addon.capabilities().kernels.includes(id));
      const results: PropertyResult[] = [];
      if (missing.length || stale.length)
        results.push({ group, name: 'signature table', runs: 0, failed: true, detail: `kernels without a fuzz signature: [${missing}]; signatures of no kernel: [${stale}] (test/fuzz/kernels.ts)` });
      const fd = caseFile ? fs.openSync(caseFile, 'w') : null;
      const tally = { ok: 0, threw: 0 };
      const prop = fc.property(kernelCase, (c) => {
        // The case goes to disk before the call: if the process dies, the parent reads it back.
        if (fd !== null) fs.writeSync(fd, describeKernelCase(c) + '\n', 0);
        tally[runKernelCase(c, addon)]++;
      });
      results.push(check(group, 'kernel argument layer', prop as unknown as fc.IProperty<never>, runs * 10, seed));
      results[results.length - 1].name += ` (${tally.ok} calls ran, ${tally.threw} threw)`;
      if (fd !== null) fs.closeSync(fd);
      return results;
    }
    const props = group === 'readers' ? readerProperties(tmp) : ioProperties(tmp);
    return props.map((p, k) => check(group, p.name, p.property, runs, seed + k));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function main(): void {
  const o = parse(process.argv.slice(2));
  if (o.child) {
    console.log(JSON.stringify(runGroup(o.child, o.runs, o.seed, o.caseFile)));
    return;
  }
  const t0 = Date.now();
  console.log(`fuzz: seed ${o.seed}, ${o.runs} runs per property (kernels ${o.runs * 10}); replay with --seed ${o.seed} --runs ${o.runs}`);
  const all: PropertyResult[] = [];
  for (const group of o.groups) {
    const caseFile = path.join(os.tmpdir(), `neurec-fuzz-${process.pid}-${group}.case`);
    const t = Date.now();
    const r = spawnSync(process.execPath, [__filename, '--child', group, '--runs', String(o.runs), '--seed', String(o.seed), '--case-file', caseFile],
      { encoding: 'utf8', timeout: o.timeout * 1000, maxBuffer: 64 << 20 });
    const lastCase = fs.existsSync(caseFile) ? fs.readFileSync(caseFile, 'utf8').split('\n')[0] : '';
    fs.rmSync(caseFile, { force: true });
    let results: PropertyResult[] | null = null;
    try {
      results = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
    } catch {
      results = null;
    }
    if (r.status !== 0 || !results) {
      const how = r.signal ? `was killed by ${r.signal}${r.error ? ` (${r.error.message})` : ''}` : `exited ${r.status}`;
      const tail = (r.stderr || r.stdout).trim().split('\n').slice(-12).join('\n    ');
      all.push({ group, name: 'child process', runs: 0, failed: true,
        detail: `the ${group} child ${how}${lastCase ? `\n  during case ${lastCase}` : ''}\n    ${tail}` });
      console.log(`FAIL ${group}: the child ${how}`);
      continue;
    }
    for (const p of results) {
      all.push(p);
      console.log(`${p.failed ? 'FAIL' : 'ok  '} ${group} / ${p.name}: ${p.runs} cases`);
    }
    console.log(`     ${group}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const failed = all.filter((p) => p.failed);
  for (const p of failed) console.log(`\n${p.group} / ${p.name}:\n${p.detail}`);
  const cases = all.reduce((s, p) => s + p.runs, 0);
  console.log(`fuzz: ${cases} cases, ${failed.length} failed properties, ${((Date.now() - t0) / 1000).toFixed(1)} s, seed ${o.seed}`);
  console.log(JSON.stringify({ seed: o.seed, cases, failed: failed.length, properties: all.map(({ group, name, runs, failed }) => ({ group, name, runs, failed })) }));
  process.exitCode = failed.length ? 1 : 0;
}

main();
