import type { OpenedFile } from '../disk/file-checks.ts';
import { keyText } from '../disk/file-identity.ts';

export interface StartRules {
  readFrom: 'end' | 'beginning';
  /** When the positions file of the last run was written; undefined at the first start. */
  previousSaveMs: number | undefined;
  /** --ignore-older in ms, if set. */
  ignoreOlderMs: number | undefined;
  /** Inodes of the positions file. */
  previousKeys: Set<string>;
  /** Per log of the positions file, the birth time of its oldest file there: a file born since is new. */
  logsSince: Map<string, number>;
}

/**
 * Where reading starts in a file the first scan found that the positions file does not know. At the
 * first start: `--read-from`. After a restart: its beginning when it is new since the last run (a
 * rotation while we were down; born after the oldest file of its log in the positions file, however
 * long ago the positions file was written) or an inode of the positions file rewritten since
 * (copytruncate while down); its end when it is older (a file left alone, or one that has just come under the globs).
 * Either way its end when it was last written longer ago than --ignore-older.
 */
export function startOffsetOf(opened: OpenedFile, path: string, rules: StartRules): number {
  if (rules.ignoreOlderMs !== undefined && opened.modifiedMs < Date.now() - rules.ignoreOlderMs) {
    return opened.size;
  }
  if (rules.previousSaveMs === undefined) return rules.readFrom === 'beginning' ? 0 : opened.size;
  if (rules.previousKeys.has(keyText(opened.key))) return 0;
  const since = rules.logsSince.get(path);
  if (since !== undefined && opened.birthMs > since) return 0;
  return opened.bornMs > rules.previousSaveMs - 2000 ? 0 : opened.size;
}
