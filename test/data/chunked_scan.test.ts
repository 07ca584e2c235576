/**
 * Chunked scanning: every line of a file read through a small buffer is the line a whole-file
 * scan reads, with the same number, whatever the chunk size; the blank-line rule and the byte
 * order mark hold across chunk boundaries; a line longer than the buffer still reads.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chunkScanners } from '../../src/data/chunked_scan';
import { LineScanner } from '../../src/data/scan';

function file(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-chunks-'));
  const f = path.join(dir, 'r.dat');
  fs.writeFileSync(f, text, 'latin1');
  return f;
}

/** Every line as [number, fields...], through chunks of `bytes` (or one whole-file scanner). */
function lines(f: string, bytes: number | null): string[] {
  const out: string[] = [];
  const scanners = bytes === null
    ? [{ sc: new LineScanner(fs.readFileSync(f), f, { sep: '::' }), estimatedLines: 0 }]
    : chunkScanners(f, 'ratings', { sep: '::' }, bytes);
  for (const { sc } of scanners) {
    while (sc.nextLine()) {
      const fields: string[] = [];
      while (sc.hasField()) fields.push(sc.text('field'));
      out.push(`${sc.line}:${fields.join('|')}`);
    }
  }
  return out;
}

const body = Array.from({ length: 200 }, (_, k) => `${k + 1}::${(k * 7919) % 3706}::${1 + (k % 5)}::${978300000 + k}`).join('\n');

test('the same lines and line numbers at every chunk size', () => {
  for (const text of [body + '\n', body, body + '\n\n \n', body.replace(/\n/g, '\r\n') + '\r\n']) {
    const f = file(text);
    const whole = lines(f, null);
    assert.is(whole.length, 200);
    for (const bytes of [7, 16, 33, 64, 1000, 1 << 20]) assert.equal(lines(f, bytes), whole, `chunks of ${bytes} bytes`);
  }
});

test('the estimated line count is close; a line longer than the buffer reads whole', () => {
  const f = file(body + '\n');
  const first = chunkScanners(f, 'ratings', { sep: '::' }, 512).next().value!;
  assert.ok(Math.abs(first.estimatedLines - 200) < 40, `estimated ${first.estimatedLines}`);
  const long = file(`1::2::3::${'9'.repeat(300)}\n2::3::4::5\n`);
  assert.equal(lines(long, 16), [`1:1|2|3|${'9'.repeat(300)}`, '2:2|3|4|5']);
});

test('a blank line before more lines fails with its number, across a chunk boundary too', () => {
  const f = file('1::2::3::4\n\n  \n5::6::7::8\n');
  for (const bytes of [8, 11, 12, 14, 64]) {
    assert.throws(() => lines(f, bytes), (e: Error) => e.message.endsWith('r.dat line 2: blank line (only blank lines at the end of a file are allowed)'), `chunks of ${bytes}`);
  }
});

test('a byte-order mark is skipped at the start of the file only', () => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'neurec-chunks-')), 'bom.dat');
  fs.writeFileSync(f, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('1::2::3::4\n5::6::7::8\n')]));
  assert.equal(lines(f, 9), ['1:1|2|3|4', '2:5|6|7|8']);
});

test('a missing file names itself and what was expected', () => {
  assert.throws(() => [...chunkScanners('/nonexistent/r.dat', 'the ratings', { sep: '::' })], /\/nonexistent\/r.dat not found: expected the ratings/);
});

test.run();
