/**
 * Reverse-mode autograd on a tape. Each op records a GradNode on its output with a named
 * backward function (written next to the op). backward() sorts the graph topologically,
 * walks it in reverse and accumulates gradients: dense ones into `grad`, sparse row
 * gradients of embedding tables into `rowGrads`.
 */
import { Tensor } from './tensor';
import { opError, fmtShape } from './errors';
import { addInto, clone, onesLike } from './ops/elementwise';

/** A sparse gradient of a (R,D) table: `values` (B,D) add into rows `rows` (B, int32, may repeat). */
export interface RowGrad {
  rows: Tensor;
  values: Tensor;
}

export type Grad = Tensor | RowGrad | null;

export interface GradNode {
  op: string;
  inputs: (Tensor | null)[];
  /** Gradients for each input from the gradient of the output (null: none needed). */
  backward: (gy: Tensor) => Grad[];
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn with gradient recording off. */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export function needsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/** Attaches a node to `out` when any input needs a gradient; returns out. */
export function record(out: Tensor, op: string, inputs: (Tensor | null)[], backward: (gy: Tensor) => Grad[]): Tensor {
  if (!needsGrad(inputs)) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, backward };
  return out;
}

function isRowGrad(g: Grad): g is RowGrad {
  return g !== null && !(g instanceof Tensor);
}

/** Throws, saying why, when `t` (an input of `op`, or the root) cannot be back-propagated through. */
function checkUsable(t: Tensor, op: string | null): void {
  const what = op ? `${op}'s input ${t.describe()}` : `tensor ${t.describe()}`;
  if (t.disposed)
    throw opError('backward', `${what} was disposed before backward(): a tidy() or dispose() freed part of the graph; ` +
      'call backward() inside the tidy that built the loss');
  if (t.graphReleased)
    throw opError('backward', `${what} belongs to a graph an earlier backward() already used and released; ` +
      'run the forward pass again (backward() runs once per graph)');
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node ? t.node.inputs : [];
    if (i < inputs.length) {
      top[1]++;
      const inp = inputs[i];
      if (inp && inp.requiresGrad && !seen.has(inp)) {
        checkUsable(inp, t.node!.op);
        seen.add(inp);
        stack.push([inp, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Accumulates d(root)/d(leaf) into every leaf that requires grad. `seed` defaults to 1 for a
 * one-value root. The graph is released afterwards: a second backward() through any of it
 * throws, as does one through tensors a tidy() already disposed.
 */
export function backward(root: Tensor, seed?: Tensor): void {
  checkUsable(root, null);
  if (!root.requiresGrad) throw opError('backward', `tensor ${root.describe()} does not require grad`);
  if (!seed && root.size !== 1)
    throw opError('backward', `expected a one-value loss but got ${fmtShape(root.shape)}; pass a seed gradient`);
  if (seed && seed.size !== root.size)
    throw opError('backward', `seed ${fmtShape(seed.shape)} does not match ${fmtShape(root.shape)}`);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    const order = topoOrder(root);
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, seed ? seed.view(root.shape) : onesLike(root));
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (!t.node) {
        if (g) accumulateLeaf(t, g);
        continue;
      }
      if (!g) continue;
      grads.delete(t);
      const node = t.node;
      const gin = node.backward(g);
      let gOwnedByInput = false;
      for (let i = 0; i < node.inputs.length; i++) {
        const inp = node.inputs[i];
        let gi = gin[i] ?? null;
        if (!gi) continue;
        if (!inp || !inp.requiresGrad) {
          disposeGrad(gi, g);
          continue;
        }
        if (isRowGrad(gi)) {
          if (inp.node) throw opError('backward', `sparse row gradient reached non-leaf ${inp.describe()}`);
          inp.rowGrads.push({ rows: gi.rows.keep(), values: gi.values.keep() });
          continue;
        }
        if (gi === g) {
          // The same gradient tensor passed through to more than one input: copy the extras.
          if (gOwnedByInput) gi = clone(g);
          gOwnedByInput = true;
        }
        const have = grads.get(inp);
        if (have) {
          addInto(have, gi);
          if (gi !== g) gi.dispose();
        } else {
          grads.set(inp, gi);
        }
      }
      if (!gOwnedByInput) g.dispose();
    }
    for (const t of order) {
      if (!t.node) continue;
      t.node = null;
      t.graphReleased = true;
    }
  } finally {
    gradEnabled = prev;
  }
}

function disposeGrad(gi: Grad, g: Tensor): void {
  if (!gi) return;
  if (isRowGrad(gi)) {
    gi.rows.dispose();
    gi.values.dispose();
  } else if (gi !== g) gi.dispose();
}

function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (g.size !== leaf.size) throw opError('backward', `gradient ${fmtShape(g.shape)} does not match ${leaf.describe()}`);
  if (leaf.grad) {
    addInto(leaf.grad, g);
    g.dispose();
  } else {
    leaf.grad = (g.shape.join() === leaf.shape.join() ? g : g.view(leaf.shape)).keep();
    if (leaf.grad !== g) g.dispose();
  }
}
