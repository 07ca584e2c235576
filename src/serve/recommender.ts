/**
 * The serving core, independent of HTTP: recommendations for known and new users from the
 * current model plus what the event store holds, with the strategy used named in every answer:
 *   model       a user the model was trained on, with no new events (or a model that learns
 *               nothing from them, whose events then only exclude);
 *   fold-in     the user's stored or posted interactions folded into the model (see adapters);
 *   profile     a new user known only by a profile: the model's own profile input (feature
 *               model), else what users of the same age group, gender and occupation liked;
 *   popularity  nothing known at all.
 * A new user with both ratings and a profile gets the fold-in blended with the profile's
 * scores, the profile's weight 3/(3+n) shrinking as their n ratings grow.
 *
 * Scoring goes through one Batcher: concurrent requests are scored together and share one
 * top-k over the batch, with each row's exclusions (seen items, items outside a genre).
 */
import { Tensor } from '../tensor';
import { tidy } from '../scope';
import { topk } from '../ops/topk';
import { ScoreCache } from './score_cache';
import { genreAffinity, rerankByGenre } from '../eval/rerank';
import type { UserProfile } from '../models/popularity';
import { Batcher } from './batcher';
import { foldSeed, type History } from './adapters';
import type { LiveModel } from './live_model';
import type { EventStore, NewEvent, StoredEvent, UserProfileRecord, AppendResult } from './store/event_store';
import { UserStates, type UserState } from './user_states';

export type Strategy = 'model' | 'fold-in' | 'profile' | 'popularity';

export interface RecommendOptions {
  k: number;
  /** Leave out items the user interacted with (training data and stored events). Default true. */
  excludeSeen?: boolean;
  /** Only items of this genre. */
  genre?: string;
  /** Seed 000's re-ranking of a longer candidate list by the user's own genre affinity. */
  rerank?: boolean;
}

export interface RecommendedItem {
  rank: number;
  item: string;
  title: string;
  genres: string[];
  score: number;
}

export interface Recommendation {
  user?: string;
  model: string;
  model_version: string;
  strategy: Strategy;
  /** How many interactions the answer drew on (training + stored + posted). */
  interactions: number;
  /** Profile weight in a blend of fold-in and profile scores (new users with both). */
  profile_weight?: number;
  items: RecommendedItem[];
}

/** A user as the scorer sees them. */
interface Plan {
  strategy: Strategy;
  /** An adapter representation (scored by the model), or ready scores. */
  rep: unknown | null;
  scores: Float32Array | null;
  blend: { scores: Float32Array; weight: number } | null;
  history: History;
  /** Items this user has interacted with (excluded unless asked otherwise). */
  seen: Int32Array;
}

interface Job {
  live: LiveModel;
  plan: Plan;
  /** The plan is a stored user's (kept in their state), so its scores are worth keeping. */
  cache: boolean;
  exclude: Int32Array[];
  k: number;
}

interface Scored {
  items: Int32Array;
  scores: Float32Array;
}

/** Where an unknown item in a request is reported (the HTTP layer turns this into a 400). */
export class RequestError extends Error {
  constructor(readonly field: string, message: string, readonly status = 400) {
    super(message);
  }
}

export interface RecommenderOptions {
  /** Most requests scored in one batch (default 64). */
  maxBatch?: number;
  /** Users whose state is cached (default 100,000). */
  cacheUsers?: number;
  /** Bytes of known users' score rows kept between requests (default 256 MiB; 0 turns it off). */
  scoreCacheBytes?: number;
  /** Re-ranking: weight of genre affinity (default 0.3), candidates = max(5k, 50). */
  rerankWeight?: number;
  onBatch?: (size: number, seconds: number) => void;
  onFoldIn?: (kind: 'known' | 'new', seconds: number) => void;
}

const PROFILE_PRIOR = 3;
/** What a kept answer costs, roughly (its objects and their JSON), for the cache's byte bound. */
const ANSWER_BYTES_BASE = 256, ANSWER_BYTES_PER_ITEM = 320;

function answerKey(o: RecommendOptions): string {
  return `${o.k}|${o.excludeSeen !== false}|${o.genre ?? ''}|${o.rerank === true}`;
}

export class LiveRecommender {
  private live: LiveModel;
  private readonly batcher: Batcher<Job, Scored>;
  readonly users: UserStates;
  /** Jobs queued per model, so a replaced model is disposed only when none is left. */
  private readonly inFlight = new Map<LiveModel, number>();
  private readonly retired = new Set<LiveModel>();
  /** Scores of stored users' plans (a plan is replaced on every write and reload). */
  readonly scoreCache: ScoreCache<Plan, Recommendation>;

  constructor(live: LiveModel, private store: EventStore, private readonly opts: RecommenderOptions = {}) {
    this.live = live;
    this.scoreCache = new ScoreCache(opts.scoreCacheBytes ?? 256 * 2 ** 20);
    this.users = new UserStates(() => this.store, opts.cacheUsers);
    this.batcher = new Batcher((jobs) => this.scoreJobs(jobs), { maxBatch: opts.maxBatch, onBatch: opts.onBatch });
  }

  get model(): LiveModel {
    return this.live;
  }

  get eventStore(): EventStore {
    return this.store;
  }

  get queued(): number {
    return this.batcher.waiting;
  }

  /** Puts `next` in service; the old model is disposed once no queued request uses it. */
  swap(next: LiveModel): LiveModel {
    const old = this.live;
    this.live = next;
    if (old !== next) {
      this.scoreCache.clear();
      this.retired.add(old);
      this.disposeRetired();
    }
    return old;
  }

  private disposeRetired(): void {
    for (const m of this.retired) {
      if ((this.inFlight.get(m) ?? 0) === 0) {
        this.retired.delete(m);
        m.dispose();
      }
    }
  }

  // ------------------------------------------------------------------------ requests

  /** Recommendations for a user id: known to the model or not, with whatever the store holds. */
  async recommend(user: string, opts: RecommendOptions): Promise<Recommendation> {
    const live = this.live;
    this.checkOptions(live, opts);
    const state = await this.users.get(user);
    const plan = this.planFor(live, state);
    // The same question about the same plan has the same answer until a write or a reload.
    const asked = answerKey(opts);
    const kept = this.scoreCache.answer(plan, asked);
    if (kept) return kept;
    const out = await this.answer(live, plan, opts, user, true);
    this.scoreCache.setAnswer(plan, asked, out, ANSWER_BYTES_BASE + ANSWER_BYTES_PER_ITEM * out.items.length);
    return out;
  }

  /** Recommendations for a new user given inline (nothing is stored): a profile, ratings, or both. */
  async recommendNew(input: { profile?: UserProfileRecord | null; ratings?: { item: string; rating: number }[] }, opts: RecommendOptions): Promise<Recommendation> {
    const live = this.live;
    this.checkOptions(live, opts);
    const ratings = input.ratings ?? [];
    const items = new Int32Array(ratings.length), values = new Float32Array(ratings.length);
    ratings.forEach((r, k) => {
      items[k] = this.itemIndex(live, r.item, `ratings[${k}].item`);
      this.checkRating(live, r.rating, `ratings[${k}].rating`);
      values[k] = r.rating;
    });
    const key = JSON.stringify([input.profile ?? null, ratings]);
    const plan = this.planNew(live, { items, values }, input.profile ?? null, foldSeed(key, ratings.length));
    return this.answer(live, plan, opts);
  }

  /** Stores a user's events (all or none), then forgets the user's cached state. */
  async addEvents(user: string, events: NewEvent[]): Promise<AppendResult> {
    const live = this.live;
    events.forEach((e, k) => {
      const i = this.itemIndex(live, e.item, events.length === 1 ? 'item' : `events[${k}].item`);
      e.item = live.catalog.itemId(i);
      if (e.rating !== null) this.checkRating(live, e.rating, events.length === 1 ? 'rating' : `events[${k}].rating`);
    });
    const canonical = this.canonicalUser(live, user);
    try {
      return await this.store.append(canonical, events);
    } finally {
      this.users.invalidate(canonical);
    }
  }

  async setProfile(user: string, profile: UserProfileRecord): Promise<void> {
    const canonical = this.canonicalUser(this.live, user);
    try {
      await this.store.setProfile(canonical, profile);
    } finally {
      this.users.invalidate(canonical);
    }
  }

  /** Items nearest to `item` in the model's item representation. */
  similar(item: string, k: number): { item: Omit<RecommendedItem, 'rank' | 'score'>; similar: RecommendedItem[] } {
    const live = this.live;
    const i = this.itemIndex(live, item, 'item');
    if (!(Number.isInteger(k) && k >= 1 && k <= 1000)) throw new RequestError('k', `k must be an integer in 1..1000, got ${k}`);
    const near = live.similarItems(i, k);
    if (!near) throw new RequestError('item', `model ${live.name} has no item representation to compare items by`, 409);
    // score: the cosine similarity to the item.
    const out: RecommendedItem[] = [];
    for (let j = 0; j < near.items.length; j++) {
      if (near.items[j] < 0) break;
      out.push({ rank: j + 1, ...live.catalog.describe(near.items[j]), score: round(near.scores[j]) });
    }
    return { item: live.catalog.describe(i), similar: out };
  }

  // ------------------------------------------------------------------------ planning

  private checkOptions(live: LiveModel, opts: RecommendOptions): void {
    if (!(Number.isInteger(opts.k) && opts.k >= 1 && opts.k <= 1000)) throw new RequestError('k', `k must be an integer in 1..1000, got ${opts.k}`);
    if (opts.genre !== undefined && !live.catalog.hasGenre(opts.genre))
      throw new RequestError('genre', `unknown genre "${opts.genre}"; ${live.catalog.name} has ${live.catalog.genreNames.join(', ') || 'no genres'}`);
  }

  private itemIndex(live: LiveModel, raw: string, field: string): number {
    const i = live.catalog.itemIndex(raw);
    if (i < 0) throw new RequestError(field, `unknown item "${raw}" (not among the ${live.catalog.nItems} items of ${live.catalog.name})`);
    return i;
  }

  private checkRating(live: LiveModel, r: number, field: string): void {
    const [lo, hi] = live.catalog.ratingScale;
    if (!(Number.isFinite(r) && r >= lo && r <= hi)) throw new RequestError(field, `rating ${r} is outside ${live.catalog.name}'s scale ${lo}..${hi}`);
  }

  /** A known user's id as the data spells it ("007" and "7" are one numeric user). */
  private canonicalUser(live: LiveModel, user: string): string {
    const u = live.catalog.userIndex(user);
    return u >= 0 ? live.catalog.userId(u) : user;
  }

  /** Dense items of stored events the current catalog knows (others are skipped), with ratings or NaN. */
  private eventHistory(live: LiveModel, events: readonly StoredEvent[]): History {
    const items: number[] = [], values: number[] = [];
    for (const e of events) {
      const i = live.catalog.itemIndex(e.item);
      if (i < 0) continue;
      items.push(i);
      values.push(e.rating ?? NaN);
    }
    return { items: Int32Array.from(items), values: Float32Array.from(values) };
  }

  private planFor(live: LiveModel, state: UserState): Plan {
    const key = `plan:${live.version}`;
    const cached = state.derived.get(key) as Plan | undefined;
    if (cached) return cached;
    const u = live.catalog.userIndex(state.user);
    const events = this.eventHistory(live, state.events);
    let plan: Plan;
    if (u >= 0) {
      // A model retrained on the store (train --events) has its events up to eventsUpTo in
      // its training data already: only later ones are new to it.
      const upTo = live.info.eventsUpTo ?? 0;
      const newEvents = upTo > 0 ? this.eventHistory(live, state.events.filter((e) => e.seq > upTo)) : events;
      const train = live.catalog.trainingHistory(u);
      const history = concatHistory(train, newEvents);
      const seen = concatHistory(train, events).items;
      plan = { strategy: 'model', rep: live.adapter.knownRep(u), scores: null, blend: null, history, seen };
      if (newEvents.items.length > 0) {
        const t0 = performance.now();
        const rep = live.adapter.foldInKnown(u, history, foldSeed(state.user, history.items.length));
        if (rep !== null) {
          this.opts.onFoldIn?.('known', (performance.now() - t0) / 1000);
          plan = { ...plan, strategy: 'fold-in', rep };
        }
      }
    } else {
      plan = this.planNew(live, events, state.profile, foldSeed(state.user, events.items.length));
    }
    state.derived.clear();
    state.derived.set(key, plan);
    return plan;
  }

  private planNew(live: LiveModel, history: History, profile: UserProfileRecord | null, seed: number): Plan {
    const p = profile && Object.keys(profile).length ? (profile as UserProfile) : null;
    const base = { blend: null, history, seen: history.items };
    if (history.items.length > 0) {
      const t0 = performance.now();
      const rep = live.adapter.foldInNew(history, p, seed);
      if (rep !== null) {
        this.opts.onFoldIn?.('new', (performance.now() - t0) / 1000);
        const blend = p && !live.adapter.readsProfile && live.catalog.hasProfiles
          ? { scores: live.catalog.profileScores(p), weight: PROFILE_PRIOR / (PROFILE_PRIOR + history.items.length) }
          : null;
        return { ...base, strategy: 'fold-in', rep, scores: null, blend };
      }
    }
    if (p) {
      const rep = live.adapter.profileRep(p);
      if (rep !== null) return { ...base, strategy: 'profile', rep, scores: null };
      if (live.catalog.hasProfiles) return { ...base, strategy: 'profile', rep: null, scores: live.catalog.profileScores(p) };
    }
    return { ...base, strategy: 'popularity', rep: null, scores: live.catalog.counts };
  }

  // ------------------------------------------------------------------------ scoring

  private async answer(live: LiveModel, plan: Plan, opts: RecommendOptions, user?: string, cache = false): Promise<Recommendation> {
    const cat = live.catalog;
    const exclude: Int32Array[] = [];
    if (opts.excludeSeen !== false && plan.seen.length) exclude.push(plan.seen);
    if (opts.genre !== undefined) exclude.push(cat.itemsWithoutGenre(opts.genre));
    const want = opts.rerank ? Math.max(5 * opts.k, 50) : opts.k;
    const job: Job = { live, plan, cache, exclude, k: Math.min(want, cat.nItems) };
    this.inFlight.set(live, (this.inFlight.get(live) ?? 0) + 1);
    let scored: Scored;
    try {
      scored = await this.batcher.submit(job);
    } finally {
      this.inFlight.set(live, (this.inFlight.get(live) ?? 1) - 1);
      if (this.retired.size) this.disposeRetired();
    }
    let order = Array.from(scored.items.subarray(0, countValid(scored.items)), (item, j) => ({ item, score: scored.scores[j] }));
    if (opts.rerank && plan.history.items.length) {
      const genres = cat.data.itemMeta?.genres ?? [];
      order = rerankByGenre(order, genres, genreAffinity(plan.history.items, genres), this.opts.rerankWeight ?? 0.3);
    }
    const items = order.slice(0, opts.k).map((c, j) => ({ rank: j + 1, ...cat.describe(c.item), score: round(c.score) }));
    const out: Recommendation = { model: live.name, model_version: live.version, strategy: plan.strategy, interactions: plan.history.items.length, items };
    if (plan.blend) out.profile_weight = round(plan.blend.weight);
    return user === undefined ? out : { user, ...out };
  }

  /** One batch: every job's scores, then one top-k with each row's exclusions. */
  private scoreJobs(jobs: Job[]): Scored[] {
    const results: Scored[] = new Array(jobs.length);
    // Jobs queued before a reload may use the old model: each model scores its own.
    const byModel = new Map<LiveModel, number[]>();
    jobs.forEach((j, k) => {
      const list = byModel.get(j.live);
      if (list) list.push(k);
      else byModel.set(j.live, [k]);
    });
    for (const [live, ks] of byModel) {
      const I = live.catalog.nItems;
      const rows = new Float32Array(ks.length * I);
      const cached = ks.map((k) => (jobs[k].cache ? this.scoreCache.get(jobs[k].plan) : undefined));
      const modelJobs = ks.filter((k, r) => jobs[k].plan.rep !== null && !cached[r]);
      if (modelJobs.length) {
        const s = live.adapter.scoreBatch(modelJobs.map((k) => jobs[k].plan.rep));
        modelJobs.forEach((k, j) => rows.set(s.subarray(j * I, (j + 1) * I), ks.indexOf(k) * I));
      }
      ks.forEach((k, r) => {
        const p = jobs[k].plan, row = rows.subarray(r * I, (r + 1) * I);
        if (cached[r]) return row.set(cached[r]!);
        if (p.rep === null && p.scores) row.set(p.scores);
        if (p.blend) blendInto(row, p.blend.scores, p.blend.weight);
        if (jobs[k].cache && p.rep !== null) this.scoreCache.set(p, row);
      });
      const ptr = new Int32Array(ks.length + 1);
      ks.forEach((k, r) => (ptr[r + 1] = ptr[r] + jobs[k].exclude.reduce((s, e) => s + e.length, 0)));
      const idx = new Int32Array(ptr[ks.length]);
      ks.forEach((k, r) => {
        let at = ptr[r];
        for (const e of jobs[k].exclude) {
          idx.set(e, at);
          at += e.length;
        }
      });
      const kmax = Math.max(...ks.map((k) => jobs[k].k));
      const top = tidy(() => {
        const t = topk(Tensor.fromArray(rows, [ks.length, I]), kmax, {
          exclude: { ptr: Tensor.fromArray(ptr, [ptr.length], 'int32'), idx: Tensor.fromArray(idx, [idx.length], 'int32') },
        });
        return { items: t.indices.toArray() as Int32Array, scores: t.values.toFloat32Array() };
      });
      ks.forEach((k, r) => {
        const n = jobs[k].k;
        results[k] = { items: top.items.subarray(r * kmax, r * kmax + n), scores: top.scores.subarray(r * kmax, r * kmax + n) };
      });
    }
    return results;
  }
}

function concatHistory(a: History, b: History): History {
  if (b.items.length === 0) return a;
  const items = new Int32Array(a.items.length + b.items.length), values = new Float32Array(items.length);
  items.set(a.items);
  items.set(b.items, a.items.length);
  values.set(a.values);
  values.set(b.values, a.values.length);
  return { items, values };
}

/** row ← (1-w)·z(row) + w·z(other), z the standardised scores (scales of the two differ). */
function blendInto(row: Float32Array, other: Float32Array, w: number): void {
  const za = standardize(row), zb = standardize(other);
  for (let i = 0; i < row.length; i++) row[i] = (1 - w) * za[i] + w * zb[i];
}

function standardize(v: Float32Array): Float32Array {
  let s = 0, ss = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  for (const x of v) ss += (x - mean) * (x - mean);
  const sd = Math.sqrt(ss / v.length) || 1;
  return Float32Array.from(v, (x) => (x - mean) / sd);
}

function countValid(items: Int32Array): number {
  let n = 0;
  while (n < items.length && items[n] >= 0) n++;
  return n;
}

function round(x: number): number {
  return Number.isFinite(x) ? +x.toFixed(5) : x;
}
