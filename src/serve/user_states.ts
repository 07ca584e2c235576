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
    const gen = this.generation.get(user) ?? 0;
    const p = (async () => {
      const store = this.store();
      const [events, profile] = await Promise.all([store.userEvents(user), store.profile(user)]);
      const state: UserState = { user, events, profile, derived: new Map() };
      if ((this.generation.get(user) ?? 0) === gen) this.put(user, state);
      return state;
    })();
    this.loading.set(user, p);
    try {
      return await p;
    } finally {
      if (this.loading.get(user) === p) this.loading.delete(user);
    }
  }

  /** Forgets a user's entry (their events or profile changed). */
  invalidate(user: string): void {
    this.cache.delete(user);
    this.loading.delete(user);
    this.generation.set(user, (this.generation.get(user) ?? 0) + 1);
    if (this.generation.size > 4 * this.maxUsers) this.generation.clear();
  }

  /** Forgets everything (e.g. after reconnecting to a store that may have changed). */
  clear(): void {
    for (const u of this.cache.keys()) this.invalidate(u);
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }

  private put(user: string, state: UserState): void {
    this.cache.set(user, state);
    if (this.cache.size > this.maxUsers) this.cache.delete(this.cache.keys().next().value as string);
  }
}
