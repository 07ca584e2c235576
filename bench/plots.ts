/**
 * `npm run bench:plots`: the pictures in bench/RESULTS.md, drawn by the report's own chart code
 * (src/report, web/chart.ts) in headless Chromium:
 *   table2.png   He et al. 2017, Table 2: HR@10 and NDCG@10 by factors, paper / neurec / peer (bench/figures.json)
 *   speed.png    neurec's speed over PyTorch's, model by model (bench/figures.json)
 *   kernels.png  the kernel tables' speed-ups, CPU and H200 (parsed from RESULTS.md, so a --write updates it)
 *   scale-seconds.png, scale-memory.png   seconds per epoch and peak memory by data size, once
 *                bench/scale.json exists (bench/scale.ts --write)
 *
 *   npm run bench:plots [-- --out-dir bench/img]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Figure } from '../src/report/figure';
import { escapeHtml, figureSlot, reportDocument } from '../src/report/html';
import { htmlToPng } from '../src/report/png';

const BENCH = path.resolve(__dirname, '..', '..', 'bench');

interface Table2 { source: string; factors: number[]; series: { label: string; color: number; dash?: boolean; hr: number[]; ndcg: number[] }[] }
interface Speed { source: string; rows: { label: string; ratio: number }[] }
/** What the scale issue's bench writes: one row per data size. */
interface Scale { source: string; rows: { label: string; interactions: number; epochSeconds: number; peakRssMb: number }[] }

const SCALE_FORMAT = '{"source": "where and how measured", "rows": [{"label": "<data>", "interactions": <count>, "epochSeconds": <s>, "peakRssMb": <MB>}, ...]}';

function table2(t: Table2): Figure[] {
  const x = { label: 'predictive factors', values: t.factors.map((_, k) => k), categories: t.factors.map(String) };
  const fig = (id: string, name: string, key: 'hr' | 'ndcg'): Figure => ({
    id, title: `Table 2 on ml-1m: ${name}`, kind: 'line', x, y: { label: name },
    series: t.series.map((s) => ({ label: s.label, values: s[key], color: s.color, ...(s.dash ? { dash: true } : {}) })),
  });
  return [fig('table2-hr', 'HR@10', 'hr'), { ...fig('table2-ndcg', 'NDCG@10', 'ndcg'), note: `Dashed: pre-trained NeuMF. ${t.source}.` }];
}

function speed(s: Speed): Figure {
  return {
    id: 'speed', title: "neurec's speed over PyTorch's (higher is faster)", kind: 'bar',
    x: { label: '', values: s.rows.map((_, k) => k), categories: s.rows.map((r) => r.label) },
    y: { label: 'times PyTorch', fromZero: true }, series: [{ label: 'speed-up', values: s.rows.map((r) => r.ratio) }],
    rule: { y: 1, label: 'as fast as PyTorch' }, note: `${s.source}.`,
  };
}

/** The speed-up column of a marker-delimited kernel table in RESULTS.md, by op. */
export function kernelSpeedups(results: string, marker: string): Map<string, number> {
  const block = new RegExp(`<!-- ${marker}:start -->([\\s\\S]*?)<!-- ${marker}:end -->`).exec(results)?.[1] ?? '';
  const out = new Map<string, number>();
  for (const line of block.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const ratio = /^([\d.]+)×$/.exec(cells[cells.length - 2] ?? '');
    if (ratio && cells[1] && cells[1] !== 'op') out.set(cells[1], Number(ratio[1]));
  }
  return out;
}

function kernels(results: string): Figure | null {
  const cpu = kernelSpeedups(results, 'cpu-ops'), cuda = kernelSpeedups(results, 'cuda-ops');
  const ops = [...new Set([...cpu.keys(), ...cuda.keys()])];
  if (!ops.length) return null;
  return {
    id: 'kernels', title: 'Kernels: speed over PyTorch, op by op (log scale)', kind: 'dots',
    x: { label: '', values: ops.map((_, k) => k), categories: ops }, y: { label: 'times PyTorch', log: 2 },
    series: [
      { label: '2-core CPU', values: ops.map((o) => cpu.get(o) ?? null) },
      { label: 'NVIDIA H200', values: ops.map((o) => cuda.get(o) ?? null) },
    ],
    rule: { y: 1, label: 'as fast as PyTorch' }, note: 'bench/RESULTS.md, "CPU kernels vs PyTorch" and "CUDA kernels vs PyTorch" (medians per call).',
  };
}

function scale(s: Scale): [Figure, Figure] {
  const rows = [...s.rows].sort((a, b) => a.interactions - b.interactions);
  const x = { label: 'interactions (log scale)', values: rows.map((r) => r.interactions), log: 10 as const };
  const note = `${rows.map((r) => r.label).join(', ')}. ${s.source}.`;
  return [
    { id: 'scale-seconds', title: 'Seconds per epoch by data size', kind: 'line', x, y: { label: 's / epoch', log: 10 }, series: [{ label: 's / epoch', values: rows.map((r) => r.epochSeconds) }], note },
    { id: 'scale-memory', title: 'Peak memory by data size', kind: 'line', x, y: { label: 'peak RSS MB', log: 10 }, series: [{ label: 'peak RSS MB', values: rows.map((r) => r.peakRssMb) }], note },
  ];
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help')) {
    console.log('usage: npm run bench:plots [-- --out-dir DIR]\n  draws table2.png, speed.png, kernels.png (and scale-seconds.png, scale-memory.png once bench/scale.json exists) into DIR (default bench/img)');
    return;
  }
  const at = argv.indexOf('--out-dir');
  const outDir = path.resolve(at >= 0 ? argv[at + 1] : path.join(BENCH, 'img'));
  fs.mkdirSync(outDir, { recursive: true });
  const figures = readJson<{ table2: Table2; speed: Speed }>(path.join(BENCH, 'figures.json'));
  const pictures: [name: string, figs: Figure[]][] = [['table2', table2(figures.table2)], ['speed', [speed(figures.speed)]]];
  const k = kernels(fs.readFileSync(path.join(BENCH, 'RESULTS.md'), 'utf8'));
  if (k) pictures.push(['kernels', [k]]);
  const scaleFile = path.join(BENCH, 'scale.json');
  if (fs.existsSync(scaleFile)) {
    const [seconds, memory] = scale(readJson<Scale>(scaleFile));
    pictures.push(['scale-seconds', [seconds]], ['scale-memory', [memory]]);
  } else {
    console.log(`# scale-*.png: not drawn, bench/scale.json is not there yet (node dist/bench/scale.js --write makes it: ${SCALE_FORMAT})`);
  }

  const body = pictures.map(([name, figs]) => `<section class="shot grid" id="${name}">${figs.map(figureSlot).join('\n')}</section>`).join('\n');
  const html = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-plots-')), 'plots.html');
  fs.writeFileSync(html, reportDocument({ title: 'neurec bench plots', body: `<h1>${escapeHtml('neurec bench plots')}</h1>\n${body}`, figures: pictures.flatMap(([, f]) => f) }));
  await htmlToPng(html, pictures.map(([name]) => ({ selector: `#${name}`, file: path.join(outDir, `${name}.png`) })), 1000);
  for (const [name] of pictures) {
    const file = path.join(outDir, `${name}.png`);
    console.log(`${path.relative(process.cwd(), file)} ${(fs.statSync(file).size / 1024).toFixed(0)} KB`);
  }
  fs.rmSync(path.dirname(html), { recursive: true, force: true });
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`bench:plots: ${e.message}`);
    process.exitCode = 1;
  });
}
