/** A small argv parser: `--key value`, `--key=value`, `--flag`; unknown keys are errors. */

export type ArgValue = string | boolean;

export interface ArgSpec {
  [key: string]: { help: string; flag?: boolean; default?: string };
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
  return { factor: parts[0], patience: parts[1] };
}
