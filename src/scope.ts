/**
 * tf.tidy-style scopes: every tensor created inside `tidy(fn)` is disposed when fn returns,
 * except the tensors it returns (found in arrays and plain objects) and those passed to `keep`.
 */
import type { Tensor } from './tensor';

const scopes: Set<Tensor>[] = [];

/** Called by the Tensor constructor: the innermost open scope owns the new tensor. */
export function track(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1].add(t);
}

/** Takes t out of every open scope, so no scope will dispose it. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, out: Set<Tensor>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if ((value as { __isTensor?: boolean }).__isTensor) {
    out.add(value as Tensor);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, out, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, out, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value as object)) collect(v, out, seen);
  }
}

export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) throw new Error('tidy: fn must be synchronous (it returned a Promise)');
  const kept = new Set<Tensor>();
  collect(result, kept, new Set());
  for (const t of scope) if (!kept.has(t)) t.dispose();
  // Returned tensors now belong to the enclosing scope, if any.
  for (const t of kept) if (scope.has(t)) track(t);
  return result;
}
