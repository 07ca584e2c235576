/**
 * The embedded event store: one SQLite file (better-sqlite3) in WAL mode. A write is one
 * transaction, committed before append() resolves; with WAL and synchronous=NORMAL a commit is
 * in the operating system's hands when it returns, so it survives the server being killed
 * (kill -9); `durability: 'full'` also syncs to disk on every commit, for power loss.
 *
 * The schema is versioned (PRAGMA user_version) and migrated forward at open, inside an
 * IMMEDIATE transaction, so two processes opening one file at once migrate it once.
 */
import * as fs from 'fs';
import * as path from 'path';
import Database from 'better-sqlite3';
import { toEvent, type AppendResult, type EventRow, type EventStore, type NewEvent, type StoredEvent, type UserProfileRecord } from './event_store';

/** Schema versions in order: MIGRATIONS[v-1] takes a file from version v-1 to v. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: events and profiles.
  `CREATE TABLE events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     user TEXT NOT NULL,
     item TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('rating', 'click', 'view')),
     rating REAL,
     ts INTEGER NOT NULL
   );
   CREATE INDEX events_by_user ON events (user, seq);
   CREATE TABLE profiles (
     user TEXT PRIMARY KEY,
     age INTEGER,
     gender TEXT,
     occupation TEXT,
     updated INTEGER NOT NULL
   );`,
  // 2: client event ids (a retried post is stored once) and the server's receive time.
  `ALTER TABLE events ADD COLUMN event_id TEXT;
   ALTER TABLE events ADD COLUMN received INTEGER;
   CREATE UNIQUE INDEX events_user_event_id ON events (user, event_id) WHERE event_id IS NOT NULL;`,
];

export interface SqliteStoreOptions {
  /** 'normal' (default): survives the process being killed; 'full': also the machine losing power. */
  durability?: 'normal' | 'full';
  /** Apply only the first N migrations (tests of upgrading an old file). */
  schemaVersion?: number;
  /** Read an existing file as it is (training reads a live service's store): no migration, no writes. */
  readOnly?: boolean;
}


/** Brings the file to `target` (default: the latest) in one IMMEDIATE transaction; returns the version. */
export function migrateSqlite(db: Database.Database, file: string, target = SQLITE_MIGRATIONS.length): number {
  return db.transaction(() => {
    const at = db.pragma('user_version', { simple: true }) as number;
    if (at > SQLITE_MIGRATIONS.length)
      throw new Error(`event store ${file}: schema version ${at} is newer than this neurec knows (${SQLITE_MIGRATIONS.length}); upgrade neurec`);
    for (let v = at; v < target; v++) db.exec(SQLITE_MIGRATIONS[v]);
    if (target > at) db.pragma(`user_version = ${target}`);
    return Math.max(at, target);
  }).immediate();
}

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly version: number;
  private readonly insert: Database.Statement;
  private readonly byUser: Database.Statement;
  private readonly page: Database.Statement;
  private readonly maxSeq: Database.Statement;
  private readonly putProfile: Database.Statement;
  private readonly getProfile: Database.Statement;
  private readonly appendTx: (user: string, events: readonly NewEvent[]) => { stored: number };
  private closed = false;

  constructor(readonly location: string, opts: SqliteStoreOptions = {}) {
    if (opts.readOnly && !fs.existsSync(location)) throw new Error(`event store ${location}: no such file`);
    if (location !== ':memory:' && !opts.readOnly) {
      fs.mkdirSync(path.dirname(path.resolve(location)), { recursive: true });
      if (fs.existsSync(location) && fs.statSync(location).isDirectory()) throw new Error(`event store ${location}: is a folder; give a file path`);
    }
    try {
      this.db = new Database(location, { timeout: 10_000, readonly: !!opts.readOnly, fileMustExist: !!opts.readOnly });
    } catch (e) {
      throw new Error(`event store ${location}: cannot open (${(e as Error).message})`);
    }
    try {
      if (opts.readOnly) {
        this.version = this.db.pragma('user_version', { simple: true }) as number;
        if (this.version < 1 || this.version > SQLITE_MIGRATIONS.length) throw new Error(`event store ${location}: schema version ${this.version} (this neurec reads 1..${SQLITE_MIGRATIONS.length})`);
      } else {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma(`synchronous = ${opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
        this.db.pragma('foreign_keys = ON');
        this.version = migrateSqlite(this.db, location, opts.schemaVersion ?? SQLITE_MIGRATIONS.length);
      }
    } catch (e) {
      this.db.close();
      const msg = (e as Error).message;
      throw new Error(msg.startsWith('event store') ? msg : `event store ${location}: ${msg}`);
    }
    const idempotent = this.version >= 2;
    this.insert = idempotent
      ? this.db.prepare(`INSERT INTO events (user, item, kind, rating, ts, event_id, received) VALUES (?, ?, ?, ?, ?, ?, ?)
                         ON CONFLICT (user, event_id) WHERE event_id IS NOT NULL DO NOTHING`)
      : this.db.prepare('INSERT INTO events (user, item, kind, rating, ts) VALUES (?, ?, ?, ?, ?)');
    const cols = idempotent ? 'seq, user, item, kind, rating, ts, event_id' : 'seq, user, item, kind, rating, ts, NULL AS event_id';
    this.byUser = this.db.prepare(`SELECT ${cols} FROM events WHERE user = ? ORDER BY seq`);
    this.page = this.db.prepare(`SELECT ${cols} FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`);
    this.maxSeq = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events');
    this.putProfile = this.db.prepare(`INSERT INTO profiles (user, age, gender, occupation, updated) VALUES (?, ?, ?, ?, ?)
                                        ON CONFLICT (user) DO UPDATE SET age = excluded.age, gender = excluded.gender,
                                        occupation = excluded.occupation, updated = excluded.updated`);
    this.getProfile = this.db.prepare('SELECT age, gender, occupation FROM profiles WHERE user = ?');
    this.appendTx = this.db.transaction((user: string, events: readonly NewEvent[]) => {
      let stored = 0;
      const now = Date.now();
      for (const e of events) {
        const args = idempotent ? [user, e.item, e.kind, e.rating, e.ts, e.id, now] : [user, e.item, e.kind, e.rating, e.ts];
        stored += this.insert.run(...args).changes;
      }
      return { stored };
    });
  }

  private open(): void {
    if (this.closed) throw new Error(`event store ${this.location}: closed`);
  }

  async append(user: string, events: readonly NewEvent[]): Promise<AppendResult> {
    this.open();
    if (this.version < 2 && events.some((e) => e.id !== null)) throw new Error(`event store ${this.location}: schema ${this.version} keeps no event ids`);
    const { stored } = this.appendTx(user, events);
    return { stored, duplicates: events.length - stored, seq: (this.maxSeq.get() as { seq: number }).seq };
  }

  async userEvents(user: string): Promise<StoredEvent[]> {
    this.open();
    return (this.byUser.all(user) as EventRow[]).map(toEvent);
  }

  async userState(user: string): Promise<{ events: StoredEvent[]; profile: UserProfileRecord | null }> {
    return { events: await this.userEvents(user), profile: await this.profile(user) };
  }

  async *streamEvents(opts: { afterSeq?: number; upToSeq?: number; page?: number } = {}): AsyncIterable<StoredEvent[]> {
    this.open();
    let after = opts.afterSeq ?? 0;
    const upTo = opts.upToSeq ?? Number.MAX_SAFE_INTEGER, size = opts.page ?? 10_000;
    for (;;) {
      const rows = this.page.all(after, upTo, size) as EventRow[];
      if (rows.length === 0) return;
      yield rows.map(toEvent);
      after = rows[rows.length - 1].seq;
    }
  }

  async setProfile(user: string, p: UserProfileRecord): Promise<void> {
    this.open();
    this.putProfile.run(user, p.age ?? null, p.gender ?? null, p.occupation ?? null, Date.now());
  }

  async profile(user: string): Promise<UserProfileRecord | null> {
    this.open();
    const r = this.getProfile.get(user) as { age: number | null; gender: string | null; occupation: string | null } | undefined;
    if (!r) return null;
    const p: UserProfileRecord = {};
    if (r.age !== null) p.age = r.age;
    if (r.gender === 'M' || r.gender === 'F') p.gender = r.gender;
    if (r.occupation !== null) p.occupation = r.occupation;
    return p;
  }

  async highWater(): Promise<number> {
    this.open();
    return (this.maxSeq.get() as { seq: number }).seq;
  }

  /** One writer at a time (SQLite's lock), so seq order is commit order: the high-water mark is settled. */
  settledHighWater(): Promise<number> {
    return this.highWater();
  }

  async schemaVersion(): Promise<number> {
    return this.version;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
