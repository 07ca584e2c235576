/**
 * `neurec serve --checkpoint <dir> [--events <file.sqlite | postgres://...>] [--port 8080] [--host 127.0.0.1]`:
 * real-time recommendations over HTTP with an event store (see src/serve/); several replicas
 * share one PostgreSQL store. SIGTERM or SIGINT
 * stops accepting, finishes in-flight requests and closes the store.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openCheckpoint } from './checkpointed';
import { COUNT, num, parseArgs, usage, type ArgSpec } from './args';
import { LiveModel, fileHash } from '../serve/live_model';
import { Catalog } from '../serve/catalog';
import { createService } from '../serve/service';
import { openEventStore } from '../serve/store/open_store';
import { isPgUrl } from '../serve/store/pg_connect';
import type { EventStore } from '../serve/store/event_store';
import type { Interactions } from '../data/dataset';

const SPEC: ArgSpec = {
  checkpoint: { help: 'checkpoint folder written by neurec train' },
  events: { help: 'event store: a SQLite file (default: one per data set under $NEUREC_HOME or ~/.local/share/neurec/events), or postgres://user@host/db[?schema=name] shared by several replicas (else NEUREC_EVENTS_URL)' },
  pool: { help: 'PostgreSQL store: connections in the pool (each replica opens one more for its change feed)', default: '10', num: COUNT },
  port: { help: 'TCP port (0 picks a free one)', default: '8080' },
  host: { help: 'address to listen on (127.0.0.1: this machine only)', default: '127.0.0.1' },
  durability: { help: "'normal': an acknowledged event survives the server being killed; 'full': also power loss (slower writes)", default: 'normal' },
  'max-batch': { help: 'most recommendation requests scored together', default: '64' },
  'score-cache-mb': { help: "MiB of stored users' scores kept between requests (0: score every request)", default: '256' },
  'log-level': { help: 'fatal | error | warn | info | debug | silent', default: 'info' },
  'log-requests': { help: 'log every request (pino); otherwise errors and lifecycle only', flag: true },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  help: { help: 'this text', flag: true },
};

/** The default store file: per data set, outside any checkpoint folder. */
export function defaultEventsPath(dataset: string): string {
  const home = process.env.NEUREC_HOME ?? path.join(os.homedir(), '.local', 'share', 'neurec');
  return path.join(home, 'events', `${dataset.replace(/[^A-Za-z0-9._-]+/g, '_')}.sqlite`);
}

/** Yields to the event loop, so requests keep flowing between the steps of a reload. */
const breathe = () => new Promise<void>((r) => setImmediate(r));

/** A checkpoint as a LiveModel; the data set in memory is reused when the checkpoint names it. */
export async function loadLiveModel(dir: string, dataDir: string | undefined, log: (s: string) => void, data?: Interactions): Promise<LiveModel> {
  const weights = path.join(dir, 'model.safetensors');
  if (!fs.existsSync(weights)) throw new Error(`checkpoint ${dir}: model.safetensors is missing`);
  const version = fileHash(fs.readFileSync(weights));
  await breathe();
  const opened = await openCheckpoint(dir, dataDir, log, data);
  await breathe();
  const catalog = new Catalog(opened.data, opened.train);
  await breathe();
  const eventsUpTo = (opened.meta.info?.events as { upToSeq?: number } | undefined)?.upToSeq;
  return new LiveModel(opened.model, catalog, { name: opened.meta.model, version: `${opened.meta.model}@${version}`, source: path.resolve(dir), baseData: opened.base, eventsUpTo });
}

export async function serveCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv, SPEC, 'serve');
  if (a.help) return void console.log(usage('serve', SPEC));
  if (!a.checkpoint) throw new Error('serve: --checkpoint <dir> is required');
  const durability = String(a.durability);
  if (durability !== 'normal' && durability !== 'full') throw new Error(`serve: --durability must be normal or full, got "${durability}"`);
  const port = num(a, 'port', 'serve'), maxBatch = num(a, 'max-batch', 'serve');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`serve: --port must be an integer in 0..65535, got ${a.port}`);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`serve: --max-batch must be a positive integer, got ${a['max-batch']}`);
  const scoreCacheMb = num(a, 'score-cache-mb', 'serve');
  if (!(scoreCacheMb >= 0)) throw new Error(`serve: --score-cache-mb must be a number of MiB, 0 or more, got ${a['score-cache-mb']}`);
  const dataDir = a['data-dir'] as string | undefined;
  const log = (s: string) => console.log(s);
  const checkpoint = path.resolve(String(a.checkpoint));
  const model = await loadLiveModel(checkpoint, dataDir, log);
  const events = String(a.events ?? (process.env.NEUREC_EVENTS_URL || defaultEventsPath(model.catalog.name)));
  if (!isPgUrl(events) && path.resolve(events).startsWith(checkpoint + path.sep)) throw new Error(`serve: the event store ${path.resolve(events)} would sit inside the checkpoint folder; put it elsewhere`);
  let store: EventStore;
  try {
    store = await openEventStore(events, { durability, pool: num(a, 'pool', 'serve') });
  } catch (e) {
    model.dispose();
    throw e;
  }
  const adminToken = process.env.NEUREC_ADMIN_TOKEN || null;
  const service = await createService({
    model, store, maxBatch, adminToken, scoreCacheBytes: Math.round(scoreCacheMb * 2 ** 20),
    logger: { level: String(a['log-level']) }, logRequests: !!a['log-requests'],
    loadModel: (dir, current) => loadLiveModel(dir, dataDir, (s) => service.app.log.info(s), current.info.baseData),
  });
  const { app } = service;
  const stop = async (signal: string) => {
    app.log.info({ signal }, 'stopping: finishing in-flight requests, then closing the event store');
    try {
      await service.close();
      app.log.info('stopped');
    } catch (e) {
      app.log.error({ err: e }, 'shutdown failed');
      process.exitCode = 1;
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const address = await app.listen({ port, host: String(a.host) });
  console.log(`serving ${model.name} (${model.version}) on ${model.catalog.name} at ${address}`);
  console.log(`  event store: ${store.location} (${store.kind}, schema ${await store.schemaVersion()}, high-water #${await store.highWater()})`);
  console.log(`  fold-in: ${model.adapter.foldIn}`);
  console.log(`  try: curl '${address}/v1/users/${model.catalog.userId(0)}/recommendations?k=10'`);
  console.log(`  admin routes: ${adminToken ? 'on (NEUREC_ADMIN_TOKEN)' : 'off (set NEUREC_ADMIN_TOKEN to reload models over HTTP)'}`);
}
