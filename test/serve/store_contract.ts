/**
 * What every event store does, whatever holds it (SQLite, PostgreSQL): writes and reads in
 * order with a store-wide sequence, an event id stored once, all-or-nothing writes, profiles.
 * store.test.ts runs it on SQLite, pg_store.test.ts on PostgreSQL.
 */
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventStore, NewEvent } from '../../src/serve/store/event_store';
import { rejects } from './helpers';

export const ev = (item: string, extra: Partial<NewEvent> = {}): NewEvent => ({ item, kind: 'rating', rating: 4, ts: 1_700_000_000_000, id: null, ...extra });

/** Registers the contract's tests on `suite`; `open` gives a new, empty store each time. */
export function storeContract(suite: Test, open: () => Promise<EventStore>): void {
  suite('append and read back, in order, with a store-wide sequence', async () => {
    const s = await open();
    assert.is(await s.highWater(), 0);
    let r = await s.append('u1', [ev('10'), ev('11', { kind: 'click', rating: null })]);
    assert.equal([r.stored, r.duplicates, r.seq], [2, 0, 2]);
    r = await s.append('u2', [ev('12', { rating: 2.5 })]);
    assert.is(r.seq, 3);
    assert.is(await s.settledHighWater(), 3);
    const u1 = await s.userEvents('u1');
    assert.equal(u1.map((e) => [e.seq, e.user, e.item, e.kind, e.rating, e.ts]), [[1, 'u1', '10', 'rating', 4, 1_700_000_000_000], [2, 'u1', '11', 'click', null, 1_700_000_000_000]]);
    assert.equal(await s.userEvents('nobody'), []);
    const pages: number[][] = [];
    for await (const page of s.streamEvents({ page: 2 })) pages.push(page.map((e) => e.seq));
    assert.equal(pages, [[1, 2], [3]]);
    const part: number[] = [];
    for await (const page of s.streamEvents({ afterSeq: 1, upToSeq: 2 })) part.push(...page.map((e) => e.seq));
    assert.equal(part, [2]);
    await s.close();
    await rejects(() => s.userEvents('u1'), /closed/);
  });

  suite('an event id is stored once per user, within a request and across requests', async () => {
    const s = await open();
    let r = await s.append('u', [ev('1', { id: 'a' }), ev('2', { id: 'b' }), ev('1', { id: 'a' })]);
    assert.equal([r.stored, r.duplicates], [2, 1]);
    r = await s.append('u', [ev('1', { id: 'a' }), ev('3')]);
    assert.equal([r.stored, r.duplicates], [1, 1]);
    r = await s.append('other', [ev('1', { id: 'a' })]);
    assert.equal([r.stored, r.duplicates], [1, 0], 'ids are per user');
    assert.equal((await s.userEvents('u')).map((e) => [e.item, e.id]), [['1', 'a'], ['2', 'b'], ['3', null]]);
    r = await s.append('u', [ev('1', { id: 'a' })]);
    assert.equal([r.stored, r.duplicates, r.seq], [0, 1, await s.highWater()], 'a duplicate-only write answers the high-water mark');
    await s.close();
  });

  suite('a failing write stores nothing of its request', async () => {
    const s = await open();
    await rejects(() => s.append('u', [ev('1'), { ...ev('2'), kind: 'bogus' as never }]), /check constraint/i);
    assert.equal(await s.userEvents('u'), []);
    await s.close();
  });

  suite("profiles: set, replace, read; a user's state is their events and profile together", async () => {
    const s = await open();
    assert.is(await s.profile('p'), null);
    await s.setProfile('p', { age: 30, gender: 'F' });
    assert.equal(await s.profile('p'), { age: 30, gender: 'F' });
    await s.setProfile('p', { occupation: 'writer' });
    assert.equal(await s.profile('p'), { occupation: 'writer' });
    await s.append('p', [ev('1'), ev('2', { kind: 'view', rating: null })]);
    const state = await s.userState('p');
    assert.equal([state.events.map((e) => [e.user, e.item, e.kind, e.rating]), state.profile], [[['p', '1', 'rating', 4], ['p', '2', 'view', null]], { occupation: 'writer' }]);
    assert.equal(await s.userState('nobody'), { events: [], profile: null });
    await s.append('no-profile', [ev('3')]);
    assert.equal((await s.userState('no-profile')).profile, null);
    await s.close();
  });
}
