/**
 * What the service holds about users between requests: each user's stored events and profile
 * as read from the event store, plus whatever was computed from them (a folded-in vector),
 * in a bounded least-recently-used cache. Everything here can be rebuilt from the store: a
 * write invalidates the user's entry, and the next read loads it again.
 */
import type { EventStore, StoredEvent, UserProfileRecord } from './store/event_store';

export interface UserState {
  readonly user: string;
  readonly events: readonly StoredEvent[];
  readonly profile: UserProfileRecord | null;
  /** Derived values keyed by what they were derived with (e.g. a model version). */
  readonly derived: Map<string, unknown>;
}

export class UserStates {
  private readonly cache = new Map<string, UserState>();
  private readonly loading = new Map<string, Promise<UserState>>();
  /** Bumped by every invalidation, so a load that raced a write is not cached. */
  private readonly generation = new Map<string, number>();
  /** Bumped by clear(), so no load that started before it is cached after it. */
  private epoch = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly store: () => EventStore, readonly maxUsers = 100_000) {}

  async get(user: string): Promise<UserState> {
    const hit = this.cache.get(user);
    if (hit) {
      this.hits++;
      // Map order is insertion order: re-inserting marks it most recently used.
      this.cache.delete(user);
      this.cache.set(user, hit);
      return hit;
    }
    this.misses++;
    const pending = this.loading.get(user);
    if (pending) return pending;
    const gen = this.generation.get(user) ?? 0, epoch = this.epoch;
    const p = (async () => {
      const { events, profile } = await this.store().userState(user);
      const state: UserState = { user, events, profile, derived: new Map() };
      if ((this.generation.get(user) ?? 0) === gen && this.epoch === epoch) this.put(user, state);
      return state;
    })();
    this.loading.set(user, p);
    try {
      return await p;
    } finally {
      if (this.loading.get(user) === p) this.loading.delete(user);
    }
  }

  /** Whether the user's cached state already holds the event numbered `seq` (then it is current as of that write). */
  holdsEvent(user: string, seq: number): boolean {
    const events = this.cache.get(user)?.events;
    if (!events) return false;
    // Oldest first: a recent seq is found from the end.
    for (let k = events.length - 1; k >= 0 && events[k].seq >= seq; k--) if (events[k].seq === seq) return true;
    return false;
  }

  /** Forgets a user's entry (their events or profile changed). */
  invalidate(user: string): void {
    const cached = this.cache.delete(user), loading = this.loading.delete(user);
    // Neither cached nor loading: nothing to forget (most other replicas' writes land here).
    if (!cached && !loading) return;
    this.generation.set(user, (this.generation.get(user) ?? 0) + 1);
    // Bounded: past that, forgetting everything once is cheaper than tracking every user.
    if (this.generation.size > 4 * this.maxUsers) this.clear();
  }

  /** Forgets everything (e.g. after reconnecting to a store that may have changed). */
  clear(): void {
    this.epoch++;
    this.cache.clear();
    this.loading.clear();
    this.generation.clear();
  }

  get size(): number {
    return this.cache.size;
  }

  private put(user: string, state: UserState): void {
    this.cache.set(user, state);
    if (this.cache.size > this.maxUsers) this.cache.delete(this.cache.keys().next().value as string);
  }
}
