import { isSecretName } from './secret-names.ts';

/** What a redacted value shows instead. */
export const redactionMarker = '<redacted>';

/**
 * A command line's arguments with what looks like a secret replaced by `redactionMarker`:
 * - the value of a flag named like a secret (see isSecretName): `--password=x`, `--password x`,
 *   `-token x` (Go-style single dash), but not the next argument when it is itself a flag;
 * - `NAME=value` arguments named like a secret (`PGPASSWORD=x`, as `env` or `docker -e` take them);
 * - `Name: value` arguments (curl's `-H 'Authorization: Bearer x'`);
 * - the password of a URL (`https://user:<redacted>@host`) and query parameters named like a secret;
 * - a few short flags where the command is known to take a password there (`commandRules`).
 * The program itself (the first argument) is left as it is.
 */
export function redactArguments(args: readonly string[]): string[] {
  const shown = args.map((arg, index) => (index === 0 ? arg : redactValue(arg)));
  const rule = commandRules.find(({ programs }) => programs.test(basename(args[0] ?? '')));
  for (let index = 1; index < args.length; index++) {
    const arg = args[index]!;
    const known = rule && matchCommandFlag(rule, arg);
    if (known) {
      if (known.value !== undefined) shown[index] = `${known.prefix}${rule.redact(known.value)}`;
      else if (rule.separate && index + 1 < args.length) shown[++index] = rule.redact(args[index]!);
      continue;
    }
    const flag = /^(-{1,2})([A-Za-z][\w.-]*)(=([\s\S]*))?$/.exec(arg);
    if (!flag || (flag[1] === '-' && flag[2]!.length < 2)) continue;
    if (!isSecretName(flag[2]!)) {
      // `--env=DB_PASSWORD=x`, `--db=postgres://u:pw@h`: the value on its own.
      if (flag[4]) shown[index] = `${flag[1]}${flag[2]}=${redactValue(flag[4])}`;
      continue;
    }
    if (flag[3] !== undefined) {
      if (flag[4] !== '') shown[index] = `${flag[1]}${flag[2]}=${redactionMarker}`;
    } else if (!flag[2]!.startsWith('no-') && index + 1 < args.length && !args[index + 1]!.startsWith('-')) {
      shown[++index] = redactionMarker;
    }
  }
  return shown;
}

/** The command line as topz shows it: arguments joined by spaces, secrets redacted. */
export function redactCommandLine(args: readonly string[]): string {
  return redactArguments(args).join(' ');
}

/** One argument on its own: `NAME=secret`, `Name: secret`, and URLs with a password or secret parameter. */
function redactValue(arg: string): string {
  const assignment = /^([A-Za-z_][\w.-]*)=([\s\S]+)$/.exec(arg);
  if (assignment && isSecretName(assignment[1]!)) return `${assignment[1]}=${redactionMarker}`;
  const header = /^([A-Za-z][\w-]*):\s+\S/.exec(arg);
  if (header && isSecretName(header[1]!)) return `${header[1]}: ${redactionMarker}`;
  if (!arg.includes('://')) return arg;
  return arg
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s@]*@/gi, `$1:${redactionMarker}@`)
    .replace(/([?&;])([^=&#\s]+)=([^&#\s]+)/g, (whole, separator: string, name: string) =>
      isSecretName(name) ? `${separator}${name}=${redactionMarker}` : whole,
    );
}

/** Flags that carry a password for some commands only: `-p` is a port for most others. */
interface CommandRule {
  programs: RegExp;
  flags: string[];
  /** Whether the value may be the next argument (`sshpass -p x`) or only attached (`mysql -px`). */
  separate: boolean;
  redact: (value: string) => string;
}

const whole = () => redactionMarker;

const commandRules: CommandRule[] = [
  // `mysql -p x` prompts and takes x as the database: only the attached form is a password.
  { programs: /^(mysql\w*|mariadb[\w-]*)$/, flags: ['-p'], separate: false, redact: whole },
  { programs: /^sshpass$/, flags: ['-p'], separate: true, redact: whole },
  { programs: /^redis-cli$/, flags: ['-a'], separate: true, redact: whole },
  // `curl -u user:password`: keep the user.
  {
    programs: /^curl$/,
    flags: ['-u', '--user'],
    separate: true,
    redact: (value) => value.replace(/:[\s\S]*$/, `:${redactionMarker}`),
  },
];

/** `-pX` (value X), `--user=X` (value X), or the flag alone (value undefined: the next argument). */
function matchCommandFlag(rule: CommandRule, arg: string): { prefix: string; value?: string } | undefined {
  for (const flag of rule.flags) {
    if (arg === flag) return { prefix: flag };
    if (flag.length === 2 && arg.startsWith(flag)) return { prefix: flag, value: arg.slice(2) };
    if (arg.startsWith(`${flag}=`)) return { prefix: `${flag}=`, value: arg.slice(flag.length + 1) };
  }
  return undefined;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
