/** Every engine error path throws a JavaScript Error that names the op and what was wrong. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, add, gather, linear, matmul, relu, sum, tensor, tidy, backward } from '../src';
import { cpu } from '../src/backend/load';

test('using a disposed tensor names the op and the tensor', () => {
  const t = tensor([1, 2, 3]);
  t.dispose();
  assert.throws(() => relu(t), /relu: tensor \[3\] float32 was disposed/);
  assert.throws(() => t.toArray(), /was disposed/);
  t.dispose(); // disposing twice is harmless
});

test('a raw kernel call with a disposed storage or wrong arguments throws, never crashes', () => {
  const k = cpu();
  const a = new k.Storage(4, 0), b = new k.Storage(4, 0), out = new k.Storage(4, 0);
  b.dispose();
  assert.throws(() => k.binary_fwd(out, a, b, 1, 4, 0, 1, 0, 1, 0), /binary_fwd b: tensor storage was disposed/);
  assert.throws(() => k.binary_fwd(out, a, a, 2, 4, 4, 1, 4, 1, 0), /binary_fwd (out|a|b): expected at least 8 elements but the storage holds 4/);
  assert.throws(() => k.unary_fwd(out, a, 4, 99), /unary_fwd: unknown unary op code 99/);
  assert.throws(() => (k.unary_fwd as unknown as (...x: unknown[]) => void)(out, {}, 4, 0), /unary_fwd x: expected a cpu tensor storage/);
  assert.throws(() => (k.unary_fwd as unknown as (...x: unknown[]) => void)(out, a, -1, 0), /unary_fwd: n must be a non-negative integer/);
  assert.throws(() => (k.unary_fwd as unknown as (...x: unknown[]) => void)(out, a), /unary_fwd: missing argument n/);
  const i = new k.Storage(4, 1);
  assert.throws(() => k.unary_fwd(out, i, 4, 0), /unary_fwd x: expected float32 but got int32/);
  [a, out, i].forEach((s) => s.dispose());
});

test('shape, dtype and index errors name the op and values', () => {
  tidy(() => {
    assert.throws(() => add(tensor([[1, 2]]), tensor([1, 2, 3])), /add: shapes \[1,2\] and \[3\] do not broadcast/);
    assert.throws(() => matmul(tensor([[1, 2]]), tensor([[1, 2]])), /matmul: inner sizes differ/);
    assert.throws(() => linear(tensor([1, 2]), tensor([[1, 2]]), null), /linear: expected x of rank 2 but got \[2\]/);
    assert.throws(() => gather(tensor([[1, 2]]), Tensor.fromArray([3], [1], 'int32')), /gather_fwd: index 3 at position 0 is out of range for a table of 1 rows/);
    assert.throws(() => Tensor.fromArray([1, 2, 3], [2, 2]), /tensor: expected 4 values for shape \[2,2\] but got 3/);
    assert.throws(() => Tensor.fromArray([1.5], [1], 'int32'), /tensor: int32 tensor got non-integer value 1.5/);
    assert.throws(() => Tensor.empty([2, -1]), /empty: shape \[2,-1\] must hold non-negative integers/);
    assert.throws(() => tensor([[1, 2], [3]]), /ragged/);
    assert.throws(() => Tensor.fromArray([1], [1], 'int32').requireGrad(), /requireGrad: only float32 tensors take gradients/);
  });
});

test('backward errors: no grad, non-scalar loss without a seed', () => {
  tidy(() => {
    assert.throws(() => sum(tensor([1, 2])).backward(), /backward: tensor \[\] float32 does not require grad/);
    const x = tensor([1, 2]).requireGrad();
    assert.throws(() => backward(relu(x)), /backward: expected a one-value loss but got \[2\]/);
    x.dispose();
  });
});

test.run();
