/**
 * The browser page at GET /: a small HTML shell and the bundle built from web/page/ (esbuild,
 * preact and uPlot inside; nothing fetched from elsewhere). It talks to the service through
 * the same /v1 routes as any client.
 */
import type { FastifyInstance } from 'fastify';
import { readWebAsset } from '../report/web_assets';

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>neurec</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/page.css">
</head>
<body>
<div id="app"><p>Loading…</p></div>
<noscript>This page needs JavaScript. The API it uses is described in README.md, "Serving".</noscript>
<script src="/assets/page.js" defer></script>
</body>
</html>
`;

const ASSETS: Record<string, string> = { 'page.js': 'text/javascript; charset=utf-8', 'page.css': 'text/css; charset=utf-8' };

/** Registers GET / and GET /assets/<file>. The bundle is read once, at the first request for it. */
export async function pageRoutes(app: FastifyInstance): Promise<void> {
  const cache = new Map<string, string>();
  app.get('/', async (_req, reply) => {
    // A missing bundle is told at once, not found out from a blank page.
    for (const name of Object.keys(ASSETS)) if (!cache.has(name)) cache.set(name, readWebAsset(name));
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(SHELL);
  });
  app.get('/assets/:file', {
    schema: { params: { type: 'object', required: ['file'], properties: { file: { type: 'string', enum: Object.keys(ASSETS) } } } },
  }, async (req, reply) => {
    const { file } = req.params as { file: string };
    if (!cache.has(file)) cache.set(file, readWebAsset(file));
    return reply.header('content-type', ASSETS[file]).header('cache-control', 'no-cache').send(cache.get(file));
  });
}
