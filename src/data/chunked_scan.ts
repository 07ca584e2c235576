/**
 * Scanning a large file in chunks of whole lines, through one reused buffer: ml-20m's ratings
 * are over 500 MB, and reading them whole held the file beside the columns parsed from it (and
 * faulted in every page of it). Each chunk is a LineScanner over whole lines whose line numbers
 * continue the previous chunk's, so errors name the same line as a scan of the whole file, and
 * the blank-line rule holds across chunks: a chunk that is not the last never ends in blank
 * lines (they are carried to the next chunk, where a line after them makes them an error).
 */
import * as fs from 'fs';
import { LineScanner, checkFile, countLines, readFileOrThrow, type ScannerOptions } from './scan';

const NL = 10;
const DEFAULT_CHUNK = 16 << 20;

export interface Chunk {
  sc: LineScanner;
  /** The file's lines, estimated from the first chunk (exact when the file is one chunk). */
  estimatedLines: number;
}

/**
 * Yields one scanner per chunk; read every line of each (`while (sc.nextLine())`) before taking
 * the next. Small files are read whole, as before.
 */
export function* chunkScanners(file: string, expected: string, opts: ScannerOptions, chunkBytes = DEFAULT_CHUNK): Generator<Chunk> {
  const size = checkFile(file, expected);
  if (size <= chunkBytes) {
    const buf = readFileOrThrow(file, expected);
    yield { sc: new LineScanner(buf, file, opts), estimatedLines: countLines(buf) };
    return;
  }
  const fd = fs.openSync(file, 'r');
  try {
    let buf: Buffer = Buffer.allocUnsafe(chunkBytes);
    let carry = 0, line = 0, read = 0, estimatedLines = 0;
    for (;;) {
      if (carry === buf.length) buf = grow(buf); // one line longer than the buffer
      const got = fs.readSync(fd, buf, carry, buf.length - carry, null);
      read += got;
      const end = carry + got, last = got === 0;
      const cut = last ? end : wholeLinesEnd(buf, end);
      if (cut === 0 && !last) { carry = end; continue; }
      const view = buf.subarray(0, cut);
      if (estimatedLines === 0) estimatedLines = Math.ceil((countLines(view) * size) / Math.max(1, read - (end - cut))) + 16;
      const sc = new LineScanner(view, file, { ...opts, lineOffset: line });
      yield { sc, estimatedLines };
      line = sc.line;
      if (last) return;
      buf.copy(buf, 0, cut, end);
      carry = end - cut;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function grow(buf: Buffer): Buffer {
  const b = Buffer.allocUnsafe(buf.length * 2);
  buf.copy(b);
  return b;
}

/** Just past the last newline that ends a non-blank line (0 if none): where a chunk may end. */
function wholeLinesEnd(buf: Buffer, end: number): number {
  let nl = buf.lastIndexOf(NL, end - 1);
  while (nl >= 0) {
    const prev = nl > 0 ? buf.lastIndexOf(NL, nl - 1) : -1;
    for (let i = prev + 1; i < nl; i++) {
      const c = buf[i];
      if (c !== 32 && c !== 9 && c !== 13) return nl + 1;
    }
    nl = prev;
  }
  return 0;
}
