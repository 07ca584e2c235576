/**
 * The per-user cache: a load that raced an invalidation or a clear() (a replica reconnecting to
 * its shared store) answers its callers but is not kept.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserStates } from '../../src/serve/user_states';
import { SqliteEventStore } from '../../src/serve/store/sqlite_store';
import type { EventStore } from '../../src/serve/store/event_store';
import { ev } from './store_contract';

/** A store whose reads wait until `release()`, to hold a load in flight. */
function slowStore(inner: EventStore): { store: EventStore; release(): void } {
  let open!: () => void;
  let gate = new Promise<void>((r) => (open = r));
  const store = Object.create(inner) as EventStore;
  store.userState = async (u) => (await gate, inner.userState(u));
  return { store, release: () => (open(), (gate = Promise.resolve())) };
}

for (const how of ['invalidate', 'clear'] as const) {
  test(`a load in flight across ${how}() is answered but not cached`, async () => {
    const inner = new SqliteEventStore(':memory:');
    await inner.append('u', [ev('1')]);
    const { store, release } = slowStore(inner);
    const states = new UserStates(() => store);
    const pending = states.get('u');
    await inner.append('u', [ev('2')]);
    if (how === 'invalidate') states.invalidate('u');
    else states.clear();
    release();
    assert.is((await pending).events.length, 2);
    assert.is(states.size, 0, 'not kept: it may predate the change');
    assert.is((await states.get('u')).events.length, 2);
    assert.is(states.size, 1);
    await inner.close();
  });
}

test('holdsEvent: whether a cached state already has a given event (a change feed then leaves it)', async () => {
  const inner = new SqliteEventStore(':memory:');
  const states = new UserStates(() => inner);
  const r = await inner.append('u', [ev('1'), ev('2')]);
  assert.not.ok(states.holdsEvent('u', r.seq), 'nothing cached');
  await states.get('u');
  assert.ok(states.holdsEvent('u', r.seq));
  assert.ok(states.holdsEvent('u', r.seq - 1));
  assert.not.ok(states.holdsEvent('u', r.seq + 1), 'a later write');
  await inner.close();
});

test('invalidating a user nothing is held for costs nothing', async () => {
  const inner = new SqliteEventStore(':memory:');
  const states = new UserStates(() => inner, 2);
  for (let k = 0; k < 100; k++) states.invalidate(`other-${k}`);
  await states.get('u');
  assert.is(states.size, 1, 'no reset was triggered by invalidations of users never held');
  await inner.close();
});

test.run();
