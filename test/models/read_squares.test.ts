/** Per-sample L2 (Rendle et al. 2020): the weights a batch reads, their squares, and training with it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, noGrad, tidy } from '../../src';
import { MF } from '../../src/models/mf';
import { NCF, type NcfKind } from '../../src/models/ncf';
import { Popularity } from '../../src/models/popularity';
import { trainImplicit, type PairModel } from '../../src/train/implicit';
import { synthetic } from '../../src/data/synthetic';

const data = synthetic({ nUsers: 60, nItems: 80, nRatings: 1500, seed: 5 });

/** Σ over the listed (table, index) reads of |row|², from the weights. */
function squaresByHand(reads: [Tensor, Int32Array][]): number {
  let s = 0;
  for (const [table, idx] of reads) {
    const w = table.toFloat32Array(), D = table.shape[1];
    for (const r of idx) for (let f = 0; f < D; f++) s += w[r * D + f] ** 2;
  }
  return s;
}

const users = Int32Array.of(0, 3, 3, 59), items = Int32Array.of(7, 7, 2, 79);
const run = (m: PairModel) => noGrad(() => tidy(() => {
  const r = m.forwardWithReadSquares!(Tensor.fromArray(users, [4], 'int32'), Tensor.fromArray(items, [4], 'int32'));
  const plain = m.forward(Tensor.fromArray(users, [4], 'int32'), Tensor.fromArray(items, [4], 'int32'));
  return { logits: r.logits.toFloat32Array(), plain: plain.toFloat32Array(), squares: r.readSquares.item() };
}));

test('MF: readSquares covers the factor and bias rows each sample read, repeats counted', () => {
  const m = new MF({ nUsers: 60, nItems: 80, factors: 6, objective: 'implicit', seed: 3 });
  m.userBias.weight.handle.upload(Float32Array.from({ length: 60 }, (_, k) => k / 100));
  const got = run(m);
  const want = squaresByHand([[m.userFactors.weight, users], [m.itemFactors.weight, items], [m.userBias.weight, users], [m.itemBias.weight, items]]);
  assert.ok(Math.abs(got.squares - want) < 1e-4 * want, `${got.squares} vs ${want}`);
  assert.equal(Array.from(got.logits), Array.from(got.plain));
  m.dispose();
});

for (const kind of ['gmf', 'mlp', 'neumf'] as NcfKind[]) {
  test(`${kind}: readSquares covers its embedding rows, logits unchanged`, () => {
    const net = new NCF({ model: kind, nUsers: 60, nItems: 80, factors: 4, layers: [10, 6, 4], seed: 8 });
    const reads: [Tensor, Int32Array][] = [];
    if (net.gmfUser) reads.push([net.gmfUser.weight, users], [net.gmfItem!.weight, items]);
    if (net.mlpUser) reads.push([net.mlpUser.weight, users], [net.mlpItem!.weight, items]);
    const got = run(net), want = squaresByHand(reads);
    assert.ok(Math.abs(got.squares - want) < 1e-4 * want, `${got.squares} vs ${want}`);
    assert.equal(Array.from(got.logits), Array.from(got.plain));
    net.dispose();
  });
}

test('trainImplicit rowL2: seeded, shrinks the rows, plain SGD on sparse tables', () => {
  const fit = (rowL2: number) => {
    const m = new MF({ nUsers: data.nUsers, nItems: data.nItems, factors: 8, objective: 'implicit', seed: 2, sparse: true });
    const r = trainImplicit(m, data, { epochs: 3, batchSize: 64, optimizer: 'sgd', lr: 0.5, negatives: 2, seed: 4, rowL2 });
    const norm = squaresByHand([[m.userFactors.weight, Int32Array.from({ length: data.nUsers }, (_, k) => k)]]);
    m.dispose();
    return { loss: r.history.map((h) => h.loss), norm };
  };
  const plain = fit(0), reg = fit(0.05), again = fit(0.05);
  assert.equal(reg, again, 'same seed, same run');
  assert.ok(reg.norm < 0.8 * plain.norm, `user factors Σ|p|² ${reg.norm} with λ 0.05 vs ${plain.norm} without`);
  assert.ok(reg.loss[2] < reg.loss[0], `loss ${reg.loss.join(' ')}`);
});

test('tableLr: embedding tables on SGD at their own rate, the rest on the chosen optimizer', () => {
  const fit = (tableLr: number, sparse = true) => {
    const net = new NCF({ model: 'neumf', nUsers: data.nUsers, nItems: data.nItems, factors: 4, layers: [8, 4], seed: 3, sparse });
    const table0 = Array.from(net.gmfUser!.weight.toFloat32Array()), w0 = Array.from(net.predict.weight.toFloat32Array());
    trainImplicit(net, data, { epochs: 1, batchSize: 128, lr: 1e-2, negatives: 1, seed: 2, tableLr });
    const out = { tableMoved: Array.from(net.gmfUser!.weight.toFloat32Array()).some((v, k) => v !== table0[k]),
      denseMoved: Array.from(net.predict.weight.toFloat32Array()).some((v, k) => v !== w0[k]) };
    net.dispose();
    return out;
  };
  assert.equal(fit(0), { tableMoved: false, denseMoved: true }, 'rate 0 freezes the tables only');
  assert.equal(fit(0.5), { tableMoved: true, denseMoved: true });
  assert.throws(() => fit(0.5, false), /tableLr needs embedding tables with sparse gradients/);
  assert.throws(() => fit(-1), /tableLr must be a finite number >= 0/);
});

test('trainImplicit rowL2: bad values and models without row reads are named', () => {
  const m = new MF({ nUsers: data.nUsers, nItems: data.nItems, factors: 4, objective: 'implicit' });
  for (const bad of [-1, NaN, Infinity])
    assert.throws(() => trainImplicit(m, data, { epochs: 1, rowL2: bad }), /rowL2 must be a finite number >= 0/);
  m.dispose();
  const pop = new Popularity(data) as unknown as PairModel;
  assert.throws(() => trainImplicit(pop, data, { epochs: 1, rowL2: 0.1 }), /rowL2 needs a model that reports the rows it reads.*Popularity/);
});

test.run();
