/**
 * An event store named as the CLI names it: a `postgres://` URL is the shared PostgreSQL store
 * (several replicas); anything else is a SQLite file, the embedded default.
 */
import * as path from 'path';
import type { EventStore } from './event_store';
import { SqliteEventStore } from './sqlite_store';
import { PgEventStore } from './pg_store';
import { isPgUrl, pgTarget } from './pg_connect';

export interface OpenStoreOptions {
  /** SQLite: 'normal' or 'full' (see SqliteStoreOptions). */
  durability?: 'normal' | 'full';
  /** PostgreSQL: connections in the pool. */
  pool?: number;
  /** Read as it is, no migration and no writes (training). */
  readOnly?: boolean;
}

/**
 * A recorded location (a URL without its password) as the URL to connect with: NEUREC_EVENTS_URL
 * where it names the same store (it may carry the password), else as is (pg then reads
 * PGPASSWORD or ~/.pgpass).
 */
export function withCredentials(location: string): string {
  const env = process.env.NEUREC_EVENTS_URL;
  if (!isPgUrl(location) || !env || !isPgUrl(env)) return location;
  return pgTarget(env).location === location ? env : location;
}

export async function openEventStore(spec: string, opts: OpenStoreOptions = {}): Promise<EventStore> {
  if (isPgUrl(spec)) return PgEventStore.open(spec, { pool: opts.pool, readOnly: opts.readOnly });
  return new SqliteEventStore(path.resolve(spec), { durability: opts.durability, readOnly: opts.readOnly });
}

