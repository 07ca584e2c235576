/**
 * The serving event store: every interaction the service acknowledges and every profile it is
 * told, durable before the answer goes out. Raw ids (strings) throughout, so the store outlives
 * any one model's id mapping. Asynchronous, so a networked database fits the same interface
 * (SQLite is the embedded default; PostgreSQL for several replicas).
 */

export type EventKind = 'rating' | 'click' | 'view';
export const EVENT_KINDS: readonly EventKind[] = ['rating', 'click', 'view'];

/** An interaction as a client posts it (validated). */
export interface NewEvent {
  item: string;
  kind: EventKind;
  /** The rating, for kind 'rating' (null for clicks and views). */
  rating: number | null;
  /** When it happened, milliseconds since 1970 (the server's clock when the client gives none). */
  ts: number;
  /** Client-supplied id: an event posted again with the same id (for the same user) is stored once. */
  id: string | null;
}

export interface StoredEvent extends NewEvent {
  /** Store-wide position: increases with every stored event. */
  seq: number;
  user: string;
}

/** An events row as both stores' queries return it (columns named as in the schema). */
export interface EventRow {
  seq: number;
  user: string;
  item: string;
  kind: string;
  rating: number | null;
  ts: number;
  event_id: string | null;
}

export function toEvent(r: EventRow): StoredEvent {
  return { seq: r.seq, user: r.user, item: r.item, kind: r.kind as StoredEvent['kind'], rating: r.rating, ts: r.ts, id: r.event_id };
}

export interface UserProfileRecord {
  age?: number;
  gender?: 'M' | 'F';
  occupation?: string;
}

export interface AppendResult {
  /** Events written now. */
  stored: number;
  /** Events whose id was already stored for this user (not written again). */
  duplicates: number;
  /** The store's high-water mark after the write. */
  seq: number;
}

export interface EventStore {
  /** 'sqlite' or 'postgres', and where (a file path or a URL without password). */
  readonly kind: string;
  readonly location: string;
  /** Appends a user's events in one transaction: all are durable when this resolves, or none is written. */
  append(user: string, events: readonly NewEvent[]): Promise<AppendResult>;
  /** A user's events, oldest first. */
  userEvents(user: string): Promise<StoredEvent[]>;
  /** A user's events and profile together (one round trip to a networked store: what a cache miss costs). */
  userState(user: string): Promise<{ events: StoredEvent[]; profile: UserProfileRecord | null }>;
  /** Every event with seq in (afterSeq, upToSeq], oldest first, in pages of `page`. */
  streamEvents(opts?: { afterSeq?: number; upToSeq?: number; page?: number }): AsyncIterable<StoredEvent[]>;
  setProfile(user: string, profile: UserProfileRecord): Promise<void>;
  profile(user: string): Promise<UserProfileRecord | null>;
  /** The largest seq stored (0 when empty). */
  highWater(): Promise<number>;
  /**
   * A high-water mark no event can appear below any more (what training reads up to). Equal
   * to highWater() for a single writer; with several writers a lower seq can commit after a
   * higher one, so a shared store first waits for the writes in flight.
   */
  settledHighWater(): Promise<number>;
  /** The schema version the store is at. */
  schemaVersion(): Promise<number>;
  /** A networked store: queries sent so far (its database's load, per request over /metrics). */
  readonly queries?: number;
  /** A shared store: follows other processes' writes (see ChangeFeed); absent for a store one process owns. */
  watch?(sink: ChangeSink): ChangeFeed;
  close(): Promise<void>;
}

/** What a replica does about other replicas' writes. */
export interface ChangeSink {
  /**
   * Another process changed this user's events or profile. `seq`: the latest event it stored
   * (a cached state holding it is current); `sentAt`: when it told (ms since 1970, its clock).
   */
  user(user: string, about?: { seq?: number; sentAt?: number }): void;
  /** Changes may have been missed (the feed was cut off): everything cached from the store must go. */
  reset(): void;
}

export interface ChangeFeed {
  /** Null while in step with the store; else why not (for /readyz). */
  behind(): string | null;
  /** Other processes' notifications received, and whole-cache resets (connections lost and made), so far. */
  readonly notifications: number;
  readonly resets: number;
  close(): Promise<void>;
}

/** The store cannot be reached now (the HTTP layer answers 503: retry, possibly on another replica). */
export class StoreUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}
