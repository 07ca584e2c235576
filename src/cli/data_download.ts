/**
 * `neurec data download NAME`: GroupLens's archive into the user cache, checked against
 * GroupLens's MD5, with a progress bar (a line every quarter when stderr is not a terminal).
 */
import { CATALOGUE, cacheDir } from '../data/source';
import { downloadDataset, downloadable, type DownloadProgress } from '../data/download';
import { POSITIVE, num, parseArgs, usage, type ArgSpec } from './args';

const SPEC: ArgSpec = {
  mirror: { help: "a base URL holding NAME.zip (and NAME.zip.md5) in place of GroupLens's; the zip must still have GroupLens's MD5" },
  md5: { help: "the MD5 the zip must have instead of GroupLens's (a mirror's own archive)" },
  force: { help: 'download again even when the data set is already in the cache', flag: true },
  timeout: { help: 'seconds without a byte before giving up', default: '60', num: POSITIVE },
  help: { help: 'this text', flag: true },
};

const MB = 1024 * 1024;

/** A byte progress bar on stderr. */
class ByteBar {
  private readonly tty = !!process.stderr.isTTY;
  private readonly start = performance.now();
  private last = 0;
  private quarter = 0;

  constructor(private readonly label: string) {}

  update(p: DownloadProgress): void {
    const now = performance.now();
    const frac = p.total ? p.received / p.total : null;
    const rate = p.received / MB / Math.max(1e-3, (now - this.start) / 1000);
    const sizes = `${(p.received / MB).toFixed(1)}${p.total ? ` / ${(p.total / MB).toFixed(1)}` : ''} MB, ${rate.toFixed(1)} MB/s`;
    if (this.tty) {
      if (now - this.last < 100 && frac !== 1) return;
      this.last = now;
      const width = 30, filled = frac === null ? 0 : Math.round(width * frac);
      const bar = frac === null ? '' : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * frac).toFixed(0).padStart(3)}% `;
      process.stderr.write(`\r${this.label} ${bar}${sizes}\x1b[K${frac === 1 ? '\n' : ''}`);
      if (frac === 1) this.last = -1; // the line is finished
    } else if (frac !== null && Math.floor(frac * 4) > this.quarter) {
      this.quarter = Math.floor(frac * 4);
      process.stderr.write(`${this.label} ${25 * this.quarter}% (${sizes})\n`);
    }
  }

  done(): void {
    if (this.tty && this.last > 0) process.stderr.write('\n');
  }
}

export async function downloadCommand(argv: string[]): Promise<void> {
  const names = argv.filter((x) => !x.startsWith('--') && !isOptionValue(argv, x));
  const a = parseArgs(argv.filter((x) => !names.includes(x)), SPEC, 'data download');
  const known = downloadable();
  if (a.help || names.length === 0) {
    console.log(`usage: neurec data download NAME [options]   NAME: ${known.join(' | ')}\n` +
      `Fetches GroupLens's archive, checks its MD5 and unpacks it into ${cacheDir() ?? 'the user cache'} ($XDG_CACHE_HOME/neurec), ` +
      'where every command finds it.\n' + usage('data download NAME', SPEC).split('\n').slice(1).join('\n'));
    if (!a.help) process.exitCode = 2;
    return;
  }
  for (const name of names) {
    if (!known.includes(name)) throw new Error(`data download: unknown data set "${name}"; known: ${known.join(', ')}` +
      (CATALOGUE[name] ? ` (${name} is not distributed by GroupLens as one archive: ${CATALOGUE[name].what})` : ''));
  }
  for (const name of names) {
    const bar = new ByteBar(`${name}.zip`);
    try {
      await downloadDataset(name, {
        mirror: a.mirror as string | undefined, md5: a.md5 as string | undefined, force: !!a.force,
        idleTimeoutS: num(a, 'timeout', 'data download'),
        log: (m) => console.error(m), onProgress: (p) => bar.update(p),
      });
    } finally {
      bar.done();
    }
  }
}

/** Whether x is the value of an option that takes one (`--mirror URL`). */
function isOptionValue(argv: string[], x: string): boolean {
  const i = argv.indexOf(x);
  if (i <= 0) return false;
  const prev = argv[i - 1];
  if (!prev.startsWith('--') || prev.includes('=')) return false;
  const spec = SPEC[prev.slice(2)];
  return !!spec && !spec.flag;
}
