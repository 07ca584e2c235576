/**
 * The HTTP service (Fastify 5): recommendations, interactions, profiles, cold start, similar
 * items, health, metrics and model reload, every input checked by a JSON schema and every
 * error answered as JSON naming the field: { error, field?, statusCode }.
 */
import * as crypto from 'crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { LiveRecommender, RequestError, type RecommendOptions } from './recommender';
import type { LiveModel } from './live_model';
import { ServiceMetrics } from './metrics';
import { EVENT_KINDS, StoreUnavailableError, type NewEvent, type UserProfileRecord } from './store/event_store';
import { occupations, popularItems, trainingRun, userHistory } from './browse';
import { pageRoutes } from './page';

export interface AppOptions {
  recommender: LiveRecommender;
  /** Loads a checkpoint folder for POST /admin/reload (the current data set may be reused). */
  loadModel?: (dir: string, current: LiveModel) => Promise<LiveModel>;
  /** Bearer token for the admin routes; without one they are off (404). */
  adminToken?: string | null;
  /** Fastify's logger (pino): true, false, or pino options. Default false. */
  logger?: boolean | Record<string, unknown>;
  /** Log every request (pino's per-request lines). Default false: errors and lifecycle only. */
  logRequests?: boolean;
  /** Most events in one POST (default 100). */
  maxEvents?: number;
  metrics?: ServiceMetrics;
  /** Why the service is not in step with a shared store (a replica catching up), or null: /readyz answers 503 meanwhile. */
  notReady?: () => string | null;
}

const MAX_BODY = 64 * 1024;
const ID = { type: 'string', minLength: 1, maxLength: 200 } as const;

const eventProps = {
  item: { type: ['string', 'integer'], minLength: 1, maxLength: 200 },
  rating: { type: 'number' },
  kind: { type: 'string', enum: EVENT_KINDS },
  ts: { type: ['integer', 'string'] },
  id: ID,
} as const;

const profileSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    age: { type: 'integer', minimum: 1, maximum: 120 },
    gender: { type: 'string', enum: ['M', 'F'] },
    occupation: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

const recommendQuery = {
  k: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
  exclude_seen: { type: 'boolean', default: true },
  genre: { type: 'string', minLength: 1, maxLength: 100 },
  rerank: { type: 'boolean', default: false },
} as const;

/** Known routes, for answering 405 (with Allow) instead of 404 to a wrong method. */
const ROUTES: [RegExp, string[]][] = [
  [/^\/v1\/users\/[^/]+\/recommendations$/, ['GET']],
  [/^\/v1\/users\/[^/]+\/interactions$/, ['POST', 'GET']],
  [/^\/v1\/users\/[^/]+\/profile$/, ['PUT', 'GET']],
  [/^\/v1\/recommendations$/, ['POST']],
  [/^\/v1\/items\/[^/]+\/similar$/, ['GET']],
  [/^\/v1\/items\/popular$/, ['GET']],
  [/^\/v1\/model$/, ['GET']],
  [/^\/v1\/model\/training$/, ['GET']],
  [/^\/$/, ['GET']],
  [/^\/healthz$/, ['GET']],
  [/^\/readyz$/, ['GET']],
  [/^\/metrics$/, ['GET']],
  [/^\/admin\/reload$/, ['POST']],
];

/** "body/events/3/rating" → "events[3].rating" (the field a client should fix). */
function fieldOf(err: FastifyError): string | undefined {
  const v = err.validation?.[0];
  if (!v) return undefined;
  const parts = v.instancePath.split('/').filter(Boolean);
  const extra = (v.params as { missingProperty?: string; additionalProperty?: string }) ?? {};
  if (extra.missingProperty) parts.push(extra.missingProperty);
  if (extra.additionalProperty) parts.push(extra.additionalProperty);
  return parts.map((p, k) => (/^\d+$/.test(p) ? `[${p}]` : k ? `.${p}` : p)).join('') || err.validationContext;
}

function errorBody(status: number, error: string, field?: string) {
  return field ? { statusCode: status, error, field } : { statusCode: status, error };
}

/** A posted timestamp as milliseconds: an integer (ms since 1970) or an ISO 8601 string. */
function parseTs(v: unknown, field: string): number {
  if (v === undefined) return Date.now();
  const ms = typeof v === 'number' ? v : Date.parse(String(v));
  if (!Number.isFinite(ms) || ms < 0 || ms > Date.now() + 86_400_000)
    throw new RequestError(field, `ts ${JSON.stringify(v)} is not a time: give milliseconds since 1970 or an ISO 8601 string, not in the future`);
  return Math.trunc(ms);
}

function toEvent(raw: Record<string, unknown>, field: (name: string) => string): NewEvent {
  const rating = raw.rating === undefined ? null : (raw.rating as number);
  const kind = (raw.kind as NewEvent['kind'] | undefined) ?? (rating === null ? 'click' : 'rating');
  if (kind === 'rating' && rating === null) throw new RequestError(field('rating'), "an event of kind 'rating' needs a rating");
  if (kind !== 'rating' && rating !== null) throw new RequestError(field('rating'), `a ${kind} carries no rating; use kind 'rating'`);
  return { item: String(raw.item), kind, rating, ts: parseTs(raw.ts, field('ts')), id: (raw.id as string | undefined) ?? null };
}

/** Answers the recommender keeps are sent again as they were written the first time. */
const written = new WeakMap<object, string>();
function asJson(body: object): string {
  let text = written.get(body);
  if (text === undefined) written.set(body, (text = JSON.stringify(body)));
  return text;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const rec = opts.recommender;
  const metrics = opts.metrics ?? new ServiceMetrics();
  const maxEvents = opts.maxEvents ?? 100;
  metrics.setModel(rec.model.name, rec.model.version);
  let closing = false;
  let reloading = false;

  const app = Fastify({
    logger: opts.logger ?? false,
    logController: new LogController({ disableRequestLogging: !opts.logRequests }),
    bodyLimit: MAX_BODY,
    // Longer ids than this reach the schemas, which say which field is too long.
    routerOptions: { maxParamLength: 1024 },
    // Reject what the schemas do not name instead of silently dropping it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false, allowUnionTypes: true } },
  });

  // Callback hooks: an async hook costs a promise and a microtask turn on every request.
  app.addHook('onRequest', (_req, reply, done) => {
    reply.header('x-model-version', rec.model.version);
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
    done();
  });
  app.addHook('onClose', async () => {
    closing = true;
  });

  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof RequestError) return reply.code(err.status).send(errorBody(err.status, err.message, err.field));
    // The store is down or restarting: nothing was stored; the client retries (with the same event ids).
    if (err instanceof StoreUnavailableError) return reply.code(503).header('retry-after', '1').send(errorBody(503, err.message));
    if (err.validation) {
      const field = fieldOf(err);
      return reply.code(400).send(errorBody(400, `${err.validationContext ?? 'request'}${err.validation[0].instancePath} ${err.validation[0].message}`.replace(/^(\w+) /, '$1: '), field));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    const msg = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `request body is larger than ${MAX_BODY / 1024} KB`
      : err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? `malformed JSON body: ${err.message}`
      : status === 500 ? `internal error: ${err.message}` : err.message;
    return reply.code(status).send(errorBody(status, msg, status === 413 || /JSON/.test(msg) ? 'body' : undefined));
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const route = ROUTES.find(([re]) => re.test(path));
    if (route && !(path.startsWith('/admin/') && !opts.adminToken)) {
      reply.header('allow', route[1].join(', '));
      return reply.code(405).send(errorBody(405, `method ${req.method} is not allowed on ${path}; use ${route[1].join(' or ')}`));
    }
    return reply.code(404).send(errorBody(404, `no route ${req.method} ${path}; see README for the routes`));
  });

  const recommendOptions = (q: Record<string, unknown>): RecommendOptions => ({
    k: q.k as number, excludeSeen: q.exclude_seen as boolean, genre: q.genre as string | undefined, rerank: q.rerank as boolean,
  });

  app.get('/v1/users/:user/recommendations', {
    schema: {
      params: { type: 'object', required: ['user'], properties: { user: ID } },
      querystring: { type: 'object', additionalProperties: false, properties: recommendQuery },
    },
  }, async (req, reply) => {
    const out = await rec.recommend((req.params as { user: string }).user, recommendOptions(req.query as Record<string, unknown>));
    reply.header('x-model-version', out.model_version).type('application/json; charset=utf-8');
    return asJson(out);
  });

  app.post('/v1/users/:user/interactions', {
    schema: {
      params: { type: 'object', required: ['user'], properties: { user: ID } },
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...eventProps,
          events: { type: 'array', minItems: 1, maxItems: maxEvents, items: { type: 'object', additionalProperties: false, required: ['item'], properties: eventProps } },
        },
      },
    },
  }, async (req, reply) => {
    const body = req.body as Record<string, unknown>;
    const user = (req.params as { user: string }).user;
    let events: NewEvent[];
    if (Array.isArray(body.events)) {
      if (body.item !== undefined) throw new RequestError('item', 'give either one event (item, ...) or events: [...], not both');
      events = (body.events as Record<string, unknown>[]).map((e, k) => toEvent(e, (f) => `events[${k}].${f}`));
    } else {
      if (body.item === undefined) throw new RequestError('item', 'give an item (one event) or events: [...]');
      events = [toEvent(body, (f) => f)];
    }
    const t0 = performance.now();
    const r = await rec.addEvents(user, events);
    metrics.storeWriteSeconds.observe((performance.now() - t0) / 1000);
    metrics.eventsStored.inc({ outcome: 'stored' }, r.stored);
    if (r.duplicates) metrics.eventsStored.inc({ outcome: 'duplicate' }, r.duplicates);
    return reply.code(201).send({ user, stored: r.stored, duplicates: r.duplicates, seq: r.seq });
  });

  app.get('/v1/users/:user/interactions', {
    schema: {
      params: { type: 'object', required: ['user'], properties: { user: ID } },
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } } },
    },
  }, async (req) => userHistory(rec, (req.params as { user: string }).user, (req.query as { limit: number }).limit));

  app.put('/v1/users/:user/profile', {
    schema: { params: { type: 'object', required: ['user'], properties: { user: ID } }, body: profileSchema },
  }, async (req) => {
    const user = (req.params as { user: string }).user;
    const profile = req.body as UserProfileRecord;
    await rec.setProfile(user, profile);
    return { user, profile };
  });

  app.get('/v1/users/:user/profile', {
    schema: { params: { type: 'object', required: ['user'], properties: { user: ID } } },
  }, async (req) => {
    const user = (req.params as { user: string }).user;
    const state = await rec.users.get(user);
    return { user, profile: state.profile, events: state.events.length };
  });

  app.post('/v1/recommendations', {
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          profile: profileSchema,
          ratings: {
            type: 'array', maxItems: maxEvents,
            items: { type: 'object', additionalProperties: false, required: ['item', 'rating'], properties: { item: eventProps.item, rating: { type: 'number' } } },
          },
          ...recommendQuery,
        },
      },
    },
  }, async (req, reply) => {
    const b = req.body as { profile?: UserProfileRecord; ratings?: { item: string | number; rating: number }[] } & Record<string, unknown>;
    const out = await rec.recommendNew({ profile: b.profile ?? null, ratings: (b.ratings ?? []).map((r) => ({ item: String(r.item), rating: r.rating })) }, recommendOptions(b));
    reply.header('x-model-version', out.model_version);
    return out;
  });

  app.get('/v1/items/:item/similar', {
    schema: {
      params: { type: 'object', required: ['item'], properties: { item: ID } },
      querystring: { type: 'object', additionalProperties: false, properties: { k: recommendQuery.k } },
    },
  }, async (req) => {
    const { item } = req.params as { item: string };
    const { k } = req.query as { k: number };
    return { model: rec.model.name, model_version: rec.model.version, ...rec.similar(item, k) };
  });

  app.get('/v1/items/popular', {
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { k: recommendQuery.k, genre: recommendQuery.genre } } },
  }, async (req) => {
    const { k, genre } = req.query as { k: number; genre?: string };
    return { model: rec.model.name, model_version: rec.model.version, items: popularItems(rec.model.catalog, k, genre) };
  });

  app.get('/v1/model/training', async () => trainingRun(rec.model));

  app.get('/v1/model', async () => {
    const m = rec.model, c = m.catalog;
    return {
      model: m.name, model_version: m.version, source: m.info.source ?? null, loaded_at: m.loadedAt.toISOString(),
      data: { name: c.name, users: c.nUsers, items: c.nItems, rating_scale: c.ratingScale, genres: c.genreNames, example_user: c.nUsers ? c.userId(0) : null, occupations: occupations(c) },
      fold_in: m.adapter.foldIn, store: { kind: rec.eventStore.kind, location: rec.eventStore.location },
    };
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.register(pageRoutes);

  app.get('/readyz', async (_req, reply) => {
    const why: string[] = [];
    if (closing) why.push('shutting down');
    const behind = opts.notReady?.();
    if (behind) why.push(behind);
    try {
      await rec.eventStore.highWater();
    } catch (e) {
      why.push(`event store: ${(e as Error).message}`);
    }
    if (why.length) return reply.code(503).send({ ready: false, why });
    return { ready: true, model: rec.model.name, model_version: rec.model.version };
  });

  app.get('/metrics', async (_req, reply) => {
    metrics.cachedUsers.set(rec.users.size);
    const sc = rec.scoreCache;
    for (const [what, v] of [['rows', sc.size], ['bytes', sc.usedBytes], ['hits', sc.hits], ['misses', sc.misses], ['answer_hits', sc.answerHits]] as const) metrics.scoreCache.set({ what }, v);
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  if (opts.adminToken) {
    const token = opts.adminToken;
    app.post('/admin/reload', {
      schema: { body: { type: 'object', additionalProperties: false, properties: { checkpoint: { type: 'string', minLength: 1, maxLength: 4096 } } } },
      onRequest: async (req, reply) => {
        const auth = req.headers.authorization ?? '';
        if (!auth.startsWith('Bearer ') || !safeEqual(auth.slice(7), token))
          return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody(401, 'admin routes need Authorization: Bearer <NEUREC_ADMIN_TOKEN>'));
      },
    }, async (req, reply) => {
      if (!opts.loadModel) return reply.code(501).send(errorBody(501, 'this service was started without a model loader'));
      if (reloading) return reply.code(409).send(errorBody(409, 'a reload is already running'));
      const current = rec.model;
      const dir = (req.body as { checkpoint?: string } | undefined)?.checkpoint ?? current.info.source;
      if (!dir) throw new RequestError('checkpoint', 'give the checkpoint folder to load');
      reloading = true;
      const t0 = performance.now();
      try {
        const next = await opts.loadModel(dir, current);
        rec.swap(next);
        metrics.setModel(next.name, next.version);
        metrics.reloads.inc({ outcome: 'ok' });
        req.log.info({ model: next.name, version: next.version, previous: current.version }, 'model reloaded');
        return { model: next.name, model_version: next.version, previous_version: current.version, seconds: +((performance.now() - t0) / 1000).toFixed(3) };
      } catch (e) {
        metrics.reloads.inc({ outcome: 'failed' });
        throw new RequestError('checkpoint', `reload failed, still serving ${current.version}: ${(e as Error).message}`, 422);
      } finally {
        reloading = false;
      }
    });
  }

  return app;
}
