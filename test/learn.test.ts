/** End to end: the engine learns a small non-linear problem to a stated loss. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, Adam, mseLoss, tidy, softmaxCrossEntropy } from '../src';
import { MLPTower, Linear } from '../src/nn';
import { SeedSequence } from '../src/init';
import { Rng } from './util/rand';

test('a 2-layer MLP fits y = sin(3x1)·x2 + x1² to MSE < 0.01', () => {
  const rng = new Rng(4);
  const N = 512;
  const x = rng.uniform(2 * N);
  const yv = Float64Array.from({ length: N }, (_, i) => Math.sin(3 * x[2 * i]) * x[2 * i + 1] + x[2 * i] ** 2);
  const X = Tensor.fromArray(x, [N, 2]).keep(), Y = Tensor.fromArray(yv, [N, 1]).keep();
  const seeds = new SeedSequence(3);
  const hidden = new MLPTower([2, 64, 64], seeds), out = new Linear(64, 1, seeds);
  const opt = new Adam([...hidden.parameters(), ...out.parameters()], { lr: 1e-2 });
  let loss = Infinity;
  for (let step = 0; step < 1500; step++) {
    loss = tidy(() => {
      const l = mseLoss(out.forward(hidden.forward(X)), Y);
      opt.zeroGrad();
      l.backward();
      opt.step();
      return l.item();
    });
  }
  assert.ok(loss < 0.01, `final MSE ${loss}`);
  opt.dispose();
  hidden.dispose();
  out.dispose();
  X.dispose();
  Y.dispose();
});

test('an MLP classifier separates 3 spiral classes (softmax cross-entropy) to accuracy > 0.95', () => {
  const rng = new Rng(8);
  const per = 100, C = 3, N = per * C;
  const xs = new Float64Array(N * 2), labels = new Int32Array(N);
  for (let c = 0; c < C; c++)
    for (let i = 0; i < per; i++) {
      const r = i / per, t = c * 4 + 4 * r + 0.2 * rng.normal(1)[0];
      xs[2 * (c * per + i)] = r * Math.sin(t);
      xs[2 * (c * per + i) + 1] = r * Math.cos(t);
      labels[c * per + i] = c;
    }
  const X = Tensor.fromArray(xs, [N, 2]).keep(), L = Tensor.fromArray(labels, [N], 'int32').keep();
  const seeds = new SeedSequence(5);
  const hidden = new MLPTower([2, 64, 64], seeds), out = new Linear(64, C, seeds);
  const opt = new Adam([...hidden.parameters(), ...out.parameters()], { lr: 1e-2 });
  for (let step = 0; step < 800; step++)
    tidy(() => {
      const l = softmaxCrossEntropy(out.forward(hidden.forward(X)), L);
      opt.zeroGrad();
      l.backward();
      opt.step();
    });
  const acc = tidy(() => {
    const logits = out.forward(hidden.forward(X)).toArray();
    let right = 0;
    for (let i = 0; i < N; i++) {
      const row = Array.from(logits.subarray(i * C, i * C + C));
      if (row.indexOf(Math.max(...row)) === labels[i]) right++;
    }
    return right / N;
  });
  assert.ok(acc > 0.95, `training accuracy ${acc}`);
  opt.dispose();
  hidden.dispose();
  out.dispose();
  X.dispose();
  L.dispose();
});

test.run();
