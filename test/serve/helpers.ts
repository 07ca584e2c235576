/** A real service on a loopback port for the serving tests, and a small JSON client. */
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import pg from 'pg';
import { createService, type Service, type ServiceOptions } from '../../src/serve/service';
import { LiveModel } from '../../src/serve/live_model';
import { SqliteEventStore } from '../../src/serve/store/sqlite_store';
import type { EventStore } from '../../src/serve/store/event_store';
import type { Interactions } from '../../src/data/dataset';
import type { Recommender } from '../../src/models/types';

export interface Running {
  url: string;
  service: Service;
  store: EventStore;
  close(): Promise<void>;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `neurec-${prefix}-`));
}

/** Serves `model` (trained on `train` ⊂ `data`) with a fresh SQLite store, on a free loopback port. */
export async function serveModel(model: Recommender & { dispose(): void }, data: Interactions, train: Interactions = data, opts: Partial<ServiceOptions> & { storeFile?: string } = {}): Promise<Running> {
  return serveLive(LiveModel.fromModel(model, data, train), opts);
}

/** Serves a live model with `opts.store` or a fresh SQLite store, on a free loopback port. */
export async function serveLive(live: LiveModel, opts: Partial<ServiceOptions> & { storeFile?: string } = {}): Promise<Running> {
  const store = opts.store ?? new SqliteEventStore(opts.storeFile ?? path.join(tmpDir('store'), 'events.sqlite'));
  const service = await createService({ model: live, store, processMetrics: false, ...opts });
  const url = await service.app.listen({ port: 0, host: '127.0.0.1' });
  return { url, service, store, close: () => service.close() };
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** One HTTP request; the body is sent as JSON unless it is a string (sent as is). */
export async function call(url: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  // Bounded, so a request the server never answers fails the test instead of hanging it.
  const init: RequestInit = { method, headers: { ...headers }, signal: AbortSignal.timeout(15_000) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(url + route, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (metrics)
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Asserts that `fn` rejects with an Error whose message matches `re`. */
export async function rejects(fn: () => Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!re.test((e as Error).message)) throw new Error(`rejected with "${(e as Error).message}", expected ${re}`);
    return;
  }
  throw new Error(`expected a rejection matching ${re}`);
}

/**
 * The PostgreSQL server the tests use (NEUREC_TEST_PG_URL, e.g. postgres://postgres@127.0.0.1:5432/test),
 * or null where none is configured: the caller's tests are then skipped, loudly. In CI (CI=true)
 * they must run, so there a missing server fails the file instead.
 */
export function testPgUrl(file: string): string | null {
  const url = process.env.NEUREC_TEST_PG_URL;
  if (url) return url;
  if (process.env.CI) throw new Error(`${file}: CI must run the PostgreSQL tests, but NEUREC_TEST_PG_URL is not set (.ci/run sets it)`);
  console.warn(`\n  !!! ${file}: SKIPPED, no PostgreSQL configured (set NEUREC_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test)\n`);
  return null;
}

export interface TestSchema {
  /** `url` naming a fresh schema of its own, so tests sharing one database do not collide. */
  url: string;
  schema: string;
  /** Runs SQL on the server (outside the schema unless the SQL names it). */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

export async function testSchema(url: string, name: string): Promise<TestSchema> {
  const schema = `t_${name}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  const sql = async (text: string, values?: unknown[]) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await c.query(text, values);
    } finally {
      await c.end();
    }
  };
  await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  return { url: u.toString(), schema, sql, drop: async () => void (await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)) };
}
