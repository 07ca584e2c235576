/** A small argv parser: `--key value`, `--key=value`, `--flag`; unknown keys are errors. */

export type ArgValue = string | boolean;

/**
 * The range of a numeric option, checked by parseArgs (given values and defaults alike), so a
 * value out of range stops the command before any work: `--batch 0` hung, `--epochs -1`
 * trained nothing and exited 0. `list`: comma-separated numbers, each in range.
 */
export interface NumRange {
  int?: boolean;
  min?: number;
  /** An exclusive lower bound (a learning rate is > 0). */
  above?: number;
  max?: number;
  /** An exclusive upper bound (a dropout share is < 1). */
  below?: number;
  list?: boolean;
}

/** Common ranges. */
export const COUNT: NumRange = { int: true, min: 1 };
export const COUNT0: NumRange = { int: true, min: 0 };
export const POSITIVE: NumRange = { above: 0 };
export const NONNEG: NumRange = { min: 0 };
export const SEED: NumRange = { int: true, min: 0, max: Number.MAX_SAFE_INTEGER };

export interface ArgSpec {
  [key: string]: { help: string; flag?: boolean; default?: string; num?: NumRange };
}

/** "an integer >= 1", "a number > 0 and < 1", ... */
function describeRange(r: NumRange): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`>= ${r.min}`);
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.max !== undefined) parts.push(`<= ${r.max}`);
  if (r.below !== undefined) parts.push(`< ${r.below}`);
  return `${r.list ? 'comma-separated ' : ''}${r.int ? (r.list ? 'integers' : 'an integer') : r.list ? 'numbers' : 'a number'}${parts.length ? ' ' + parts.join(' and ') : ''}`;
}

function inRange(text: string, r: NumRange): boolean {
  const v = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v) || (r.int && !Number.isSafeInteger(v))) return false;
  return !((r.min !== undefined && v < r.min) || (r.above !== undefined && v <= r.above) ||
    (r.max !== undefined && v > r.max) || (r.below !== undefined && v >= r.below));
}

/** Throws `command: --key must be <range>, got "value"` unless `value` is in range. */
export function checkRange(command: string, key: string, value: string, r: NumRange): void {
  const parts = r.list ? value.split(',') : [value];
  if (!parts.every((p) => inRange(p, r))) throw new Error(`${command}: --${key} must be ${describeRange(r)}, got "${value}"`);
}

export function parseArgs(argv: string[], spec: ArgSpec, command: string): Record<string, ArgValue> {
  const out: Record<string, ArgValue> = {};
  for (const [k, v] of Object.entries(spec)) if (v.default !== undefined) out[k] = v.default;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`${command}: unexpected argument "${a}" (options start with --; see --help)`);
    let key = a.slice(2), value: string | undefined;
    const eq = key.indexOf('=');
    if (eq >= 0) {
      value = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    const s = spec[key];
    if (!s) throw new Error(`${command}: unknown option --${key}; known: ${Object.keys(spec).map((k) => '--' + k).join(' ')}`);
    if (s.flag) {
      out[key] = value === undefined ? true : value !== 'false';
    } else {
      if (value === undefined) value = argv[++i];
      if (value === undefined) throw new Error(`${command}: --${key} needs a value`);
      out[key] = value;
    }
  }
  for (const [k, v] of Object.entries(spec)) if (v.num && typeof out[k] === 'string') checkRange(command, k, out[k] as string, v.num);
  return out;
}

export function usage(command: string, spec: ArgSpec): string {
  return [`usage: neurec ${command} [options]`, ...Object.entries(spec).map(([k, v]) => `  --${k}${v.flag ? '' : ' <value>'}`.padEnd(26) + v.help + (v.default !== undefined ? ` (default ${v.default})` : ''))].join('\n');
}

export function num(args: Record<string, ArgValue>, key: string, command: string): number {
  const v = Number(args[key]);
  if (!Number.isFinite(v)) throw new Error(`${command}: --${key} must be a number, got "${args[key]}"`);
  return v;
}

/** --KEY FACTOR,PATIENCE (a plateau decay of the learning rate), or undefined when not given. */
export function lrDecayArg(args: Record<string, ArgValue>, key: string, command: string): { factor: number; patience: number } | undefined {
  if (args[key] === undefined) return undefined;
  const parts = String(args[key]).split(',').map(Number);
  if (parts.length !== 2 || !parts.every(Number.isFinite))
    throw new Error(`${command}: --${key} must be FACTOR,PATIENCE (e.g. 0.3,8), got "${args[key]}"`);
  if (!(parts[0] > 0 && parts[0] <= 1) || !(Number.isInteger(parts[1]) && parts[1] >= 1))
    throw new Error(`${command}: --${key} FACTOR,PATIENCE needs 0 < FACTOR <= 1 and an integer PATIENCE >= 1, got "${args[key]}"`);
  return { factor: parts[0], patience: parts[1] };
}
