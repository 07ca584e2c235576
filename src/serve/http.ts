/**
 * A small HTTP front for RecommenderService: GET /recommend?user=<raw id>&k=10 → JSON;
 * GET /health → {ok:true}. Errors come back as JSON with a 4xx/5xx status and a message.
 */
import * as http from 'http';
import type { RecommenderService } from './recommender_service';

export function createServer(service: RecommenderService): http.Server {
  return http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'GET') return send(405, { error: `method ${req.method} not allowed; use GET` });
      if (url.pathname === '/health') return send(200, { ok: true, model: service.model.name, dataset: service.data.name });
      if (url.pathname !== '/recommend') return send(404, { error: `no route ${url.pathname}; try /recommend?user=<id>&k=10` });
      const user = url.searchParams.get('user');
      if (!user) return send(400, { error: 'missing query parameter user' });
      const k = Number(url.searchParams.get('k') ?? '10');
      const t0 = performance.now();
      let items;
      try {
        items = service.recommend(user, k);
      } catch (e) {
        return send(/unknown user/.test((e as Error).message) ? 404 : 400, { error: (e as Error).message });
      }
      send(200, { user, k, items, ms: +(performance.now() - t0).toFixed(3) });
    } catch (e) {
      send(500, { error: (e as Error).message });
    }
  });
}
