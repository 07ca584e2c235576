/** Serving: a live model, its event store, the recommender core and the HTTP service. */
export { LiveModel, type LiveModelInfo } from './live_model';
export { Catalog } from './catalog';
export { LiveRecommender, RequestError, type Recommendation, type RecommendOptions, type Strategy } from './recommender';
export { createService, type Service, type ServiceOptions } from './service';
export { buildApp, type AppOptions } from './app';
export { ServiceMetrics } from './metrics';
export { SqliteEventStore, SQLITE_MIGRATIONS } from './store/sqlite_store';
export type { EventStore, NewEvent, StoredEvent, UserProfileRecord, AppendResult, EventKind } from './store/event_store';
export { foldInVector, type FoldInOptions } from './fold_in';
export { Batcher } from './batcher';
