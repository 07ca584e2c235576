/**
 * `--events <store>` for train and for checkpoints trained with it: the stored events read up
 * to a high-water mark, the users and items they add, and the record a checkpoint keeps so the
 * same ids can be rebuilt when it is served or evaluated.
 */
import * as path from 'path';
import type { Interactions } from '../data/dataset';
import { newIds, withEvents, type EventRow, type Extension } from '../data/with_events';
import { readSqliteEvents } from '../serve/store/sqlite_store';

export interface EventsRecord {
  /** The store file (absolute path). */
  store: string;
  /** Events with seq up to this were trained on. */
  upToSeq: number;
  events: number;
  newUsers: number;
  newItems: number;
}

export interface StoredEvents {
  record: EventsRecord;
  rows: EventRow[];
  ext: Extension;
}

/** Reads a store's events (up to `upToSeq`) and the ids they add to `base`. */
export function readStoredEvents(store: string, base: Interactions, upToSeq?: number): StoredEvents {
  const file = path.resolve(store);
  const { events, upToSeq: upTo } = readSqliteEvents(file, upToSeq);
  const rows = events.map((e) => ({ user: e.user, item: e.item, rating: e.rating, ts: e.ts }));
  const ext = newIds(base, rows);
  return { rows, ext, record: { store: file, upToSeq: upTo, events: rows.length, newUsers: ext.users.length, newItems: ext.items.length } };
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
export function replayEvents(record: EventsRecord, base: Interactions, where: string): StoredEvents {
  const ev = readStoredEvents(record.store, base, record.upToSeq);
  if (ev.record.upToSeq !== record.upToSeq || ev.ext.users.length !== record.newUsers || ev.ext.items.length !== record.newItems)
    throw new Error(`checkpoint ${where} was trained on events up to ${record.upToSeq} of ${record.store} (${record.newUsers} new users, ${record.newItems} new items), but the store now gives ${ev.record.upToSeq} (${ev.ext.users.length}, ${ev.ext.items.length}): a different store`);
  return ev;
}

/** `train` with the events appended as rows, and `data` with the same ids (no rows added). */
export function applyEvents(ev: StoredEvents, data: Interactions, train: Interactions, kinds: 'all' | 'ratings'): { data: Interactions; train: Interactions } {
  return { data: withEvents(data, [], ev.ext, { rows: false }), train: withEvents(train, ev.rows, ev.ext, { kinds }) };
}
