/**
 * The nightly retrain: `neurec train --events <store>` trains on the data set plus what the
 * service stored (new users and items included), and the checkpoint it writes is served with
 * the same ids, its trained events no longer new to it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import * as fs from 'fs';
import { spawnSync } from 'child_process';
import { SqliteEventStore } from '../../src/serve/store/sqlite_store';
import { LiveRecommender } from '../../src/serve/recommender';
import { loadLiveModel } from '../../src/cli/serve';
import { resolveDataset } from '../../src/data/source';
import type { NewEvent } from '../../src/serve/store/event_store';
import { tmpDir } from './helpers';

const main = path.resolve(__dirname, '../../src/cli/main.js');
const dir = tmpDir('retrain');
const store = path.join(dir, 'events.sqlite');
const data = resolveDataset('synthetic', {});
const item = (i: number) => String(data.itemIds.raw(i));
const rating = (it: string, r: number | null, id?: string): NewEvent => ({ item: it, kind: r === null ? 'click' : 'rating', rating: r, ts: 1_750_000_000_000, id: id ?? null });

function train(args: string[]) {
  const r = spawnSync(process.execPath, [main, 'train', '--dataset', 'synthetic', '--epochs', '1', '--validation', 'none', '--json', ...args], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return { out: r.stdout, json: JSON.parse(r.stdout.trim().split('\n').pop()!) };
}

test.before(async () => {
  const s = new SqliteEventStore(store);
  await s.append('newbie', [rating(item(1), 5), rating(item(2), 4), rating(item(3), null), rating('brand-new-item', 5)]);
  await s.append(String(data.userIds.raw(0)), [rating(item(4), 2), rating('brand-new-item', null)]);
  await s.close();
});

test('a pair model trains on the data set plus the stored events, new users and items included', async () => {
  const ck = path.join(dir, 'gmf');
  const { out } = train(['--model', 'gmf', '--events', store, '--save', ck]);
  assert.match(out, /# events: 6 stored events up to #6 of .*events\.sqlite, 1 new users, 1 new items/);
  const meta = JSON.parse(fs.readFileSync(path.join(ck, 'config.json'), 'utf8'));
  assert.equal({ ...meta.info.events, store: path.basename(meta.info.events.store) }, { store: 'events.sqlite', upToSeq: 6, events: 6, newUsers: 1, newItems: 1 });
  assert.is(meta.config.nUsers, data.nUsers + 1);
  assert.is(meta.config.nItems, data.nItems + 1);

  // Served: newbie is now a user of the model; their trained events are not new to it.
  const s = new SqliteEventStore(store);
  const live = await loadLiveModel(ck, undefined, () => {});
  assert.is(live.info.eventsUpTo, 6);
  assert.is(live.catalog.userIndex('newbie'), data.nUsers);
  assert.is(live.catalog.itemIndex('brand-new-item'), data.nItems);
  const rec = new LiveRecommender(live, s);
  try {
    const r = await rec.recommend('newbie', { k: 5 });
    assert.is(r.strategy, 'model');
    assert.is(r.interactions, 4);
    assert.not.ok(r.items.some((x) => [item(1), item(2), item(3), 'brand-new-item'].includes(x.item)));
    await rec.addEvents('newbie', [rating(item(5), 5)]);
    const later = await rec.recommend('newbie', { k: 5 });
    assert.is(later.strategy, 'fold-in', 'an event after the retrain is new to the model');
    const similar = rec.similar('brand-new-item', 3);
    assert.is(similar.similar.length, 3, 'the new item has a representation');
  } finally {
    await s.close();
    live.dispose();
  }
});

test('a rating model trains on the stored ratings only, and reopens with the same ids', async () => {
  const ck = path.join(dir, 'mf-rating');
  const { out } = train(['--model', 'mf-rating', '--events', store, '--save', ck]);
  // The first test posted one more event: 7 now.
  assert.match(out, /# events: 7 stored events .*1 new users, 1 new items/);
  const live = await loadLiveModel(ck, undefined, () => {});
  assert.is(live.catalog.userIndex('newbie'), data.nUsers);
  assert.is(live.catalog.trainingHistory(data.nUsers).items.length, 4, "newbie's four ratings (the click is left out)");
  live.dispose();
});

test('later events do not disturb a checkpoint; a store that lost events is refused, naming both', async () => {
  const ck = path.join(dir, 'gmf2');
  const other = path.join(dir, 'other.sqlite');
  fs.copyFileSync(store, other);
  train(['--model', 'gmf', '--events', other, '--save', ck]);
  let s = new SqliteEventStore(other);
  await s.append('someone-else', [rating(item(9), 5)]);
  await s.close();
  (await loadLiveModel(ck, undefined, () => {})).dispose();
  fs.rmSync(other);
  s = new SqliteEventStore(other);
  await s.append('newbie', [rating(item(1), 5)]);
  await s.close();
  let msg = '';
  try {
    await loadLiveModel(ck, undefined, () => {});
  } catch (e) {
    msg = (e as Error).message;
  }
  assert.match(msg, /was trained on events up to 7 of .*other\.sqlite \(1 new users, 1 new items\), but the store now gives 1 \(1, 0\): a different store/);
});

test.run();
