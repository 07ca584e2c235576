/**
 * `npm run bench`: times every CPU kernel row at the shapes our models use and, when the
 * PyTorch peer is installed, runs ../shared/peers/torch_ops_bench.py on the same rows at 1
 * and 2 threads and prints the ratio against its better setting.
 *
 *   npm run bench [-- --only gather,adam_4m] [--no-peer] [--write] [--json]
 *
 * --write rewrites the CPU table in bench/RESULTS.md.
 *
 * The peer needs Debian's OpenBLAS (libopenblas0-pthread): without it libblas.so.3 is the
 * reference BLAS and PyTorch's GEMMs run 30x slower. It runs under this machine's environment,
 * whose OPENBLAS_CORETYPE=Haswell keeps OpenBLAS on its AVX2 kernels, as our kernels are.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { capabilities } from '../src';
import { timeRow, type BenchResult, type BenchRow } from './harness';
import { allRows } from './rows';

interface PeerRow { op: string; median_us: number; figure: number; unit: string; threads: number }

function flag(name: string): boolean {
  return process.argv.includes(name);
}
function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function peerScript(): string {
  const dir = process.env.NEUREC_PEERS_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'peers');
  return path.join(dir, 'torch_ops_bench.py');
}

/** The peer's rows at 1 and 2 threads; for each row the faster of the two. */
function runPeer(names: string[]): Map<string, PeerRow> {
  const best = new Map<string, PeerRow>();
  const script = peerScript();
  if (!fs.existsSync(script)) {
    console.log(`# peer: ${script} not found (set NEUREC_PEERS_DIR); no ratios`);
    return best;
  }
  for (const threads of [1, 2]) {
    const r = spawnSync('/usr/bin/python3', [script, '--threads', String(threads), '--json', '--only', names.join(',')], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`# peer (${threads} thread(s)) failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
      console.log('#   install it with: apt-get install -y python3-torch python3-numpy libopenblas0-pthread');
      return best;
    }
    const last = r.stdout.trim().split('\n').pop()!;
    for (const row of JSON.parse(last).rows as PeerRow[]) {
      const prev = best.get(row.op);
      if (!prev || row.median_us < prev.median_us) best.set(row.op, { ...row, threads });
    }
  }
  return best;
}

function fmtUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
}

function main(): void {
  const only = (option('--only') ?? '').split(',').filter(Boolean);
  const rows: BenchRow[] = allRows.filter((r) => only.length === 0 || only.includes(r.op));
  const caps = capabilities();
  const cpuName = os.cpus()[0]?.model ?? 'cpu';
  console.log(`# neurec CPU kernels on ${cpuName}, ${caps.threads} threads, AVX2+FMA ${caps.avx2Fma ? 'yes' : 'no'}`);
  const ours: BenchResult[] = [];
  for (const row of rows) {
    const r = timeRow(row);
    ours.push(r);
    console.log(`${r.op.padEnd(30)} ${r.shape.padEnd(22)} ${fmtUs(r.median_us).padStart(10)} ${r.figure.toFixed(1).padStart(8)} ${r.unit}`);
  }
  const peer = flag('--no-peer') ? new Map<string, PeerRow>() : runPeer(rows.map((r) => r.op));
  const lines = [
    '| op | shape | neurec | neurec figure | PyTorch (best of 1/2 threads) | PyTorch figure | speed-up |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of ours) {
    const p = peer.get(r.op);
    const ratio = p ? (p.median_us / r.median_us).toFixed(2) + '×' : '—';
    lines.push(
      `| ${r.op} | ${r.shape} | ${fmtUs(r.median_us)} | ${r.figure.toFixed(1)} ${r.unit} | ${p ? `${fmtUs(p.median_us)} (${p.threads}t)` : '—'} | ${p ? `${p.figure.toFixed(1)} ${p.unit}` : '—'} | ${ratio} |`,
    );
  }
  console.log('\n' + lines.join('\n'));
  if (flag('--json')) console.log(JSON.stringify({ device: cpuName, threads: caps.threads, rows: ours, peer: [...peer.values()] }));
  if (flag('--write')) writeResults(lines, cpuName, caps.threads);
}

function writeResults(table: string[], cpuName: string, threads: number): void {
  const file = path.resolve(__dirname, '..', '..', 'bench', 'RESULTS.md');
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const block = [
    '<!-- cpu-ops:start -->',
    `Measured ${new Date().toISOString().slice(0, 10)} at commit ${commit} on ${cpuName} (${threads} threads for neurec), median µs per call, `,
    'same timing protocol and FLOP/byte conventions as `torch_ops_bench.py`; PyTorch at its better thread setting, run right after in the same go.',
    '',
    ...table,
    '<!-- cpu-ops:end -->',
  ].join('\n');
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n\n## CPU kernels vs PyTorch\n\n<!-- cpu-ops:start -->\n<!-- cpu-ops:end -->\n';
  text = text.replace(/<!-- cpu-ops:start -->[\s\S]*<!-- cpu-ops:end -->/, block);
  fs.writeFileSync(file, text);
  console.log(`# wrote ${file}`);
}

main();
