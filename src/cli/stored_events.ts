/**
 * `--events <store>` for train and for checkpoints trained with it: the stored events read up
 * to a high-water mark, the users and items they add, and the record a checkpoint keeps so the
 * same ids can be rebuilt when it is served or evaluated.
 */
import type { Interactions } from '../data/dataset';
import { EventColumns } from '../data/event_columns';
import { newIds, withEvents, type Extension } from '../data/with_events';
import { openEventStore, withCredentials } from '../serve/store/open_store';

export interface EventsRecord {
  /** The store: a SQLite file (absolute path) or a postgres:// URL (without its password). */
  store: string;
  /** Events with seq up to this were trained on. */
  upToSeq: number;
  events: number;
  newUsers: number;
  newItems: number;
}

export interface StoredEvents {
  record: EventsRecord;
  rows: EventColumns;
  ext: Extension;
}

/**
 * Reads a store's events up to `upToSeq` (default: its settled high-water mark, so no event
 * can later appear below it), page by page into columns, and the ids they add to `base`.
 */
export async function readStoredEvents(spec: string, base: Interactions, upToSeq?: number): Promise<StoredEvents> {
  const store = await openEventStore(spec, { readOnly: true });
  const rows = new EventColumns();
  let last = 0;
  try {
    const mark = upToSeq ?? (await store.settledHighWater());
    for await (const page of store.streamEvents({ upToSeq: mark })) {
      for (const e of page) rows.push(e.user, e.item, e.rating, e.ts);
      last = page[page.length - 1].seq;
    }
  } finally {
    await store.close();
  }
  const ext = newIds(base, rows);
  return { rows, ext, record: { store: store.location, upToSeq: last, events: rows.length, newUsers: ext.users.length, newItems: ext.items.length } };
}

/** The checkpoint's record of the events it was trained on, if any (checked). */
export function eventsRecordOf(info: Record<string, unknown> | undefined, where: string): EventsRecord | null {
  const r = info?.events as EventsRecord | undefined;
  if (r === undefined) return null;
  if (!r || typeof r.store !== 'string' || !Number.isInteger(r.upToSeq) || !Number.isInteger(r.newUsers) || !Number.isInteger(r.newItems))
    throw new Error(`checkpoint ${where}: info.events must name a store and its upToSeq, newUsers and newItems`);
  return r;
}

/** Rebuilds a checkpoint's id extension from its store; it must add exactly what it added in training. */
export async function replayEvents(record: EventsRecord, base: Interactions, where: string): Promise<StoredEvents> {
  const ev = await readStoredEvents(withCredentials(record.store), base, record.upToSeq);
  if (ev.record.upToSeq !== record.upToSeq || ev.ext.users.length !== record.newUsers || ev.ext.items.length !== record.newItems)
    throw new Error(`checkpoint ${where} was trained on events up to ${record.upToSeq} of ${record.store} (${record.newUsers} new users, ${record.newItems} new items), but the store now gives ${ev.record.upToSeq} (${ev.ext.users.length}, ${ev.ext.items.length}): a different store`);
  return ev;
}

/** `train` with the events appended as rows, and `data` with the same ids (no rows added). */
export function applyEvents(ev: StoredEvents, data: Interactions, train: Interactions, kinds: 'all' | 'ratings'): { data: Interactions; train: Interactions } {
  return { data: withEvents(data, null, ev.ext), train: withEvents(train, ev.rows, ev.ext, { kinds }) };
}
