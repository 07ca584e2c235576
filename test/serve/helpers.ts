/** A real service on a loopback port for the serving tests, and a small JSON client. */
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import { createService, type Service, type ServiceOptions } from '../../src/serve/service';
import { LiveModel } from '../../src/serve/live_model';
import { SqliteEventStore } from '../../src/serve/store/sqlite_store';
import type { Interactions } from '../../src/data/dataset';
import type { Recommender } from '../../src/models/types';

export interface Running {
  url: string;
  service: Service;
  store: SqliteEventStore;
  close(): Promise<void>;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `neurec-${prefix}-`));
}

/** Serves `model` (trained on `train` ⊂ `data`) with a fresh SQLite store, on a free loopback port. */
export async function serveModel(model: Recommender & { dispose(): void }, data: Interactions, train: Interactions = data, opts: Partial<ServiceOptions> & { storeFile?: string } = {}): Promise<Running> {
  return serveLive(LiveModel.fromModel(model, data, train), opts);
}

/** Serves a live model with a fresh SQLite store, on a free loopback port. */
export async function serveLive(live: LiveModel, opts: Partial<ServiceOptions> & { storeFile?: string } = {}): Promise<Running> {
  const store = new SqliteEventStore(opts.storeFile ?? path.join(tmpDir('store'), 'events.sqlite'));
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
  const init: RequestInit = { method, headers: { ...headers } };
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
