import type { ProcessInfo } from '../snapshot.ts';

/** `--group-by`: what names a process's group when no `--group` rule matches it. */
export const groupByChoices = ['comm', 'exe', 'cmdline'] as const;
export type GroupBy = (typeof groupByChoices)[number];

/** One `--group NAME=REGEX` rule. */
export interface GroupRule {
  name: string;
  pattern: RegExp;
}

/** The name of a process's group; undefined for a process in none. */
export type GroupNamer = (process: Pick<ProcessInfo, 'comm' | 'cmdline'>) => string | undefined;

/** Parses `NAME=REGEX`; throws an Error saying what is wrong (the caller names the option). */
export function parseGroupRule(text: string): GroupRule {
  const equals = text.indexOf('=');
  const name = equals < 0 ? '' : text.slice(0, equals).trim();
  if (name === '') throw new Error(`expected NAME=REGEX, got ${JSON.stringify(text)}`);
  const source = text.slice(equals + 1);
  if (source === '') throw new Error(`${name}: the regular expression is empty`);
  try {
    return { name, pattern: new RegExp(source) };
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`);
  }
}

/**
 * The group of a process, as process-exporter's matchers: the first `--group` rule whose regex matches
 * the command line (as topz shows it, secrets redacted) names it; else `--group-by` does: the kernel's
 * process name (`comm`), the base name of the first argument (`exe`, process-exporter's ExeBase, so
 * no readlink and no capability), or the whole command line. A kernel thread or zombie has no command
 * line: `exe` gives its comm and `cmdline` `[comm]`. Without `--group-by` a process no rule matches is
 * in no group. Undefined when there are neither rules nor `--group-by`.
 */
export function createGroupNamer(
  rules: readonly GroupRule[],
  groupBy: GroupBy | undefined,
): GroupNamer | undefined {
  if (rules.length === 0 && groupBy === undefined) return undefined;
  return (process) => {
    for (const rule of rules) if (rule.pattern.test(process.cmdline)) return rule.name;
    switch (groupBy) {
      case 'comm':
        return process.comm;
      case 'exe': {
        if (process.cmdline === '') return process.comm;
        const first = process.cmdline.split(' ', 1)[0]!;
        return first.slice(first.lastIndexOf('/') + 1) || process.comm;
      }
      case 'cmdline':
        return process.cmdline === '' ? `[${process.comm}]` : process.cmdline;
      default:
        return undefined;
    }
  };
}
