/** A benchmark's tables into bench/RESULTS.md: between its markers, or under a new heading the first time. */
import * as fs from 'fs';
import * as path from 'path';

export function writeResults(tag: string, heading: string, text: string): void {
  const file = path.resolve(__dirname, '..', '..', '..', 'bench', 'RESULTS.md');
  const block = `<!-- ${tag}:start -->\n${text}\n<!-- ${tag}:end -->`;
  const re = new RegExp(`<!-- ${tag}:start -->[\\s\\S]*<!-- ${tag}:end -->`);
  let body = fs.readFileSync(file, 'utf8');
  body = re.test(body) ? body.replace(re, () => block) : `${body}\n## ${heading}\n\n${block}\n`;
  fs.writeFileSync(file, body);
  console.log(`# wrote ${file}`);
}
