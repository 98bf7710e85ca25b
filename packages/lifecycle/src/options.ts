import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseListenAddress } from './address.ts';
import { UsageError } from './errors.ts';

/**
 * Options are declared once, as a table: the parser, `--help`, the env names and the README reference
 * all come from it. Keys are camelCase; the flag is the kebab-case key (`logLevel` → `--log-level`) and
 * the env var is the program prefix plus the snake-case key (`TOPZ_LOG_LEVEL`).
 */
export type OptionSpec =
  | ({ type: 'string'; default?: string } & CommonSpec)
  | ({ type: 'address'; default?: string } & CommonSpec)
  | ({ type: 'secret' } & CommonSpec)
  | ({ type: 'integer'; default?: number; min?: number; max?: number } & CommonSpec)
  | ({ type: 'duration'; default?: string } & CommonSpec)
  | ({ type: 'boolean'; default?: boolean } & CommonSpec)
  | ({ type: 'enum'; choices: readonly string[]; default?: string } & CommonSpec)
  | ({
      type: 'list';
      default?: readonly string[];
      /** What separates items in one value; `\n` for items that may hold commas (regular expressions). */
      separator?: ',' | '\n';
    } & CommonSpec);

interface CommonSpec {
  help: string;
  /** Shown in help for values, e.g. HOST:PORT. */
  placeholder?: string;
  required?: boolean;
  /** Short flag letter, e.g. `-h`. */
  short?: string;
}

export type OptionTable = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S extends { type: 'integer' }
  ? number
  : S extends { type: 'duration' }
    ? number
    : S extends { type: 'boolean' }
      ? boolean
      : S extends { type: 'list' }
        ? string[]
        : string;

/** The parsed configuration: durations are milliseconds; an optional option without default is undefined. */
export type Config<T extends OptionTable> = {
  readonly [K in keyof T]: T[K] extends
    | { default: unknown }
    | { required: true }
    | { type: 'boolean' | 'list' }
    ? ValueOf<T[K]>
    : ValueOf<T[K]> | undefined;
};

export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * A value the option table let through that the program cannot use, or options that do not go
 * together: the usage error `--flag: message` naming the option (exit 2). The one form every program's
 * settings use.
 */
export function badOption(key: string, message: string): UsageError {
  return new UsageError('BAD_VALUE', `--${flagName(key)}: ${message}`, key);
}

export function envName(prefix: string, key: string): string {
  return `${prefix}_${flagName(key).replace(/-/g, '_').toUpperCase()}`;
}

/** The env prefix of a program: `log-forwarder` → `LOG_FORWARDER`. */
export function envPrefix(program: string): string {
  return program.replace(/-/g, '_').toUpperCase();
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `250ms`, `2s`, `1.5m`, `1h`, `1m30s`; a bare number is seconds. Returns milliseconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * durationUnits[unit!]!;
  }
  return total;
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function expectedForm(spec: OptionSpec): string {
  switch (spec.type) {
    case 'integer':
      return `an integer${spec.min !== undefined ? ` >= ${spec.min}` : ''}${spec.max !== undefined ? ` <= ${spec.max}` : ''}`;
    case 'duration':
      return 'a duration such as 500ms, 2s, 1m or 1h';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${spec.choices.join(', ')}`;
    case 'list':
      return spec.separator === '\n'
        ? 'one item per flag (per line in the env var)'
        : 'a comma-separated list';
    case 'address':
      return 'HOST:PORT, such as 0.0.0.0:8080, :8080 or [::1]:8080';
    default:
      return spec.placeholder ?? 'a value';
  }
}

function convert(key: string, spec: OptionSpec, raw: string, source: string): unknown {
  const bad = () =>
    new UsageError(
      'BAD_VALUE',
      `${source}: invalid value ${JSON.stringify(raw)}: expected ${expectedForm(spec)}`,
      key,
    );
  switch (spec.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(raw.trim())) throw bad();
      const n = Number(raw);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) throw bad();
      return n;
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === undefined) throw bad();
      return ms;
    }
    case 'boolean': {
      const lowered = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
      if (['false', '0', 'no', 'off'].includes(lowered)) return false;
      throw bad();
    }
    case 'enum':
      if (!spec.choices.includes(raw)) throw bad();
      return raw;
    case 'address':
      if (!parseListenAddress(raw)) throw bad();
      return raw;
    case 'list':
      return (
        raw
          .split(spec.separator ?? ',')
          // Spaces may belong to a regular expression; around comma-separated items they are layout.
          .map((s) => (spec.separator === '\n' ? s : s.trim()))
          .filter(Boolean)
      );
    default:
      if (spec.required && raw === '') throw bad();
      return raw;
  }
}

function defaultValue(spec: OptionSpec): unknown {
  if (spec.type === 'secret') return undefined;
  if (spec.type === 'duration') return spec.default === undefined ? undefined : parseDuration(spec.default);
  if (spec.type === 'boolean') return spec.default ?? false;
  if (spec.type === 'list') return [...(spec.default ?? [])];
  return spec.default;
}

function readSecretFile(path: string, source: string, key: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new UsageError(
      'BAD_VALUE',
      `${source}: cannot read secret file ${path}: ${(error as Error).message}`,
      key,
    );
  }
}

export interface ParseResult<T extends OptionTable> {
  config: Config<T>;
  /** Env vars with the program's prefix that match no option: likely misspelt. */
  unknownEnv: string[];
}

/**
 * Reads options from argv, then env, then defaults (a flag wins over env). Throws UsageError naming
 * the option and the expected form. A `secret` option is also read from `--NAME-file` / `PREFIX_NAME_FILE`.
 */
export function parseOptions<T extends OptionTable>(
  program: string,
  table: T,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): ParseResult<T> {
  const prefix = envPrefix(program);
  const argSpec: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [key, spec] of Object.entries(table)) {
    const flag = flagName(key);
    argSpec[flag] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...(spec.type === 'list' ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    };
    if (spec.type === 'boolean') argSpec[`no-${flag}`] = { type: 'boolean' };
    if (spec.type === 'secret') argSpec[`${flag}-file`] = { type: 'string' };
  }

  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: argSpec,
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    throw usageFromParseArgs(error as Error & { code?: string });
  }
  if (positionals.length > 0) {
    throw new UsageError(
      'UNEXPECTED_ARGUMENT',
      `unexpected argument ${JSON.stringify(positionals[0])}: options take the form --name value`,
    );
  }

  const config: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const [key, spec] of Object.entries(table)) {
    const flag = flagName(key);
    const envKey = envName(prefix, key);
    known.add(envKey);
    let value: unknown;
    const fromFlag = values[flag];
    if (spec.type === 'boolean' && values[`no-${flag}`] === true) value = false;
    else if (fromFlag !== undefined) {
      value = Array.isArray(fromFlag)
        ? fromFlag.flatMap((item) => convert(key, spec, String(item), `--${flag}`) as string[])
        : spec.type === 'boolean'
          ? fromFlag
          : convert(key, spec, String(fromFlag), `--${flag}`);
    } else if (spec.type === 'secret' && typeof values[`${flag}-file`] === 'string') {
      value = readSecretFile(values[`${flag}-file`] as string, `--${flag}-file`, key);
    } else if (env[envKey] !== undefined && env[envKey] !== '') {
      value = convert(key, spec, env[envKey]!, envKey);
    } else if (spec.type === 'secret' && env[`${envKey}_FILE`]) {
      value = readSecretFile(env[`${envKey}_FILE`]!, `${envKey}_FILE`, key);
    } else {
      value = defaultValue(spec);
    }
    if (spec.type === 'secret') known.add(`${envKey}_FILE`);
    if (
      spec.required &&
      (value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    ) {
      throw new UsageError(
        'MISSING_OPTION',
        `missing required option --${flag} (or ${envKey}): expected ${expectedForm(spec)}`,
        key,
      );
    }
    config[key] = value;
  }
  const unknownEnv = Object.keys(env).filter((name) => name.startsWith(`${prefix}_`) && !known.has(name));
  return { config: Object.freeze(config) as Config<T>, unknownEnv };
}

function usageFromParseArgs(error: Error & { code?: string }): UsageError {
  const flag = error.message.match(/'(-{1,2}[^' ]+)/)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError('UNKNOWN_OPTION', `unknown option ${flag}: see --help for the options`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(
        'BAD_VALUE',
        /argument missing/.test(error.message)
          ? `option ${flag} needs a value: use ${flag} VALUE or ${flag}=VALUE`
          : `option ${flag} takes no value: use ${flag} alone`,
      );
    default:
      return new UsageError('BAD_ARGUMENTS', error.message);
  }
}

function defaultText(spec: OptionSpec): string {
  if (spec.type === 'secret') return '';
  if (spec.type === 'boolean') return String(spec.default ?? false);
  if (spec.type === 'list') return (spec.default ?? []).join(',');
  return spec.default === undefined ? '' : String(spec.default);
}

function valuePlaceholder(spec: OptionSpec): string {
  if (spec.placeholder) return spec.placeholder;
  if (spec.type === 'enum') return spec.choices.join('|');
  if (spec.type === 'address') return 'HOST:PORT';
  return spec.type.toUpperCase();
}

export interface OptionDoc {
  flag: string;
  env: string;
  type: string;
  default: string;
  required: boolean;
  help: string;
}

/** One row per option, for `--help` and for the README tables. */
export function describeOptions(program: string, table: OptionTable): OptionDoc[] {
  const prefix = envPrefix(program);
  return Object.entries(table).map(([key, spec]) => {
    const flag = flagName(key);
    const value = spec.type === 'boolean' ? '' : ` ${valuePlaceholder(spec)}`;
    const fileForm = spec.type === 'secret' ? ` | --${flag}-file PATH` : '';
    return {
      flag: `${spec.short ? `-${spec.short}, ` : ''}--${flag}${value}${fileForm}`,
      env: `${envName(prefix, key)}${spec.type === 'secret' ? ` | ${envName(prefix, key)}_FILE` : ''}`,
      type: spec.type,
      default: defaultText(spec),
      required: spec.required === true,
      help: spec.help,
    };
  });
}

export function formatHelp(program: string, summary: string, usage: string, table: OptionTable): string {
  const rows = describeOptions(program, table);
  const lines = [
    `${program}: ${summary}`,
    '',
    `Usage: ${usage}`,
    '',
    'Options (each flag also reads the env var under it):',
  ];
  for (const row of rows) {
    const tail = row.required ? ' (required)' : row.default !== '' ? ` (default: ${row.default})` : '';
    lines.push(`  ${row.flag}`, `      ${row.env}`, `      ${row.help}${tail}`);
  }
  lines.push(`  --help     show this help and exit`, `  --version  print the version and exit`, '');
  return lines.join('\n');
}
