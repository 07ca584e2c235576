/** Writes a report document, and with `png` a picture of it beside (same name, .png). */
import * as path from 'path';
import { writeFileAtomic } from '../io/safetensors';
import { htmlToPng } from './png';

export async function writeReport(html: string, out: string, png: boolean, log: (s: string) => void): Promise<void> {
  writeFileAtomic(out, html);
  log(`# report: ${out} (${Math.round(html.length / 1024)} KB, opens from disk, no network)`);
  if (!png) return;
  const file = path.join(path.dirname(out), `${path.basename(out, path.extname(out))}.png`);
  await htmlToPng(path.resolve(out), [{ selector: null, file }]);
  log(`# picture: ${file}`);
}
