/**
 * The browser bundles (web/, built by esbuild into dist/web/ at npm ci, npm test and
 * npm run build:web): the report's chart code and the service's page.
 */
import * as fs from 'fs';
import * as path from 'path';

/** dist/web, beside dist/src where this file is compiled to. */
export const WEB_DIR = path.resolve(__dirname, '..', '..', 'web');

export function readWebAsset(name: string): string {
  const file = path.join(WEB_DIR, name);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the browser bundles are built by npm run build:web (npm ci and npm test build them too)`);
  return fs.readFileSync(file, 'utf8');
}
