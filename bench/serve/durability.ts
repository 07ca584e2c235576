/**
 * The kill -9 test of `npm run bench:serve`: several clients post interactions with unique ids
 * as fast as they are acknowledged; the server is killed (SIGKILL) mid-burst and restarted on
 * the same store; every acknowledged id must be there. Also how long the restart takes to ready.
 */
import { SqliteEventStore } from '../../src/serve/store/sqlite_store';
import { startServer, stopServer } from './server';

export interface DurabilityResult {
  clients: number;
  burstSeconds: number;
  acknowledged: number;
  stored: number;
  lost: number;
  readyAgainMs: number;
}

export async function killNineTest(checkpoint: string, events: string, items: string[], clients = 8, burstSeconds = 3): Promise<DurabilityResult> {
  const s = await startServer(checkpoint, events);
  const acked: string[] = [];
  let stop = false;
  const client = async (c: number) => {
    for (let n = 0; !stop; n++) {
      const id = `k9-${c}-${n}`;
      try {
        const r = await fetch(`${s.url}/v1/users/burst-${c}/interactions`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ item: items[n % items.length], kind: 'click', id }),
        });
        await r.text();
        if (r.status === 201) acked.push(id);
      } catch {
        return;
      }
    }
  };
  const running = Array.from({ length: clients }, (_, c) => client(c));
  await new Promise((r) => setTimeout(r, burstSeconds * 1000));
  s.proc.kill('SIGKILL');
  stop = true;
  await Promise.all(running);
  await s.exited;
  const again = await startServer(checkpoint, events);
  const store = new SqliteEventStore(events);
  const stored = new Set<string>();
  for await (const page of store.streamEvents()) for (const e of page) if (e.id?.startsWith('k9-')) stored.add(e.id);
  await store.close();
  await stopServer(again);
  return { clients, burstSeconds, acknowledged: acked.length, stored: stored.size, lost: acked.filter((id) => !stored.has(id)).length, readyAgainMs: Math.round(again.readyMs) };
}
