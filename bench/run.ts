/**
 * `npm run bench`: times every CPU kernel row at the shapes our models use and, when the
 * PyTorch peer is installed, runs ../shared/peers/torch_ops_bench.py on the same rows at 1
 * and 2 threads and prints the ratio against its better setting.
 *
 *   npm run bench [-- --device cpu|cuda] [--only gather,adam_4m] [--no-peer] [--write] [--json]
 *
 * --write rewrites the device's table in bench/RESULTS.md. On CUDA every timed block ends
 * with a device synchronise, the peer runs with --device cuda, and each row also gets its
 * fraction of the device's floor: GB/s over the measured device-to-device copy bandwidth,
 * GFLOP/s over the peer's cuBLAS matmul rate.
 *
 * The peer needs Debian's OpenBLAS (libopenblas0-pthread): without it libblas.so.3 is the
 * reference BLAS and PyTorch's GEMMs run 30x slower. It runs under this machine's environment,
 * whose OPENBLAS_CORETYPE=Haswell keeps OpenBLAS on its AVX2 kernels, as our kernels are.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { capabilities, resolveDevice, setDefaultDevice, synchronize, zeros, type Device } from '../src';
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

/**
 * The Python that runs the peer: NEUREC_PYTHON, else Debian's /usr/bin/python3 (where apt puts
 * python3-torch here), else whatever python3 is on PATH (the GPU machines' own PyTorch).
 */
function peerPython(): string {
  if (process.env.NEUREC_PYTHON) return process.env.NEUREC_PYTHON;
  const debian = '/usr/bin/python3';
  if (fs.existsSync(debian) && spawnSync(debian, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return debian;
  return 'python3';
}

/** The peer's rows at 1 and 2 threads; for each row the faster of the two. */
function runPeer(names: string[], device: Device): Map<string, PeerRow> {
  const best = new Map<string, PeerRow>();
  const script = peerScript();
  if (!fs.existsSync(script)) {
    console.log(`# peer: ${script} not found (set NEUREC_PEERS_DIR); no ratios`);
    return best;
  }
  for (const threads of device === 'cuda' ? [1] : [1, 2]) {
    const r = spawnSync(peerPython(), [script, '--device', device, '--threads', String(threads), '--json', '--only', names.join(',')], { encoding: 'utf8' });
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

/** Device-to-device copy bandwidth (read + write bytes over time) of a 256 MiB buffer. */
function copyBandwidth(sync: () => void): number {
  const n = 64 << 20;
  const r = timeRow({
    op: 'copy', shape: `${n}`, amount: 2 * n * 4, unit: 'GB/s',
    setup() {
      const a = zeros([n]).keep(), b = zeros([n]).keep();
      return { fn: () => b.handle.copyFrom(a.handle), dispose: () => [a, b].forEach((t) => t.dispose()) };
    },
  }, 20, 0.2, sync);
  return r.figure;
}

function main(): void {
  const only = (option('--only') ?? '').split(',').filter(Boolean);
  const rows: BenchRow[] = allRows.filter((r) => only.length === 0 || only.includes(r.op));
  const device = resolveDevice(option('--device') ?? 'cpu');
  setDefaultDevice(device);
  const sync = device === 'cuda' ? () => synchronize('cuda') : () => {};
  const caps = capabilities(device);
  const name = device === 'cuda' ? `${caps.device} (sm ${caps.computeCapability})` : os.cpus()[0]?.model ?? 'cpu';
  console.log(device === 'cuda' ? `# neurec CUDA kernels on ${name}` : `# neurec CPU kernels on ${name}, ${caps.threads} threads, AVX2+FMA ${caps.avx2Fma ? 'yes' : 'no'}`);
  const copyGBs = device === 'cuda' ? copyBandwidth(sync) : 0;
  if (copyGBs) console.log(`# device-to-device copy: ${copyGBs.toFixed(0)} GB/s (the floor for memory-bound rows)`);
  const ours: BenchResult[] = [];
  for (const row of rows) {
    const r = timeRow(row, 20, 0.2, sync);
    ours.push(r);
    console.log(`${r.op.padEnd(30)} ${r.shape.padEnd(22)} ${fmtUs(r.median_us).padStart(10)} ${r.figure.toFixed(1).padStart(8)} ${r.unit}`);
  }
  const peer = flag('--no-peer') ? new Map<string, PeerRow>() : runPeer(rows.filter((r) => !r.noPeer).map((r) => r.op), device);
  const flopFloor = peer.get('matmul_1024')?.figure ?? ours.find((r) => r.op === 'matmul_1024')?.figure ?? 0;
  const floorOf = (r: BenchResult) => {
    const f = r.unit === 'GB/s' ? copyGBs : flopFloor;
    return f ? `${((100 * r.figure) / f).toFixed(0)}%` : '—';
  };
  const cudaCols = device === 'cuda';
  const lines = [
    `| op | shape | neurec | neurec figure |${cudaCols ? ' % of floor |' : ''} PyTorch${cudaCols ? '' : ' (best of 1/2 threads)'} | PyTorch figure | speed-up |`,
    `|---|---|---|---|${cudaCols ? '---|' : ''}---|---|---|`,
  ];
  for (const r of ours) {
    const p = peer.get(r.op);
    const ratio = p ? (p.median_us / r.median_us).toFixed(2) + '×' : '—';
    const pt = p ? (cudaCols ? fmtUs(p.median_us) : `${fmtUs(p.median_us)} (${p.threads}t)`) : '—';
    lines.push(
      `| ${r.op} | ${r.shape} | ${fmtUs(r.median_us)} | ${r.figure.toFixed(1)} ${r.unit} |${cudaCols ? ` ${floorOf(r)} |` : ''} ${pt} | ${p ? `${p.figure.toFixed(1)} ${p.unit}` : '—'} | ${ratio} |`,
    );
  }
  console.log('\n' + lines.join('\n'));
  if (flag('--json')) console.log(JSON.stringify({ device: name, threads: caps.threads, copyGBs, rows: ours, peer: [...peer.values()] }));
  if (flag('--write')) writeResults(lines, device, name, caps.threads, copyGBs);
}

function writeResults(table: string[], device: Device, name: string, threads: number, copyGBs: number): void {
  const file = path.resolve(__dirname, '..', '..', 'bench', 'RESULTS.md');
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const tag = device === 'cuda' ? 'cuda-ops' : 'cpu-ops';
  const where = device === 'cuda'
    ? `on ${name}, device-to-device copy ${copyGBs.toFixed(0)} GB/s, CUDA-synchronised blocks`
    : `on ${name} (${threads} threads for neurec)`;
  const block = [
    `<!-- ${tag}:start -->`,
    `Measured ${new Date().toISOString().slice(0, 10)} at commit ${commit} ${where}, median µs per call, `,
    `same timing protocol and FLOP/byte conventions as \`torch_ops_bench.py\`; PyTorch${device === 'cuda' ? ' --device cuda' : ' at its better thread setting'}, run right after in the same go.`,
    '',
    ...table,
    `<!-- ${tag}:end -->`,
  ].join('\n');
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n\n## CPU kernels vs PyTorch\n\n<!-- cpu-ops:start -->\n<!-- cpu-ops:end -->\n';
  const re = new RegExp(`<!-- ${tag}:start -->[\\s\\S]*<!-- ${tag}:end -->`);
  text = re.test(text) ? text.replace(re, block) : `${text.trimEnd()}\n\n## CUDA kernels vs PyTorch\n\n${block}\n`;
  fs.writeFileSync(file, text);
  console.log(`# wrote ${file}`);
}

main();
