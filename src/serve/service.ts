/**
 * One call that wires a service together: the recommender over a live model and an event
 * store, its metrics, and the HTTP app. The CLI (`neurec serve`) and the tests both use it.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app';
import { LiveRecommender, type RecommenderOptions } from './recommender';
import type { LiveModel } from './live_model';
import { ServiceMetrics } from './metrics';
import type { EventStore } from './store/event_store';

export interface ServiceOptions extends Omit<AppOptions, 'recommender' | 'metrics' | 'notReady'>, Omit<RecommenderOptions, 'onBatch' | 'onFoldIn'> {
  model: LiveModel;
  store: EventStore;
  /** Node's default metrics (event loop, heap, GC); default true. Off in tests that build many services. */
  processMetrics?: boolean;
}

export interface Service {
  app: FastifyInstance;
  recommender: LiveRecommender;
  metrics: ServiceMetrics;
  /**
   * Stops accepting, finishes in-flight requests (up to `graceMs`, default 10 s, then cuts the
   * rest off), then closes the store and disposes the model.
   */
  close(graceMs?: number): Promise<void>;
}

export async function createService(opts: ServiceOptions): Promise<Service> {
  const metrics = new ServiceMetrics({ defaults: opts.processMetrics });
  const recommender = new LiveRecommender(opts.model, opts.store, {
    maxBatch: opts.maxBatch, cacheUsers: opts.cacheUsers, scoreCacheBytes: opts.scoreCacheBytes, rerankWeight: opts.rerankWeight,
    onBatch: (n, s) => {
      metrics.batchSize.observe(n);
      metrics.batchSeconds.observe(s);
    },
    onFoldIn: (kind, s) => {
      metrics.foldIns.inc({ kind });
      metrics.foldInSeconds.observe({ kind }, s);
    },
  });
  // A shared store: other replicas' writes invalidate what this one cached about their users.
  const feed = opts.store.watch?.({
    user: (u, about = {}) => {
      if (about.seq === undefined || !recommender.users.holdsEvent(u, about.seq)) recommender.users.invalidate(u);
      if (about.sentAt !== undefined) metrics.changeDelay.observe(Math.max(0, Date.now() - about.sentAt) / 1000);
    },
    reset: () => recommender.users.clear(),
  }) ?? null;
  metrics.changeFeedSource = feed;
  metrics.storeSource = opts.store;
  const app = await buildApp({ ...opts, recommender, metrics, notReady: () => feed?.behind() ?? null });
  let closed: Promise<void> | null = null;
  return {
    app, recommender, metrics,
    close: (graceMs = 10_000) => (closed ??= (async () => {
      // Keep-alive connections stay open between requests; once each has answered what it was
      // asked, close it, so shutdown does not wait out the keep-alive timeout.
      const server = app.server;
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
      try {
        await app.close();
      } finally {
        clearInterval(idle);
        clearTimeout(deadline);
      }
      await feed?.close();
      await opts.store.close();
      recommender.model.dispose();
    })()),
  };
}
