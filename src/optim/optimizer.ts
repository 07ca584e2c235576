/**
 * Optimizer base: the parameters, per-parameter state (tensors kept out of tidy scopes, freed
 * by dispose()), and the gradient plumbing SGD and Adam share. A parameter's gradient is dense
 * (`grad`), sparse rows (`rowGrads`, from gathers on a table with `sparseGrad`), or both.
 */
import { Tensor } from '../tensor';
import { tidy } from '../scope';
import { opError } from '../errors';
import { coalesceRows } from '../ops/gather';
import { kernels } from '../ops/util';

export abstract class Optimizer<S extends object> {
  readonly params: readonly Tensor[];
  private readonly state = new Map<Tensor, S>();
  private disposed = false;

  protected constructor(readonly name: string, params: Iterable<Tensor>) {
    const list = Array.from(params);
    if (list.length === 0) throw opError(name, 'expected at least one parameter but got none');
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw opError(name, `expected parameter ${i} to be a Tensor but got ${typeof p}`);
      if (p.dtype !== 'float32') throw opError(name, `expected float32 parameters but parameter ${i} is ${p.describe()}`);
    });
    if (new Set(list).size !== list.length) throw opError(name, 'the same parameter was passed more than once');
    this.params = list;
  }

  /** Updates every parameter that has a gradient; parameters without one are left alone. */
  step(): void {
    if (this.disposed) throw opError(this.name, 'step() after dispose()');
    tidy(() => {
      for (const p of this.params) if (p.grad || p.rowGrads.length > 0) this.update(p);
    });
  }

  /** Frees every gradient (dense and sparse rows), ready for the next backward. */
  zeroGrad(): void {
    for (const p of this.params) {
      if (p.grad) p.grad.dispose();
      p.grad = null;
      p.clearRowGrads();
    }
  }

  /** Frees the optimizer's state (moments, velocities); the parameters are the caller's. */
  dispose(): void {
    for (const s of this.state.values())
      for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
    this.disposed = true;
  }

  /** The state of parameter p (undefined before its first update). */
  stateOf(p: Tensor): Readonly<S> | undefined {
    return this.state.get(p);
  }

  /** One parameter's update, inside step()'s tidy scope. p has a dense or sparse gradient. */
  protected abstract update(p: Tensor): void;

  protected stateFor(p: Tensor, init: () => S): S {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = init()));
    return s;
  }

  /** A zero tensor shaped like p that outlives every tidy scope (state). */
  protected zerosLike(p: Tensor): Tensor {
    return Tensor.empty(p.shape, 'float32', p.device, true).keep();
  }

  /** p as a table [R, D] of rows (the shape sparse row gradients update). */
  protected tableShape(p: Tensor): [number, number] {
    if (p.rank !== 2) throw opError(this.name, `sparse row gradients need a table [R,D] but the parameter is ${p.describe()}`);
    return [p.shape[0], p.shape[1]];
  }

  /** p's gradient as one dense tensor: grad plus the row gradients scattered in. */
  protected denseGrad(p: Tensor): Tensor {
    const g = p.grad;
    if (g) {
      if (g.dtype !== 'float32' || g.size !== p.size || g.device !== p.device)
        throw opError(this.name, `gradient ${g.describe()} on ${g.device} does not match parameter ${p.describe()} on ${p.device}`);
      if (p.rowGrads.length === 0) return g;
    }
    const [R, D] = this.tableShape(p);
    const dense = Tensor.empty(p.shape, 'float32', p.device, !g);
    if (g) dense.handle.copyFrom(g.handle);
    const k = kernels(p.device);
    for (const rg of p.rowGrads) {
      this.checkRowGrad(p, rg.rows, rg.values, D);
      k.gather_bwd(dense.handle, rg.values.handle, rg.rows.handle, rg.rows.size, D, R);
    }
    return dense;
  }

  /** p's row gradients joined into one: rows [B] int32 and values [B,D] (may repeat rows). */
  protected joinedRowGrads(p: Tensor): { rows: Tensor; values: Tensor } {
    const [, D] = this.tableShape(p);
    const rgs = p.rowGrads;
    for (const rg of rgs) this.checkRowGrad(p, rg.rows, rg.values, D);
    if (rgs.length === 1) return { rows: rgs[0].rows, values: rgs[0].values.view([rgs[0].rows.size, D]) };
    const B = rgs.reduce((s, rg) => s + rg.rows.size, 0);
    const rows = Tensor.empty([B], 'int32', p.device);
    const values = Tensor.empty([B, D], 'float32', p.device);
    const k = kernels(p.device);
    let off = 0;
    for (const rg of rgs) {
      // Row ids are few (B ints): a host round trip; values are copied natively as one flat row.
      rows.handle.upload(rg.rows.handle.download() as Int32Array, off);
      k.copy_cols(values.handle, rg.values.handle, 1, B * D, off * D, rg.values.size, 0, rg.values.size, false);
      off += rg.rows.size;
    }
    return { rows, values };
  }

  /** The joined row gradients with duplicates summed: the first `count` rows are unique, ascending. */
  protected coalescedRowGrads(p: Tensor): { rows: Tensor; values: Tensor; count: number } {
    const { rows, values } = this.joinedRowGrads(p);
    return coalesceRows(rows, values);
  }

  private checkRowGrad(p: Tensor, rows: Tensor, values: Tensor, D: number): void {
    if (rows.dtype !== 'int32' || values.dtype !== 'float32' || values.size !== rows.size * D || rows.device !== p.device || values.device !== p.device)
      throw opError(this.name, `row gradient (rows ${rows.describe()}, values ${values.describe()}) does not fit parameter ${p.describe()}: expected int32 rows [B] and float32 values [B,${D}]`);
  }
}

/** Throws `op: expected <name> <what> but got <v>` unless ok(v). */
export function checkHyper(op: string, name: string, v: number, ok: (v: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !ok(v)) throw opError(op, `expected ${name} ${what} but got ${v}`);
  return v;
}
