import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NCF } from '../../src/models/ncf';
import { MF } from '../../src/models/mf';
import { RatingClassifier } from '../../src/models/classifier';
import { AutoRec } from '../../src/models/autorec';
import { MultVAE } from '../../src/models/multvae';
import { allItemScorer, isUserVectorModel, type UserVectorModel } from '../../src/models/user_vectors';
import { isUserRowModel } from '../../src/models/user_rows';
import { synthetic } from '../../src/data/synthetic';
import { Tensor } from '../../src/tensor';
import { tidy } from '../../src/scope';
import { backward } from '../../src/autograd';
import { gather } from '../../src/ops/gather';

const data = synthetic({ nUsers: 40, nItems: 57, nRatings: 900, seed: 5 } as Parameters<typeof synthetic>[0]);
const users = Int32Array.of(0, 3, 39, 17);

function close(a: Float32Array, b: Float32Array, tol: number, what: string) {
  assert.is(a.length, b.length, `${what}: lengths`);
  for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - b[k]) <= tol * (1 + Math.abs(b[k])), `${what}: ${a[k]} vs ${b[k]} at ${k}`);
}

/** A trained user's own vector must score every item exactly as the model does. */
function checkVectorScorer(m: UserVectorModel, what: string) {
  tidy(() => {
    assert.ok(isUserVectorModel(m), `${what} is a user-vector model`);
    const v = m.userVectors(users);
    assert.equal(v.shape, [users.length, m.userVectorWidth]);
    const scorer = m.vectorScorer();
    try {
      // NCF's scoreAll is the vector scorer itself: compare with its pair scores instead.
      const ref = m instanceof NCF
        ? Float32Array.from({ length: users.length * m.nItems }, (_, k) => k).map((k) => m.scorePairs(Int32Array.of(users[Math.floor(k / m.nItems)]), Int32Array.of(k % m.nItems))[0])
        : m.scoreAll(users).toFloat32Array();
      close(scorer.scoreAll(v).toFloat32Array(), ref, 2e-5, what);
    } finally {
      scorer.dispose();
    }
    assert.is(m.newUserVector().length, m.userVectorWidth);
    assert.is(m.itemVectors().shape[0], m.nItems);
  });
}

test('NCF (GMF, MLP, NeuMF): the vector scorer reproduces the pair scores of trained users', () => {
  for (const kind of ['gmf', 'mlp', 'neumf'] as const) {
    const m = new NCF({ model: kind, nUsers: data.nUsers, nItems: data.nItems, factors: 5, layers: [10, 7, 3], seed: 2, initStd: 0.3 });
    m.eval();
    checkVectorScorer(m, kind);
    m.dispose();
  }
});

test("NCF's prepared fold-in loss equals pairLoss on the repeated vector, value and gradient", () => {
  for (const kind of ['gmf', 'mlp', 'neumf'] as const) {
    const m = new NCF({ model: kind, nUsers: data.nUsers, nItems: data.nItems, factors: 5, layers: [10, 7, 3], seed: 4, initStd: 0.3 });
    m.eval();
    const prep = m.prepareFoldIn();
    try {
      tidy(() => {
        const start = m.userVectors(Int32Array.of(6)).toFloat32Array();
        const items = Tensor.fromArray(Int32Array.of(0, 5, 56, 5, 12, 33, 1), [7], 'int32');
        const targets = Tensor.fromArray(Float32Array.of(1, 0, 1, 1, 0, 0, 1), [7]);
        const run = (prepared: boolean) => {
          const v = Tensor.fromArray(start, [1, start.length]).requireGrad();
          const loss = prepared ? prep.loss(v, items, targets) : m.pairLoss(gather(v, Tensor.fromArray(new Int32Array(7), [7], 'int32')), items, targets);
          backward(loss);
          return { loss: loss.item(), grad: v.grad!.toFloat32Array() };
        };
        const a = run(true), b = run(false);
        assert.ok(Math.abs(a.loss - b.loss) <= 1e-6 * (1 + Math.abs(b.loss)), `${kind}: loss ${a.loss} vs ${b.loss}`);
        close(a.grad, b.grad, 1e-5, `${kind} gradient`);
      });
    } finally {
      prep.dispose();
      m.dispose();
    }
  }
});

test('MF (implicit and explicit) and the classifier: the vector scorer reproduces scoreAll', () => {
  for (const objective of ['implicit', 'explicit'] as const) {
    const m = new MF({ nUsers: data.nUsers, nItems: data.nItems, factors: 6, objective, globalMean: objective === 'explicit' ? 3.5 : 0, seed: 3 });
    checkVectorScorer(m, `mf ${objective}`);
    m.dispose();
  }
  const c = RatingClassifier.forRatings(data, { embeddingDim: 6, hidden: [9, 4], seed: 4 });
  c.eval();
  checkVectorScorer(c, 'classifier');
  c.dispose();
});

test('pairLoss is differentiable in the user vectors (fold-in fits them)', () => {
  const m = new NCF({ model: 'neumf', nUsers: data.nUsers, nItems: data.nItems, factors: 4, layers: [8, 4], seed: 2 });
  m.eval();
  tidy(() => {
    const v = Tensor.fromArray(m.newUserVector(), [1, m.userVectorWidth]).requireGrad();
    const items = Tensor.fromArray(Int32Array.of(1, 2, 3), [3], 'int32');
    const loss = m.pairLoss(gather(v, Tensor.fromArray(new Int32Array(3), [3], 'int32')), items, Tensor.fromArray(Float32Array.of(1, 0, 1), [3]));
    backward(loss);
    assert.ok(v.grad, 'the vector has a gradient');
    assert.ok(v.grad!.toFloat32Array().some((g) => g !== 0));
  });
  m.dispose();
});

test('U-AutoRec and Mult-VAE: scoring a user\'s own training row reproduces scoreAll', () => {
  const a = new AutoRec({ variant: 'user', nUsers: data.nUsers, nItems: data.nItems, hidden: [7], seed: 1 }).setInputs(data);
  const vae = new MultVAE({ nUsers: data.nUsers, nItems: data.nItems, hidden: [11], latent: 5, seed: 1 }).setInputs(data);
  vae.eval();
  for (const m of [a, vae]) {
    assert.ok(isUserRowModel(m));
    tidy(() => close(m.scoreRows([...users].map((u) => m.trainingRow(u))).toFloat32Array(), m.scoreAll(users).toFloat32Array(), 2e-5, m.name));
    tidy(() => assert.is(m.itemVectors().shape[0], data.nItems));
    m.dispose();
  }
  const item = new AutoRec({ variant: 'item', nUsers: data.nUsers, nItems: data.nItems, hidden: [6], seed: 1 }).setInputs(data);
  assert.not.ok(isUserRowModel(item), 'item-based AutoRec reads no user rows');
  tidy(() => assert.equal(item.itemVectors().shape, [data.nItems, 6]));
  item.dispose();
});

test('allItemScorer: batch after batch, what scoreAll gives, for user-vector models and the rest', () => {
  const ncf = new NCF({ model: 'neumf', nUsers: data.nUsers, nItems: data.nItems, factors: 5, layers: [10, 7, 3], seed: 2, initStd: 0.3 });
  const rec = new AutoRec({ variant: 'user', nUsers: data.nUsers, nItems: data.nItems, hidden: [7], seed: 1 }).setInputs(data);
  for (const m of [ncf, rec]) {
    m.eval();
    const s = allItemScorer(m);
    try {
      for (const batch of [users, Int32Array.of(5, 6), users]) tidy(() => close(s.scoreAll(batch).toFloat32Array(), m.scoreAll(batch).toFloat32Array(), 2e-5, m.constructor.name));
    } finally {
      s.dispose();
    }
    m.dispose();
  }
});

test.run();
