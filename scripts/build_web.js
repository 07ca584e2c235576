#!/usr/bin/env node
/**
 * Builds the browser side (web/) into dist/web/ with esbuild: report.js + report.css, inlined
 * into every report file (src/report/html.ts), and page.js + page.css, served by neurec serve
 * at / (src/serve/page.ts). uPlot and preact are bundled in: nothing is fetched at run time.
 * esbuild does not type-check, so web/tsconfig.json is checked first (--no-check skips it).
 * Run by npm ci (prepare), npm test (pretest) and npm run build:web.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const outdir = path.join(root, 'dist', 'web');

if (process.argv.includes('--help')) {
  console.log('usage: node scripts/build_web.js [--no-check]\n  bundles web/ into dist/web/ (report.js, report.css, page.js, page.css); --no-check skips tsc -p web');
  process.exit(0);
}
if (!process.argv.includes('--no-check')) {
  const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'web')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
require('esbuild').buildSync({
  absWorkingDir: root,
  entryPoints: { report: 'web/report.ts', page: 'web/page/main.tsx' },
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
});
for (const f of fs.readdirSync(outdir).sort()) console.log(`dist/web/${f} ${(fs.statSync(path.join(outdir, f)).size / 1024).toFixed(1)} KB`);
