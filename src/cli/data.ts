/**
 * `neurec data stats [--dataset ...] [--html [--out F] [--png]]`: the EDA figures of seeds 000
 * and 003, as text or as a self-contained page of charts;
 * `neurec data download NAME`: GroupLens's archive into the user cache (data_download.ts).
 */
import { computeStats, formatStats } from '../data/stats';
import { downloadCommand } from './data_download';
import { loadDataset } from './datasets';
import { dataReport } from '../report/data_report';
import { writeReport } from '../report/write';
import { parseArgs, usage, type ArgSpec } from './args';

const SPEC: ArgSpec = {
  dataset: { help: 'ml-100k | ml-1m | ml-1m-ncf | ml-latest-small | synthetic' },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  json: { help: 'print one JSON object as the last line', flag: true },
  html: { help: 'also write the figures as charts in one self-contained HTML file (--out)', flag: true },
  out: { help: 'with --html: the file (default <data set>-stats.html)' },
  png: { help: 'with --html: also a picture of it, .png beside (headless Chromium: apt-get install -y chromium)', flag: true },
  help: { help: 'this text', flag: true },
};

export async function dataCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'download') {
    // Asynchronous: its errors are reported here, as main() reports the others.
    downloadCommand(rest).catch((e: Error) => {
      console.error(`neurec data download: ${e.message.replace(/^(data )?download: /, '')}`);
      process.exitCode = 1;
    });
    return;
  }
  if (sub !== 'stats') throw new Error(`data: unknown subcommand "${sub ?? ''}"; available: stats, download`);
  const a = parseArgs(rest, SPEC, 'data stats');
  if (a.help) return void console.log(usage('data stats', SPEC));
  if (!a.html && (a.out !== undefined || a.png)) throw new Error('data stats: --out and --png go with --html');
  const data = loadDataset(a.dataset as string | undefined, a['data-dir'] as string | undefined, (s) => console.log(s));
  const stats = computeStats(data);
  console.log(formatStats(stats));
  if (a.json) console.log(JSON.stringify(stats));
  if (a.html) await writeReport(dataReport(data, stats), String(a.out ?? `${data.name.replace(/[^\w.-]+/g, '_')}-stats.html`), !!a.png, (s) => console.log(s));
}
