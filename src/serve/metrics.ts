/**
 * The service's Prometheus metrics (prom-client), one registry per service instance: requests
 * by route and status, request latency, batch sizes and times, fold-ins, event-store write
 * latency, the model in service, the user cache, and Node's own (event-loop delay included).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ChangeFeed, EventStore } from './store/event_store';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route'>;
  readonly batchSize: Histogram;
  readonly batchSeconds: Histogram;
  readonly foldIns: Counter<'kind'>;
  readonly foldInSeconds: Histogram<'kind'>;
  readonly storeWriteSeconds: Histogram;
  readonly eventsStored: Counter<'outcome'>;
  readonly modelInfo: Gauge<'model' | 'version'>;
  readonly reloads: Counter<'outcome'>;
  readonly cachedUsers: Gauge;
  readonly changeFeed: Gauge<'what'>;
  /** A shared store's change feed, read at each scrape (set by the service). */
  changeFeedSource: ChangeFeed | null = null;
  readonly storeQueries: Gauge;
  readonly changeDelay: Histogram;
  /** The event store, whose query count (a networked store's) is read at each scrape. */
  storeSource: EventStore | null = null;
  readonly scoreCache: Gauge<'what'>;

  constructor(opts: { defaults?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaults !== false) collectDefaultMetrics({ register: this.registry, prefix: 'neurec_' });
    this.requests = new Counter({ name: 'neurec_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers });
    this.latency = new Histogram({ name: 'neurec_http_request_duration_seconds', help: 'Time from request to response', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers });
    this.batchSize = new Histogram({ name: 'neurec_scoring_batch_size', help: 'Recommendation requests scored together in one batch', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers });
    this.batchSeconds = new Histogram({ name: 'neurec_scoring_batch_seconds', help: 'Time one scoring batch held the event loop', buckets: LATENCY_BUCKETS, registers });
    this.foldIns = new Counter({ name: 'neurec_fold_ins_total', help: 'Users folded into the model (known users with new events, new users)', labelNames: ['kind'], registers });
    this.foldInSeconds = new Histogram({ name: 'neurec_fold_in_seconds', help: 'Time of one fold-in', labelNames: ['kind'], buckets: LATENCY_BUCKETS, registers });
    this.storeWriteSeconds = new Histogram({ name: 'neurec_store_write_seconds', help: 'Time to commit one request\'s events to the event store', buckets: LATENCY_BUCKETS, registers });
    this.eventsStored = new Counter({ name: 'neurec_events_total', help: 'Posted events, stored or already stored (same id)', labelNames: ['outcome'], registers });
    this.modelInfo = new Gauge({ name: 'neurec_model_info', help: 'The model in service (value 1)', labelNames: ['model', 'version'], registers });
    this.reloads = new Counter({ name: 'neurec_model_reloads_total', help: 'Model reloads by outcome', labelNames: ['outcome'], registers });
    this.cachedUsers = new Gauge({ name: 'neurec_cached_users', help: 'Users whose state is held in memory', registers });
    const self = this;
    this.changeFeed = new Gauge({
      name: 'neurec_change_feed', help: "Other replicas' writes followed (shared store): notifications received, whole-cache resets, and 1 while behind",
      labelNames: ['what'], registers,
      collect() {
        const f = self.changeFeedSource;
        if (!f) return;
        self.changeFeed.set({ what: 'notifications' }, f.notifications);
        self.changeFeed.set({ what: 'resets' }, f.resets);
        self.changeFeed.set({ what: 'behind' }, f.behind() === null ? 0 : 1);
      },
    });
    this.changeDelay = new Histogram({
      name: 'neurec_change_feed_delay_seconds', help: "From another replica's committed write to this one dropping the user's cached state (both machines' clocks)",
      buckets: LATENCY_BUCKETS, registers,
    });
    this.storeQueries = new Gauge({
      name: 'neurec_store_queries', help: 'Queries sent to a networked event store (PostgreSQL) so far: its load per request',
      registers,
      collect() {
        const q = self.storeSource?.queries;
        if (q !== undefined) self.storeQueries.set(q);
      },
    });
    this.scoreCache = new Gauge({ name: 'neurec_score_cache', help: "Stored users' score rows kept between requests: rows, bytes, row hits and misses so far, and answer_hits (requests answered from a kept answer)", labelNames: ['what'], registers });
  }

  setModel(model: string, version: string): void {
    this.modelInfo.reset();
    this.modelInfo.set({ model, version }, 1);
  }
}
