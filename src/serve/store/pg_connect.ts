/**
 * Reaching PostgreSQL: a `postgres://` URL as the pg client's settings, and which failures mean
 * "the database cannot be reached now" (the service answers 503 and retries later) rather than
 * a bug. The URL may name a schema (`?schema=events_a`, default `public`): several services or
 * tests can share one database, each in its own schema.
 */
import pg from 'pg';
import { checkSchemaName } from './pg_schema';
import { StoreUnavailableError } from './event_store';

export interface PgTarget {
  /** Settings for every connection: the schema first on the search path. */
  config: pg.ClientConfig;
  schema: string;
  /** The URL without its password (logs, checkpoints, /v1/model). */
  location: string;
}

export function isPgUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** bigint columns (seq, ts) as numbers: both stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function pgTarget(url: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`event store: "${url}" is not a postgres:// URL`);
  }
  const schema = checkSchemaName(u.searchParams.get('schema') ?? 'public');
  u.searchParams.delete('schema');
  const config: pg.ClientConfig = {
    connectionString: u.toString(),
    options: `-c search_path=${schema}`,
    types,
    keepAlive: true,
    // A database that is down refuses at once; one that does not answer must not hold requests for long.
    connectionTimeoutMillis: 3000,
    application_name: 'neurec',
  };
  const shown = new URL(url);
  shown.password = '';
  return { config, schema, location: shown.toString() };
}

/** SQLSTATE classes and codes of a database that is down, restarting, or out of connections. */
const UNREACHABLE_STATES = /^(08...|57P0[1-4]|53300|53400)$/;
const UNREACHABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNREACHABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|not queryable|Query read timeout/i;

export function isUnreachable(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (typeof err?.code === 'string' && (UNREACHABLE_STATES.test(err.code) || UNREACHABLE_ERRNOS.has(err.code))) || UNREACHABLE_MESSAGES.test(err?.message ?? '');
}

/** `e` as a StoreUnavailableError when it means the database cannot be reached; else `e` itself. */
export function asUnavailable(e: unknown, location: string): unknown {
  if (!isUnreachable(e)) return e;
  return new StoreUnavailableError(`event store ${location} cannot be reached: ${(e as Error).message || (e as { code?: string }).code}`, e);
}
