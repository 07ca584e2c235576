/** GMF, MLP and NeuMF: the factorised scoring path gives forward()'s logits. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, noGrad, tidy } from '../../src';
import { NCF, type NcfKind } from '../../src/models/ncf';
import { assertClose } from '../util/close';
import { Rng } from '../util/rand';
import { trainImplicit } from '../../src/train/implicit';
import { synthetic } from '../../src/data/synthetic';
import { carveValidation } from '../../src/data/split';

for (const kind of ['gmf', 'mlp', 'neumf'] as NcfKind[]) {
  test(`${kind}: scorePairs (first tower layer projected per user and item) equals forward`, () => {
    const net = new NCF({ model: kind, nUsers: 37, nItems: 53, factors: 5, layers: [12, 7, 5], seed: 4 });
    // Non-zero biases, so the bias's place in the projection is checked too.
    for (const l of net.tower?.layers ?? []) l.bias!.handle.upload(Float32Array.from(new Rng(2).uniform(l.bias!.size, -0.3, 0.3)));
    const rng = new Rng(11);
    const users = rng.ints(40001, 37), items = rng.ints(40001, 53);
    const want = noGrad(() => tidy(() => net.forward(Tensor.fromArray(users, [users.length], 'int32'), Tensor.fromArray(items, [items.length], 'int32')).toFloat32Array()));
    const got = net.scorePairs(users, items);
    assert.is(got.length, users.length);
    assertClose(got, want, { atol: 1e-5, rtol: 1e-4, what: `${kind} logits` });
    const all = tidy(() => net.scoreAll(Int32Array.of(3, 36)).toFloat32Array());
    assertClose(all.subarray(0, 53), net.scorePairs(new Int32Array(53).fill(3), Int32Array.from({ length: 53 }, (_, i) => i)), { what: 'scoreAll row' });
    net.dispose();
  });
}

test('gmf unitH: h is ones and stays fixed while the rows train; other kinds refuse it', () => {
  const data = synthetic({ nUsers: 40, nItems: 50, nRatings: 800, seed: 2 });
  const net = new NCF({ model: 'gmf', nUsers: 40, nItems: 50, factors: 6, seed: 1, initStd: 0.1, unitH: true });
  const rows0 = net.gmfUser!.weight.toFloat32Array().slice();
  trainImplicit(net, data, { epochs: 2, batchSize: 64, optimizer: 'sgd', lr: 0.5, negatives: 2, seed: 3, rowL2: 0.01 });
  assert.equal(Array.from(net.predict.weight.toFloat32Array()), new Array(6).fill(1));
  assert.not.equal(Array.from(net.gmfUser!.weight.toFloat32Array()), Array.from(rows0), 'the rows trained');
  net.dispose();
  assert.throws(() => new NCF({ model: 'neumf', nUsers: 4, nItems: 4, unitH: true }), /unitH applies to gmf, not neumf/);
  assert.throws(() => new NCF({ model: 'gmf', nUsers: 4, nItems: 4, initStd: -1 }), /initStd must be a finite number >= 0/);
});

test('validateStart: the starting weights are epoch 0 and kept when no epoch beats them', () => {
  const data = synthetic({ nUsers: 40, nItems: 60, nRatings: 900, seed: 6 });
  const { train, valid } = carveValidation(data, { seed: 1, nNeg: 20 });
  const net = new NCF({ model: 'neumf', nUsers: 40, nItems: 60, factors: 4, layers: [8, 4], seed: 2 });
  const start = Array.from(net.gmfItem!.weight.toFloat32Array());
  const epochs: number[] = [], scores: number[] = [];
  // A rate of 0 leaves the weights as they are: every epoch ties with the start, none beats it.
  const r = trainImplicit(net, train, { epochs: 2, optimizer: 'sgd', lr: 0, seed: 1, valid, validateStart: true,
    onEpoch: (e) => { epochs.push(e.epoch); scores.push(e.valid!['ndcg@10']); } });
  assert.equal(epochs, [0, 1, 2]);
  assert.is(r.bestEpoch, 0);
  assert.is(r.bestValid!['ndcg@10'], scores[0]);
  assert.ok(scores[0] > 0, 'a real score');
  assert.is(r.history.length, 2, 'epoch 0 is not a training epoch');
  assert.equal(Array.from(net.gmfItem!.weight.toFloat32Array()), start);
  net.dispose();
});

test('fromPretrained: a fresh GMF part keeps its own weights, the MLP part starts as the trained MLP', () => {
  const mlp = new NCF({ model: 'mlp', nUsers: 30, nItems: 40, factors: 3, layers: [8, 6, 3], seed: 5 });
  mlp.predict.bias!.handle.upload(Float32Array.of(0.25));
  const net = NCF.fromPretrained(null, mlp, 0, { seed: 9, factors: 4, initStd: 0.1 });
  assert.is(net.factors, 4);
  assert.equal(net.layers, [8, 6, 3]);
  assert.equal(Array.from(net.mlpItem!.weight.toFloat32Array()), Array.from(mlp.mlpItem!.weight.toFloat32Array()));
  const w = net.predict.weight.toFloat32Array();
  assert.equal(Array.from(w.subarray(4)), Array.from(mlp.predict.weight.toFloat32Array()), 'α 0: the MLP half unscaled');
  assert.ok(w.subarray(0, 4).some((v) => v !== 0), 'the fresh GMF half keeps its random init');
  assert.is(net.predict.bias!.item(), 0.25);
  const gmfRows = net.gmfUser!.weight.toFloat32Array();
  const std = Math.sqrt(gmfRows.reduce((s, v) => s + v * v, 0) / gmfRows.length);
  assert.ok(std > 0.07 && std < 0.13, `fresh rows drawn with initStd 0.1, got std ${std}`);
  assert.throws(() => NCF.fromPretrained(null, null), /give a trained GMF, a trained MLP or both/);
  assert.throws(() => NCF.fromPretrained(mlp, null), /expected a GMF and an MLP model, got mlp and a fresh part/);
  net.dispose();
  mlp.dispose();
});

test('freeze: the frozen part stays as it starts while the rest trains', () => {
  const data = synthetic({ nUsers: 40, nItems: 50, nRatings: 800, seed: 2 });
  const net = new NCF({ model: 'neumf', nUsers: 40, nItems: 50, factors: 4, layers: [8, 4], seed: 1, initStd: 0.1 });
  net.freeze('mlp');
  const values = (t: { toFloat32Array(): Float32Array }) => Array.from(t.toFloat32Array());
  const mlpRows = values(net.mlpUser!.weight), tower = values(net.tower!.layers[0].weight);
  const gmfRows = values(net.gmfUser!.weight), h = values(net.predict.weight);
  trainImplicit(net, data, { epochs: 2, batchSize: 64, lr: 0.01, negatives: 2, seed: 3 });
  assert.equal(values(net.mlpUser!.weight), mlpRows);
  assert.equal(values(net.tower!.layers[0].weight), tower);
  assert.not.equal(values(net.gmfUser!.weight), gmfRows, 'the GMF rows trained');
  assert.not.equal(values(net.predict.weight), h, 'the predict layer trained');
  net.dispose();
  const stacked = new NCF({ model: 'neumf', nUsers: 40, nItems: 50, factors: 4, layers: [8, 4], seed: 1, initStd: 0.1 });
  stacked.freeze('gmf');
  stacked.freeze('mlp');
  const gmfBefore = values(stacked.gmfItem!.weight), towerBefore = values(stacked.tower!.layers[0].weight);
  const hBefore = values(stacked.predict.weight);
  trainImplicit(stacked, data, { epochs: 2, batchSize: 64, lr: 0.01, negatives: 2, seed: 3 });
  assert.equal(values(stacked.gmfItem!.weight), gmfBefore, 'both parts frozen: the GMF rows stay');
  assert.equal(values(stacked.tower!.layers[0].weight), towerBefore, 'both parts frozen: the tower stays');
  assert.not.equal(values(stacked.predict.weight), hBefore, 'only the predict layer trains');
  stacked.dispose();
  const gmf = new NCF({ model: 'gmf', nUsers: 4, nItems: 4 });
  assert.throws(() => gmf.freeze('mlp'), /a gmf model has no mlp part to freeze/);
  gmf.dispose();
});

test('lrDecay: a plateau scales the rates from the next epoch on, counted from the best epoch or the last decay', () => {
  const data = synthetic({ nUsers: 40, nItems: 60, nRatings: 900, seed: 6 });
  const { train, valid } = carveValidation(data, { seed: 1, nNeg: 20 });
  const net = new NCF({ model: 'gmf', nUsers: 40, nItems: 60, factors: 4, seed: 2 });
  const scales: number[] = [];
  // A rate of 0: no epoch beats the starting weights (epoch 0), so every epoch is a plateau.
  trainImplicit(net, train, { epochs: 3, optimizer: 'sgd', lr: 0, seed: 1, valid, validateStart: true, lrDecay: { factor: 0.5, patience: 1 },
    onEpoch: (e) => scales.push(e.lrScale) });
  assert.equal(scales, [1, 1, 0.5, 0.25]);
  assert.throws(() => trainImplicit(net, train, { epochs: 1, lrDecay: { factor: 0.5, patience: 1 } }), /lrDecay needs a validation set/);
  assert.throws(() => trainImplicit(net, train, { epochs: 1, valid, lrDecay: { factor: 1, patience: 1 } }), /factor in \(0, 1\)/);
  assert.throws(() => trainImplicit(net, train, { epochs: 1, valid, lrDecay: { factor: 0.5, patience: 0 } }), /positive integer patience/);
  net.dispose();
});

test('lrDecay: training goes on from the best weights, at the scaled rates of tables and dense layers alike', () => {
  const data = synthetic({ nUsers: 40, nItems: 60, nRatings: 900, seed: 6 });
  const { train, valid } = carveValidation(data, { seed: 1, nNeg: 20 });
  const net = new NCF({ model: 'neumf', nUsers: 40, nItems: 60, factors: 4, layers: [8, 4], seed: 2, sparse: true });
  const weights: Float32Array[] = [], reports: { epoch: number; best: boolean; lrScale: number }[] = [];
  // Rates high enough to overshoot, so some epoch fails to improve; after a decay by 1e-9 the
  // weights barely move, so the epoch after a decay ends where the best epoch ended.
  trainImplicit(net, train, { epochs: 8, optimizer: 'sgd', lr: 2, tableLr: 40, batchSize: 64, seed: 1, valid, validateStart: true,
    lrDecay: { factor: 1e-9, patience: 1 },
    onEpoch: (e) => { weights.push(Float32Array.from([...net.gmfUser!.weight.toFloat32Array(), ...net.predict.weight.toFloat32Array()])); reports.push(e); } });
  const after = reports.findIndex((r) => r.lrScale < 1);
  assert.ok(after > 0, 'a plateau came and the rates were scaled');
  const bestBefore = reports.slice(0, after).reduce((b, r, k) => (r.best ? k : b), 0);
  assert.not.equal(Array.from(weights[after - 1]), Array.from(weights[bestBefore]), 'the plateau epoch had moved away from the best weights');
  assertClose(weights[after], weights[bestBefore], { atol: 1e-6, what: 'weights one epoch after the decay' });
  net.dispose();
});

test('lrScales: each epoch trains at its own multiple of the rates, as a replayed schedule', () => {
  const data = synthetic({ nUsers: 40, nItems: 60, nRatings: 900, seed: 6 });
  const net = new NCF({ model: 'neumf', nUsers: 40, nItems: 60, factors: 4, layers: [8, 4], seed: 2, sparse: true });
  const weights: Float32Array[] = [], scales: number[] = [];
  // Scales of 1e-9 after the first epoch: the weights of tables and dense layers stay put.
  const r = trainImplicit(net, data, { epochs: 3, lrScales: [1, 1e-9, 1e-9], optimizer: 'sgd', lr: 2, tableLr: 40, batchSize: 64, seed: 1,
    onEpoch: (e) => { weights.push(Float32Array.from([...net.gmfUser!.weight.toFloat32Array(), ...net.predict.weight.toFloat32Array()])); scales.push(e.lrScale); } });
  assert.equal(scales, [1, 1e-9, 1e-9]);
  assert.is(r.bestEpoch, 3, 'no validation: the last epoch is kept');
  assertClose(weights[2], weights[0], { atol: 1e-6, what: 'weights after two epochs at 1e-9 of the rates' });
  assert.throws(() => trainImplicit(net, data, { epochs: 2, lrScales: [1] }), /one finite scale > 0 per epoch \(2\), got 1/);
  assert.throws(() => trainImplicit(net, data, { epochs: 1, lrScales: [0] }), /one finite scale > 0 per epoch/);
  const { train, valid } = carveValidation(data, { seed: 1, nNeg: 20 });
  assert.throws(() => trainImplicit(net, train, { epochs: 1, valid, lrScales: [1], lrDecay: { factor: 0.5, patience: 1 } }), /cannot be combined with lrDecay/);
  net.dispose();
});

test.run();
