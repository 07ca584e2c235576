/** Test helpers for the data layer: temp fixture folders and the real-data location. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../../src/data/rng';

/** A fresh folder under os.tmpdir() holding `files` (name -> text, or bytes); removed at exit. */
export function fixtureDir(files: Record<string, string | Buffer>, enc: BufferEncoding = 'utf8'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-data-'));
  for (const [name, body] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, typeof body === 'string' ? Buffer.from(body, enc) : body);
  }
  cleanup.push(dir);
  return dir;
}

const cleanup: string[] = [];
process.on('exit', () => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * The real data folder $NEUREC_DATA_DIR/name (CI sets NEUREC_DATA_DIR to the shared data; locally
 * run with NEUREC_DATA_DIR=/work/shared/data); null, with the reason printed, when unset/missing.
 */
export function realData(name: string): string | null {
  const root = process.env.NEUREC_DATA_DIR;
  const dir = root ? path.join(root, name) : '';
  if (!root || !fs.existsSync(dir)) {
    console.log(`  (skipped: real data ${name}: ${root ? `${dir} is missing` : 'NEUREC_DATA_DIR is not set'})`);
    return null;
  }
  return dir;
}

/**
 * A deterministic ml-100k-style u.data text with non-contiguous raw ids, unsorted lines and
 * deliberate timestamp ties: the NCF rules' hard cases. Its peer fingerprint is pinned in
 * ncf_eval.test.ts (computed by ../shared/peers/movielens.py on this very text).
 */
export function trickyUData(): string {
  const rng = new Rng(7);
  const lines: string[] = [];
  for (let u = 0; u < 40; u++) {
    const rawUser = 1000 - 17 * u; // descending raw ids: file order != dense order
    const n = 5 + rng.int(26);
    const seen = new Set<number>();
    for (let k = 0; k < n; k++) {
      let it: number;
      do it = 7 + 3 * rng.int(150); while (seen.has(it));
      seen.add(it);
      const ts = 880000000 + rng.int(4); // only 4 distinct times: many ties
      lines.push(`${rawUser}\t${it}\t${1 + rng.int(5)}\t${ts}`);
    }
  }
  // Interleave users so "the later line" is not simply the user's last block.
  const order = rng.permutation(lines.length);
  return Array.from(order, (k) => lines[k]).join('\n') + '\n';
}
