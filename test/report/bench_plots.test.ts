/**
 * The figures bench:plots draws are RESULTS.md's own: bench/figures.json's Table 2 against the
 * "Table 2, final" tables, and the kernel speed-ups parsed from the kernel tables.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import { kernelSpeedups } from '../../bench/plots';

const bench = path.resolve(__dirname, '..', '..', '..', 'bench');
const results = fs.readFileSync(path.join(bench, 'RESULTS.md'), 'utf8');
const figures = JSON.parse(fs.readFileSync(path.join(bench, 'figures.json'), 'utf8'));

/** The rows of the first table after `from` whose first cell is one of the factor sizes: cells as "HR / NDCG" pairs. */
function tableAfter(from: number): Map<number, [number, number][]> {
  const rows = new Map<number, [number, number][]>();
  for (const line of results.slice(from).split('\n').slice(1)) {
    if (!line.startsWith('|')) {
      if (rows.size) break;
      continue;
    }
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const f = Number(cells[0]);
    if (!Number.isInteger(f) || f <= 0) continue;
    rows.set(f, cells.slice(1).map((c) => {
      const m = /([\d.]+) \/ ([\d.]+)/.exec(c.replace(/\*/g, ''));
      return m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
    }));
  }
  return rows;
}

test('figures.json Table 2 is "Table 2, final" in RESULTS.md, cell by cell', () => {
  const at = results.indexOf('**Table 2, final.**');
  assert.ok(at > 0);
  const plain = tableAfter(at), pre = tableAfter(results.indexOf('| factors, pre-trained |', at) - 1);
  // Columns: plain: paper, neurec, full, peer at the paper's settings; pre-trained: paper, neurec, full, peer.
  const want: Record<string, [Map<number, [number, number][]>, number]> = {
    paper: [plain, 0], neurec: [plain, 1], "PyTorch peer, paper's settings": [plain, 3],
    'paper, pre-trained': [pre, 0], 'neurec, pre-trained': [pre, 1], 'PyTorch peer, pre-trained': [pre, 3],
  };
  assert.equal(figures.table2.series.map((s: { label: string }) => s.label), Object.keys(want));
  for (const s of figures.table2.series) {
    const [table, col] = want[s.label];
    figures.table2.factors.forEach((f: number, k: number) => assert.equal([s.hr[k], s.ndcg[k]], table.get(f)![col], `${s.label} at ${f} factors`));
  }
});

test('kernelSpeedups reads the speed-up column of both kernel tables', () => {
  const cpu = kernelSpeedups(results, 'cpu-ops'), cuda = kernelSpeedups(results, 'cuda-ops');
  assert.ok(cpu.size >= 10 && cuda.size >= 10, `${cpu.size} CPU rows, ${cuda.size} CUDA rows`);
  const row = /\| matmul_1024 \|[^\n]*\| ([\d.]+)× \|\n[\s\S]*<!-- cpu-ops:end -->/.exec(results);
  assert.is(cpu.get('matmul_1024'), Number(row![1]));
  assert.equal(kernelSpeedups('no table here', 'cpu-ops'), new Map());
});

test.run();
