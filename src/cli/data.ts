/** `neurec data stats [--dataset ...]`: the EDA figures of seeds 000 and 003. */
import { computeStats, formatStats } from '../data/stats';
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
  if (sub !== 'stats') throw new Error(`data: unknown subcommand "${sub ?? ''}"; available: stats`);
  const a = parseArgs(rest, SPEC, 'data stats');
  if (a.help) return void console.log(usage('data stats', SPEC));
  const data = loadDataset(a.dataset as string | undefined, a['data-dir'] as string | undefined, (s) => console.log(s));
  const stats = computeStats(data);
  console.log(formatStats(stats));
  if (a.json) console.log(JSON.stringify(stats));
}
