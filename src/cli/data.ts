/**
 * `neurec data stats [--dataset ...]`: the EDA figures of seeds 000 and 003;
 * `neurec data download NAME`: GroupLens's archive into the user cache (data_download.ts).
 */
import { computeStats, formatStats } from '../data/stats';
import { downloadCommand } from './data_download';
import { loadDataset } from './datasets';
import { parseArgs, usage, type ArgSpec } from './args';

const SPEC: ArgSpec = {
  dataset: { help: 'ml-100k | ml-1m | ml-1m-ncf | ml-latest-small | synthetic' },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  json: { help: 'print one JSON object as the last line', flag: true },
  help: { help: 'this text', flag: true },
};

export function dataCommand(argv: string[]): void {
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
  const data = loadDataset(a.dataset as string | undefined, a['data-dir'] as string | undefined, (s) => console.log(s));
  const stats = computeStats(data);
  console.log(formatStats(stats));
  if (a.json) console.log(JSON.stringify(stats));
}
