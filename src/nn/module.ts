/**
 * Module: a named tree of parameters (leaf tensors kept out of tidy scopes) and child
 * modules, with train/eval mode, a flat state dict for checkpoints, and dispose().
 */
import type { Tensor } from '../tensor';

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Registers a parameter: it requires grad and is kept out of every tidy scope. */
  protected param(name: string, t: Tensor): Tensor {
    t.requireGrad().keep();
    t.name = name;
    this.params.set(name, t);
    return t;
  }

  /** Registers a non-trainable tensor that belongs in checkpoints (e.g. running stats). */
  protected buffer(name: string, t: Tensor): Tensor {
    t.keep();
    t.name = name;
    this.params.set(name, t);
    return t;
  }

  protected child<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Every tensor of this module and its children, by dotted name. */
  namedTensors(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.params) out.push([prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.namedTensors(`${prefix}${n}.`));
    return out;
  }

  /** Trainable parameters (those that require grad). */
  parameters(): Tensor[] {
    return this.namedTensors().map(([, t]) => t).filter((t) => t.requiresGrad);
  }

  train(on = true): this {
    this.training = on;
    for (const m of this.children.values()) m.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  dispose(): void {
    for (const [, t] of this.namedTensors()) t.dispose();
  }
}

/** Copies of every tensor's values by name (e.g. the best epoch's weights). */
export function snapshotState(model: Module): Map<string, Float32Array | Int32Array> {
  return new Map(model.namedTensors().map(([n, t]) => [n, t.toArray()]));
}

/** Puts values from snapshotState back into the model's tensors. */
export function restoreState(model: Module, snap: Map<string, Float32Array | Int32Array>): void {
  for (const [n, t] of model.namedTensors()) {
    const v = snap.get(n);
    if (v) t.handle.upload(v);
  }
}
