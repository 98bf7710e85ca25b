import { basename, resolve } from 'node:path';
import {
  badOption,
  type Config,
  parseStatusMatcher,
  type StatusMatcher,
  splitUrlCredentials,
  type UrlWithoutCredentials,
  UsageError,
} from '@toolkit/lifecycle';
import { createDirectoryFilter, createNameFilter, type NameFilter } from './filter.ts';
import type { options } from './options.ts';
import type { FileOwner } from './publish/file-owner.ts';

export type SourceSpec =
  | { kind: 'directory'; path: string }
  | { kind: 'url'; name: string; url: UrlWithoutCredentials };

/** Option values the table cannot check by itself, turned into what the parts take. */
export interface Settings {
  sources: SourceSpec[];
  targetDir: string;
  fileMode: number;
  fileOwner: FileOwner | undefined;
  accept: NameFilter;
  /** Which subdirectories are read, with `--recursive`; undefined: top-level files only. */
  acceptDirectory: NameFilter | undefined;
  notifyStatus: StatusMatcher;
  confirmUrl: UrlWithoutCredentials | undefined;
}

export function parseSourceSpec(raw: string): SourceSpec {
  const match = raw.match(/^(?:([^=/:]+)=)?(https?:\/\/.+)$/i);
  if (!match) return { kind: 'directory', path: resolve(raw) };
  let url: UrlWithoutCredentials;
  try {
    url = splitUrlCredentials(match[2]!);
  } catch {
    throw badOption('source', `invalid URL ${JSON.stringify(raw)}`);
  }
  const name = match[1] ?? decodeURIComponent(basename(new URL(url.href).pathname));
  if (!name || name === '.' || name === '..' || name.includes('/')) {
    throw badOption(
      'source',
      `cannot name the file of ${url.label}: give it a name, as in app.yaml=${url.label}`,
    );
  }
  return { kind: 'url', name, url };
}

/** A notification (or confirmation) URL, checked when the options are read rather than at the first publish. */
export function splitNotifyUrl(
  raw: string,
  option: 'notifyUrl' | 'confirmUrl' = 'notifyUrl',
): UrlWithoutCredentials {
  if (!/^https?:\/\//i.test(raw)) {
    throw badOption(option, `invalid value ${JSON.stringify(raw)}: expected an http(s) URL`);
  }
  try {
    return splitUrlCredentials(raw);
  } catch {
    throw badOption(option, `invalid URL ${JSON.stringify(raw)}`);
  }
}

export function parseFileMode(raw: string): number {
  if (!/^0?[0-7]{3}$/.test(raw)) {
    throw badOption('fileMode', `invalid value ${JSON.stringify(raw)}: expected octal such as 0644 or 0600`);
  }
  return Number.parseInt(raw, 8);
}

/** `UID:GID`, both numeric (names would need the target's /etc/passwd, which the image has not). */
export function parseFileOwner(raw: string | undefined): FileOwner | undefined {
  if (raw === undefined) return undefined;
  const match = /^(\d{1,10}):(\d{1,10})$/.exec(raw.trim());
  const [uid, gid] = [Number(match?.[1]), Number(match?.[2])];
  // 2^32-1 is (uid_t)-1, which chown(2) takes as "leave unchanged".
  if (!match || uid >= 2 ** 32 - 1 || gid >= 2 ** 32 - 1) {
    throw badOption(
      'fileOwner',
      `invalid value ${JSON.stringify(raw)}: expected numeric UID:GID such as 1000:1000`,
    );
  }
  return { uid, gid };
}

export function deriveSettings(config: Config<typeof options>): Settings {
  // The option is required, but an empty list (`--source ''`) still gets past the parser.
  if (config.source.length === 0)
    throw new UsageError(
      'MISSING_OPTION',
      'missing required option --source (or CONFIG_SYNCER_SOURCE)',
      'source',
    );
  const sources = config.source.map(parseSourceSpec);
  const targetDir = resolve(config.target);
  for (const source of sources) {
    if (source.kind === 'directory' && source.path === targetDir) {
      throw badOption('target', `the same directory as --source: ${targetDir}`);
    }
  }
  const notifyStatus = parseStatusMatcher(config.notifyStatus);
  if (!notifyStatus) {
    throw badOption(
      'notifyStatus',
      `invalid value ${JSON.stringify(config.notifyStatus.join(','))}: expected codes or classes such as 200,204 or 2xx`,
    );
  }
  for (const raw of config.notifyUrl) splitNotifyUrl(raw);
  // Zero here would mean a busy loop against a server, or a command killed before it starts.
  for (const key of [
    'pollInterval',
    'sourceTimeout',
    'notifyTimeout',
    'notifyBackoff',
    'checkTimeout',
    'confirmTimeout',
    'confirmInterval',
  ] as const) {
    if (config[key] <= 0) throw badOption(key, 'must be more than 0');
  }
  return {
    sources,
    targetDir,
    fileMode: parseFileMode(config.fileMode),
    fileOwner: parseFileOwner(config.fileOwner),
    accept: createNameFilter(config.include, config.exclude),
    acceptDirectory: config.recursive ? createDirectoryFilter(config.exclude) : undefined,
    notifyStatus,
    confirmUrl: config.confirmUrl === undefined ? undefined : splitNotifyUrl(config.confirmUrl, 'confirmUrl'),
  };
}
