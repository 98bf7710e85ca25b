import { readFileSync } from 'node:fs';
import { badOption, type Config, UsageError } from '@toolkit/lifecycle';
import { type AccessControl, createAccessControl, parseUsersFile } from './access/access-control.ts';
import { createGroupNamer, type GroupBy, type GroupNamer, parseGroupRule } from './group/group-namer.ts';
import { type GroupLimit, overflowGroup } from './group/group-totals.ts';
import type { options } from './options.ts';

/** Names each process's group, and bounds how many groups --group-by makes. */
export interface Grouping extends GroupLimit {
  namer: GroupNamer;
}

/** The options as topz runs with them, checked together (the option parser checks each alone). */
export interface Settings {
  intervalMs: number;
  /** Undefined while signals are off. */
  signalToken: string | undefined;
  /** Who may read the page, API and metrics; undefined when open to all. */
  access: AccessControl | undefined;
  /** How the topz_group_* series group processes; undefined without --group or --group-by. */
  grouping: Grouping | undefined;
  /** Options given that have no effect here, in words for the log. */
  ignored: string[];
}

const minIntervalMs = 100;
const minTokenLength = 16;

export function deriveSettings(config: Config<typeof options>): Settings {
  const intervalMs = config.interval ?? (config.once ? 250 : 1000);
  if (intervalMs < minIntervalMs) {
    throw badOption('interval', `expected at least ${minIntervalMs}ms, got ${intervalMs}ms`);
  }
  const access = deriveAccess(config);
  const grouping = deriveGrouping(config);
  const ignored: string[] = [];
  if (!config.once && config.format !== 'text') ignored.push('--format applies to --once only');
  if (config.once && grouping)
    ignored.push('--group and --group-by shape /metrics, which --once does not serve');
  if (!config.allowSignals) {
    if (config.signalToken !== undefined)
      ignored.push('a signal token is set but --allow-signals is not: signals stay off');
    return { intervalMs, signalToken: undefined, access, grouping, ignored };
  }
  const token = config.signalToken;
  if (token === undefined || token === '') {
    throw new UsageError(
      'BAD_VALUE',
      '--allow-signals needs a token: --signal-token, --signal-token-file, TOPZ_SIGNAL_TOKEN or TOPZ_SIGNAL_TOKEN_FILE',
      'signalToken',
    );
  }
  if (token.length < minTokenLength) {
    throw badOption(
      'signalToken',
      `expected at least ${minTokenLength} characters (e.g. openssl rand -hex 32), got ${token.length}`,
    );
  }
  return { intervalMs, signalToken: token, access, grouping, ignored };
}

function deriveGrouping(config: Config<typeof options>): Grouping | undefined {
  const rules = config.group.map((text) => {
    try {
      return parseGroupRule(text);
    } catch (error) {
      throw badOption('group', (error as Error).message);
    }
  });
  const names = new Set<string>();
  for (const { name } of rules) {
    if (names.has(name)) throw badOption('group', `${name} is named twice`);
    if (name === overflowGroup)
      throw badOption('group', `${name} is the group of what --metrics-max-groups folds: name it otherwise`);
    names.add(name);
  }
  const namer = createGroupNamer(rules, config.groupBy as GroupBy | undefined);
  return namer && { namer, maxGroups: config.metricsMaxGroups, ruleNames: names };
}

function deriveAccess(config: Config<typeof options>): AccessControl | undefined {
  const token = config.accessToken;
  if (token !== undefined && token.length < minTokenLength) {
    throw badOption(
      'accessToken',
      `expected at least ${minTokenLength} characters (e.g. openssl rand -hex 32), got ${token.length}`,
    );
  }
  let users: Map<string, string> | undefined;
  const path = config.basicAuthUsersFile;
  if (path !== undefined) {
    try {
      users = parseUsersFile(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new UsageError(
        'BAD_VALUE',
        `--basic-auth-users-file ${path}: ${(error as Error).message}`,
        'basicAuthUsersFile',
      );
    }
    if (users.size === 0) {
      throw new UsageError(
        'BAD_VALUE',
        `--basic-auth-users-file ${path}: no users in it`,
        'basicAuthUsersFile',
      );
    }
  }
  return createAccessControl({ bearerToken: token, users });
}
