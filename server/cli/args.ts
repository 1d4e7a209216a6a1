/**
 * A small, strict argument parser for docker-style commands: `--flag value`, `--flag=value`,
 * boolean `--flag`, short `-e VALUE`, combined short booleans `-it`, repeated flags collected
 * into arrays, and `--` ending the options. Unknown flags are errors, not silently ignored.
 */
export interface FlagSpec {
  /** Long name without dashes. */
  name: string;
  short?: string;
  /** 'boolean' takes no value; 'string' takes one; 'list' takes one and may repeat. */
  type: 'boolean' | 'string' | 'list';
  description?: string;
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export class UsageError extends Error {}

/**
 * Parses `argv` against `specs`. With `stopAtFirstPositional`, everything after the first
 * positional is left alone (so `run IMAGE sh -c ...` keeps the command's own flags).
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], options: { stopAtFirstPositional?: boolean } = {}): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];

  const set = (spec: FlagSpec, value: string | boolean) => {
    if (spec.type === 'list') {
      const list = (flags[spec.name] as string[] | undefined) ?? [];
      list.push(String(value));
      flags[spec.name] = list;
    } else {
      flags[spec.name] = value;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}`);
      if (spec.type === 'boolean') {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        set(spec, true);
      } else if (eq >= 0) {
        set(spec, arg.slice(eq + 1));
      } else {
        const value = argv[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        set(spec, value);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      const letters = arg.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const spec = byShort.get(letters[j]!);
        if (!spec) throw new UsageError(`unknown option -${letters[j]}`);
        if (spec.type === 'boolean') {
          set(spec, true);
          continue;
        }
        const rest = letters.slice(j + 1);
        const value = rest || argv[++i];
        if (value === undefined) throw new UsageError(`-${spec.short} needs a value`);
        set(spec, value);
        break;
      }
      continue;
    }
    positionals.push(arg);
    if (options.stopAtFirstPositional) {
      positionals.push(...argv.slice(i + 1));
      break;
    }
  }
  return { flags, positionals };
}

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function bool(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

export function list(args: ParsedArgs, name: string): string[] {
  const v = args.flags[name];
  return Array.isArray(v) ? v : [];
}

export function int(args: ParsedArgs, name: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name}: "${v}" is not a whole number`);
  return Number(v);
}
