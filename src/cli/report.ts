/**
 * `neurec report runs/<dir> [runs/<dir2> ...] [--out report.html] [--png]`: one self-contained
 * HTML file with the runs' configuration, curves (overlaid), final figures, speed and memory.
 */
import { parseArgs, usage, type ArgSpec } from './args';
import { readRun, runLabels } from '../report/run_data';
import { runReport } from '../report/run_report';
import { writeReport } from '../report/write';

const SPEC: ArgSpec = {
  out: { help: 'the HTML file to write', default: 'report.html' },
  png: { help: 'also a picture of it, the same name with .png (headless Chromium: apt-get install -y chromium)', flag: true },
  help: { help: 'this text', flag: true },
};

/** Run folders are the arguments that are neither an option nor an option's value. */
function splitArgs(argv: string[]): { dirs: string[]; options: string[] } {
  const dirs: string[] = [], options: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (!a.startsWith('--')) {
      dirs.push(a);
      continue;
    }
    options.push(a);
    const spec = SPEC[a.slice(2)];
    if (spec && !spec.flag && k + 1 < argv.length) options.push(argv[++k]);
  }
  return { dirs, options };
}

export async function reportCommand(argv: string[]): Promise<void> {
  const { dirs, options } = splitArgs(argv);
  const a = parseArgs(options, SPEC, 'report');
  if (a.help) return void console.log(usage('report <run folder> [<run folder> ...]', SPEC));
  if (!dirs.length) throw new Error('report: give one or more run folders written by neurec train (--save), e.g. neurec report runs/gmf-ml-100k runs/mlp-ml-100k');
  const labels = runLabels(dirs);
  const runs = dirs.map((d, k) => readRun(d, labels[k]));
  await writeReport(runReport(runs), String(a.out), !!a.png, (s) => console.log(s));
}
