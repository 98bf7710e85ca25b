import type { OpenedFile } from './file-checks.ts';
import { keyText } from './file-identity.ts';

export interface StartRules {
  readFrom: 'end' | 'beginning';
  /** When the positions file of the last run was written; undefined at the first start. */
  previousSaveMs: number | undefined;
  /** Inodes of the positions file. */
  previousKeys: Set<string>;
}

/**
 * Where reading starts in a file the first scan found that the positions file does not know. At the
 * first start: `--read-from`. After a restart: its beginning when it is new since the last run (a
 * rotation while we were down) or an inode of the positions file rewritten since (copytruncate while
 * down); its end when it is older (a file left alone, or one that has just come under the globs).
 */
export function startOffsetOf(opened: OpenedFile, rules: StartRules): number {
  if (rules.previousSaveMs === undefined) return rules.readFrom === 'beginning' ? 0 : opened.size;
  if (rules.previousKeys.has(keyText(opened.key))) return 0;
  return opened.bornMs > rules.previousSaveMs - 2000 ? 0 : opened.size;
}
