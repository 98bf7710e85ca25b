import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeOptions,
  formatHelp,
  type OptionTable,
  parseDuration,
  parseOptions,
  UsageError,
} from '../src/index.ts';

const table = {
  addr: { type: 'string', default: '0.0.0.0:8080', placeholder: 'HOST:PORT', help: 'Listen address.' },
  maxItems: { type: 'integer', default: 10, min: 1, help: 'Cap.' },
  interval: { type: 'duration', default: '1s', help: 'Period.' },
  verbose: { type: 'boolean', help: 'More output.' },
  format: { type: 'enum', choices: ['text', 'json'], default: 'text', help: 'Output format.' },
  include: { type: 'list', help: 'Globs.' },
  token: { type: 'secret', help: 'Bearer token.' },
  source: { type: 'string', required: true, help: 'Where from.' },
} as const satisfies OptionTable;

const parse = (argv: string[], env: Record<string, string> = {}) =>
  parseOptions('my-prog', table, argv, { MY_PROG_SOURCE: 'x', ...env });

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('parseOptions', () => {
  it('applies defaults, typed', () => {
    const { config } = parse([]);
    expect(config).toEqual({
      addr: '0.0.0.0:8080',
      maxItems: 10,
      interval: 1000,
      verbose: false,
      format: 'text',
      include: [],
      token: undefined,
      source: 'x',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads flags in both forms, and a flag wins over env', () => {
    const { config } = parse(['--addr=127.0.0.1:1', '--max-items', '5', '--verbose', '--interval', '250ms'], {
      MY_PROG_ADDR: '1.2.3.4:5',
      MY_PROG_MAX_ITEMS: '7',
    });
    expect(config).toMatchObject({ addr: '127.0.0.1:1', maxItems: 5, verbose: true, interval: 250 });
  });

  it('reads env under the program prefix', () => {
    const { config } = parse([], {
      MY_PROG_MAX_ITEMS: '7',
      MY_PROG_VERBOSE: 'true',
      MY_PROG_INCLUDE: 'a/*.log, b/*.log',
      MY_PROG_INTERVAL: '1m30s',
    });
    expect(config).toMatchObject({
      maxItems: 7,
      verbose: true,
      include: ['a/*.log', 'b/*.log'],
      interval: 90_000,
    });
  });

  it('turns a boolean off with --no-', () => {
    expect(parse(['--no-verbose'], { MY_PROG_VERBOSE: 'true' }).config.verbose).toBe(false);
  });

  it('collects a repeated list flag', () => {
    expect(parse(['--include', 'a', '--include', 'b,c']).config.include).toEqual(['a', 'b', 'c']);
  });

  it('keeps commas inside the items of a list split by lines', () => {
    const lines = { ...table, rule: { type: 'list', separator: '\n', help: 'Rules.' } } as const;
    const { config } = parseOptions('my-prog', lines, ['--rule', 'a=x{1,3}', '--rule', 'b=y'], {
      MY_PROG_SOURCE: 'x',
    });
    expect(config.rule).toEqual(['a=x{1,3}', 'b=y']);
    expect(
      parseOptions('my-prog', lines, [], { MY_PROG_SOURCE: 'x', MY_PROG_RULE: 'a=1,2\nb=3\n' }).config.rule,
    ).toEqual(['a=1,2', 'b=3']);
  });

  it('reads a secret from a file or its _FILE env var, without the trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opts-'));
    const file = join(dir, 'token');
    writeFileSync(file, 's3cret\n');
    expect(parse(['--token-file', file]).config.token).toBe('s3cret');
    expect(parse([], { MY_PROG_TOKEN_FILE: file }).config.token).toBe('s3cret');
    expect(parse([], { MY_PROG_TOKEN: 'direct' }).config.token).toBe('direct');
    const missing = usageError(() => parse(['--token-file', join(dir, 'nope')]));
    expect(missing.message).toMatch(/--token-file: cannot read secret file .*nope/);
  });

  it('names the option and the expected form on a bad value', () => {
    expect(usageError(() => parse(['--max-items', 'ten'])).message).toBe(
      '--max-items: invalid value "ten": expected an integer >= 1',
    );
    expect(usageError(() => parse(['--max-items', '0'])).code).toBe('BAD_VALUE');
    expect(usageError(() => parse([], { MY_PROG_INTERVAL: 'soon' })).message).toBe(
      'MY_PROG_INTERVAL: invalid value "soon": expected a duration such as 500ms, 2s, 1m or 1h',
    );
    expect(usageError(() => parse(['--format', 'xml'])).message).toMatch(/expected one of text, json/);
    expect(usageError(() => parse([], { MY_PROG_VERBOSE: 'maybe' })).message).toMatch(
      /expected true or false/,
    );
  });

  it('rejects unknown flags, stray arguments, a missing value and a missing required option', () => {
    expect(usageError(() => parse(['--adr', 'x'])).message).toBe(
      'unknown option --adr: see --help for the options',
    );
    expect(usageError(() => parse(['serve'])).code).toBe('UNEXPECTED_ARGUMENT');
    expect(usageError(() => parse(['--addr'])).message).toMatch(/option --addr needs a value/);
    const missing = usageError(() => parseOptions('my-prog', table, [], {}));
    expect(missing.code).toBe('MISSING_OPTION');
    expect(missing.message).toMatch(/--source \(or MY_PROG_SOURCE\)/);
  });

  it('treats an empty required list as missing', () => {
    const withList = { ...table, sources: { type: 'list', required: true, help: 'Sources.' } } as const;
    const missing = usageError(() =>
      parseOptions('my-prog', withList, ['--sources', ''], { MY_PROG_SOURCE: 'x' }),
    );
    expect(missing.message).toMatch(/missing required option --sources/);
  });

  it('reports prefixed env vars that match no option', () => {
    expect(
      parse([], { MY_PROG_ADRESS: 'x', OTHER: 'y', MY_PROG_TOKEN_FILE: '/dev/null' }).unknownEnv,
    ).toEqual(['MY_PROG_ADRESS']);
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['2s', 2000],
    ['1.5m', 90_000],
    ['1h', 3_600_000],
    ['3', 3000],
    ['1m30s', 90_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', 's', '1d', '-1s', '1 s'])('%j is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('help', () => {
  it('lists every option with its env name and default', () => {
    const help = formatHelp('my-prog', 'does things', 'my-prog [options]', table);
    for (const row of describeOptions('my-prog', table)) {
      expect(help).toContain(row.flag);
      expect(help).toContain(row.env);
      expect(help).toContain(row.help);
    }
    expect(help).toContain('--addr HOST:PORT');
    expect(help).toContain('MY_PROG_MAX_ITEMS');
    expect(help).toContain('(default: 0.0.0.0:8080)');
    expect(help).toContain('--token SECRET | --token-file PATH');
    expect(help).toContain('(required)');
  });
});

describe('aliases and refused options', () => {
  const aliased = {
    source: { type: 'string', required: true, help: 'Where from.', envAliases: ['OTHER_SOURCE'] },
    notifyCommand: {
      type: 'string',
      help: 'Hook.',
      aliases: ['exechook-command'],
      envAliases: ['OTHER_EXECHOOK_COMMAND'],
    },
    tags: { type: 'list', help: 'Tags.', aliases: ['label'] },
  } as const satisfies OptionTable;
  const refused = [{ flag: 'git-gc', env: ['OTHER_GIT_GC'], reason: 'git gc --auto runs after each sync' }];
  const parseAliased = (argv: string[], env: Record<string, string> = {}) =>
    parseOptions('my-prog', aliased, argv, env, refused);

  it('reads an alias flag or env var as the option and reports each alias used', () => {
    const { config, aliasesUsed } = parseAliased(['--exechook-command', 'make reload', '--label', 'a,b'], {
      OTHER_SOURCE: 'x',
    });
    expect(config).toMatchObject({ source: 'x', notifyCommand: 'make reload', tags: ['a', 'b'] });
    expect(aliasesUsed).toEqual([
      { alias: 'OTHER_SOURCE', option: '--source' },
      { alias: '--exechook-command', option: '--notify-command' },
      { alias: '--label', option: '--tags' },
    ]);
  });

  it("prefers the option's own env var to an alias, and a flag to both", () => {
    const { config, aliasesUsed } = parseAliased(['--source', 'flag'], {
      MY_PROG_SOURCE: 'own',
      OTHER_SOURCE: 'alias',
      MY_PROG_NOTIFY_COMMAND: 'own',
      OTHER_EXECHOOK_COMMAND: 'alias',
    });
    expect(config).toMatchObject({ source: 'flag', notifyCommand: 'own' });
    expect(aliasesUsed).toEqual([]);
  });

  it('names the alias in a value error, and refuses an option given under two names', () => {
    const table = { n: { type: 'integer', help: 'N.', aliases: ['count'] } } as const satisfies OptionTable;
    expect(usageError(() => parseOptions('p', table, ['--count', 'x'], {})).message).toMatch(
      /^--count: invalid/,
    );
    const twice = usageError(() =>
      parseAliased(['--source', 'x', '--notify-command', 'a', '--exechook-command', 'b']),
    );
    expect(twice.message).toBe(
      '--notify-command and --exechook-command are the same option: give one of them',
    );
  });

  it('refuses a refused flag (any form) or env var with its reason, before anything else', () => {
    for (const argv of [['--git-gc', 'off'], ['--git-gc=off'], ['--no-git-gc']]) {
      const error = usageError(() => parseAliased(argv));
      expect(error.code).toBe('REFUSED_OPTION');
      expect(error.message).toBe('--git-gc is not supported: git gc --auto runs after each sync');
    }
    expect(usageError(() => parseAliased([], { OTHER_GIT_GC: 'off' })).message).toBe(
      'OTHER_GIT_GC is not supported: git gc --auto runs after each sync',
    );
    // After `--` it is a value, not a flag.
    expect(() => parseAliased(['--source', 'x', '--', '--git-gc'])).toThrow(/unexpected argument/);
  });

  it('lists the aliases in --help', () => {
    const help = formatHelp('my-prog', 'does things', 'my-prog [options]', aliased);
    expect(help).toContain('also read from --exechook-command, OTHER_EXECHOOK_COMMAND');
  });
});
