/** Error helpers: every message names the op first, then what was expected, then what came. */

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** An Error whose message starts with the op name, e.g. `matmul: expected ... but got ...`. */
export function opError(op: string, message: string): Error {
  return new Error(`${op}: ${message}`);
}

export function check(cond: boolean, op: string, message: () => string): asserts cond {
  if (!cond) throw opError(op, message());
}
