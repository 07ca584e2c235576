/**
 * The shared event store: PostgreSQL through a pool of `pg` connections, for several service
 * replicas (on one machine or many) over one database. The same tables, versions and
 * guarantees as the SQLite store: a write is one statement, hence one transaction, committed
 * before append() resolves; an event posted again with the same id for the same user is stored
 * once, whichever replica the retry reaches (the unique index decides, so two retries racing
 * through two replicas also store it once).
 *
 * Every write takes a shared advisory lock, so settledHighWater() can wait out the writes in
 * flight (a sequence hands out numbers in the order writes start, not the order they commit),
 * and once committed, NOTIFYs the schema's channel (see pg_changes.ts) before it is answered.
 * The NOTIFY is a statement of its own, not part of the write: PostgreSQL serializes the
 * commits of all notifying transactions on one lock, which cut durable writes from about 1,300
 * to 400 a second (40 clients, on a shared 2-core machine); alone it writes no WAL and waits
 * for no disk. A process dying between the two loses that notification; the change feed's
 * poll of the latest writes finds it.
 *
 * A database that cannot be reached fails a call with StoreUnavailableError (503 over HTTP);
 * the pool opens new connections as soon as it is back.
 */
import * as os from 'os';
import * as crypto from 'crypto';
import pg from 'pg';
import type { AppendResult, ChangeFeed, ChangeSink, EventStore, NewEvent, StoredEvent, UserProfileRecord } from './event_store';
import { StoreUnavailableError, toEvent, type EventRow } from './event_store';
import { PG_MIGRATIONS, migratePg, pgSchemaVersion } from './pg_schema';
import { asUnavailable, pgTarget, type PgTarget } from './pg_connect';
import { PgChangeFeed, type ChangeNote } from './pg_changes';

export interface PgStoreOptions {
  /** Connections in the pool (default 10); a replica holds one more for its change feed. */
  pool?: number;
  /** Read the schema as it is (training reads a live store): no migration, no writes. */
  readOnly?: boolean;
  /** This process's name in notifications (default: host, pid and a random suffix). */
  replica?: string;
}

const COLS = 'seq, "user", item, kind, rating, ts, event_id';

/** A user's events, oldest first, then their profile as a row without a seq: one round trip. */
const USER_STATE = `
  SELECT seq, item, kind, rating, ts, event_id, NULL::integer AS age, NULL::text AS gender, NULL::text AS occupation FROM events WHERE "user" = $1
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, NULL, age, gender, occupation FROM profiles WHERE "user" = $1
  ORDER BY seq NULLS LAST`;

type ProfileRow = { age: number | null; gender: string | null; occupation: string | null };

function toProfile(r: ProfileRow): UserProfileRecord {
  const p: UserProfileRecord = {};
  if (r.age !== null) p.age = r.age;
  if (r.gender === 'M' || r.gender === 'F') p.gender = r.gender;
  if (r.occupation !== null) p.occupation = r.occupation;
  return p;
}


/** One statement, one transaction: the shared lock, then the rows in request order (duplicates of a stored id skipped). */
const APPEND = `
  WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared(hashtext($1))),
  ins AS (
    INSERT INTO events ("user", item, kind, rating, ts, event_id, received)
    SELECT $2, t.item, t.kind, t.rating, t.ts, t.event_id, $8
    FROM lock, unnest($3::text[], $4::text[], $5::float8[], $6::bigint[], $7::text[]) WITH ORDINALITY AS t(item, kind, rating, ts, event_id, n)
    ORDER BY t.n
    ON CONFLICT ("user", event_id) WHERE event_id IS NOT NULL DO NOTHING
    RETURNING seq)
  SELECT count(*)::int AS stored, max(seq) AS last, COALESCE(max(seq), (SELECT COALESCE(MAX(seq), 0) FROM events)) AS seq FROM ins`;

const PUT_PROFILE = `
  INSERT INTO profiles ("user", age, gender, occupation, updated) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT ("user") DO UPDATE SET age = excluded.age, gender = excluded.gender, occupation = excluded.occupation, updated = excluded.updated`;

export class PgEventStore implements EventStore {
  readonly kind = 'postgres';
  readonly replica: string;
  private readonly channel: string;
  private readonly writeLock: string;
  private readonly feeds = new Set<PgChangeFeed>();
  private closed = false;
  queries = 0;

  private constructor(private readonly target: PgTarget, private readonly pool: pg.Pool, private readonly version: number, opts: PgStoreOptions) {
    this.replica = opts.replica ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
    this.channel = `neurec:${target.schema}`;
    this.writeLock = `neurec:events:${target.schema}`;
  }

  get location(): string {
    return this.target.location;
  }

  /** Connects, migrates the schema to the latest version (unless read-only) and returns the store. */
  static async open(url: string, opts: PgStoreOptions = {}): Promise<PgEventStore> {
    const target = pgTarget(url);
    const pool = new pg.Pool({ ...target.config, max: opts.pool ?? 10 });
    // An idle connection the server closed (a restart): the pool drops it and opens another when asked.
    pool.on('error', () => {});
    try {
      const client = await pool.connect();
      let version: number;
      try {
        version = opts.readOnly ? await pgSchemaVersion(client, target.schema) : await migratePg(client, target.schema, target.location);
      } catch (e) {
        client.release(e as Error);
        throw e;
      }
      client.release();
      if (opts.readOnly && version !== PG_MIGRATIONS.length)
        throw new Error(`event store ${target.location}: schema version ${version} (this neurec reads ${PG_MIGRATIONS.length}; a replica migrates it when it starts)`);
      return new PgEventStore(target, pool, version, opts);
    } catch (e) {
      await pool.end().catch(() => {});
      const err = asUnavailable(e, target.location) as Error;
      if (err instanceof StoreUnavailableError || err.message.startsWith('event store')) throw err;
      throw new Error(`event store ${target.location}: ${err.message}`);
    }
  }

  private async query<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<R[]> {
    if (this.closed) throw new Error(`event store ${this.location}: closed`);
    this.queries++;
    try {
      return (await this.pool.query<R>({ name, text, values })).rows;
    } catch (e) {
      throw asUnavailable(e, this.location);
    }
  }

  async append(user: string, events: readonly NewEvent[]): Promise<AppendResult> {
    const [r] = await this.query<{ stored: number; last: number | null; seq: number }>('neurec-append', APPEND, [
      this.writeLock, user, events.map((e) => e.item), events.map((e) => e.kind), events.map((e) => e.rating),
      events.map((e) => e.ts), events.map((e) => e.id), Date.now(),
    ]);
    // Duplicates too: the original may be a write whose notification was lost.
    await this.notify({ r: this.replica, u: user, s: r.last, t: Date.now() });
    return { stored: r.stored, duplicates: events.length - r.stored, seq: r.seq };
  }

  /** Tells the other replicas; the write is durable already, so a failure here fails nothing (see the top). */
  private async notify(note: ChangeNote): Promise<void> {
    await this.query('neurec-notify', 'SELECT pg_notify($1, $2)', [this.channel, JSON.stringify(note)]).catch(() => {});
  }

  async userEvents(user: string): Promise<StoredEvent[]> {
    return (await this.query<EventRow>('neurec-user-events', `SELECT ${COLS} FROM events WHERE "user" = $1 ORDER BY seq`, [user])).map(toEvent);
  }

  async userState(user: string): Promise<{ events: StoredEvent[]; profile: UserProfileRecord | null }> {
    const rows = await this.query<Omit<EventRow, 'user'> & ProfileRow>('neurec-user-state', USER_STATE, [user]);
    const last = rows[rows.length - 1];
    const profile = last && last.seq === null ? toProfile(rows.pop()!) : null;
    return { events: rows.map((r) => toEvent({ ...r, user })), profile };
  }

  async *streamEvents(opts: { afterSeq?: number; upToSeq?: number; page?: number } = {}): AsyncIterable<StoredEvent[]> {
    let after = opts.afterSeq ?? 0;
    const upTo = opts.upToSeq ?? Number.MAX_SAFE_INTEGER, size = opts.page ?? 10_000;
    for (;;) {
      const rows = await this.query<EventRow>('neurec-page', `SELECT ${COLS} FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`, [after, upTo, size]);
      if (rows.length === 0) return;
      yield rows.map(toEvent);
      after = rows[rows.length - 1].seq;
    }
  }

  async setProfile(user: string, p: UserProfileRecord): Promise<void> {
    await this.query('neurec-put-profile', PUT_PROFILE, [user, p.age ?? null, p.gender ?? null, p.occupation ?? null, Date.now()]);
    await this.notify({ r: this.replica, u: user, t: Date.now() });
  }

  async profile(user: string): Promise<UserProfileRecord | null> {
    const [r] = await this.query<ProfileRow>('neurec-profile', 'SELECT age, gender, occupation FROM profiles WHERE "user" = $1', [user]);
    return r ? toProfile(r) : null;
  }

  async highWater(): Promise<number> {
    return (await this.query<{ seq: number }>('neurec-high-water', 'SELECT COALESCE(MAX(seq), 0) AS seq FROM events', []))[0].seq;
  }

  /** The high-water mark read under the exclusive side of the writers' lock: no write is in flight. */
  async settledHighWater(): Promise<number> {
    if (this.closed) throw new Error(`event store ${this.location}: closed`);
    let client: pg.PoolClient | null = null;
    this.queries += 4;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.writeLock]);
      const r = await client.query('SELECT COALESCE(MAX(seq), 0) AS seq FROM events');
      await client.query('COMMIT');
      client.release();
      return r.rows[0].seq as number;
    } catch (e) {
      client?.release(e as Error);
      throw asUnavailable(e, this.location);
    }
  }

  async schemaVersion(): Promise<number> {
    return this.version;
  }

  watch(sink: ChangeSink, opts: { pollMs?: number } = {}): ChangeFeed & PgChangeFeed {
    if (this.closed) throw new Error(`event store ${this.location}: closed`);
    const feed = new PgChangeFeed({ config: this.target.config, channel: this.channel, replica: this.replica, sink, pollMs: opts.pollMs });
    this.feeds.add(feed);
    return feed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.feeds].map((f) => f.close()));
    await this.pool.end();
  }
}
