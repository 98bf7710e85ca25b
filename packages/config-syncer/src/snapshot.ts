import { createHash } from 'node:crypto';

/** The config files a source holds right now: file name → content. */
export type FileSet = Map<string, Buffer>;

export function hashContent(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** One id for a whole set of files, for notifications and logs: changes when any name or content does. */
export function computeRevision(hashes: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const name of [...hashes.keys()].sort()) hash.update(`${name}\0${hashes.get(name)}\n`);
  return hash.digest('hex').slice(0, 16);
}

export interface MergedFiles {
  files: FileSet;
  /** Names that two sources both provide: which one wins would be arbitrary, so the sync fails. */
  conflicts: { name: string; sources: string[] }[];
}

export function mergeFileSets(parts: readonly { source: string; files: FileSet }[]): MergedFiles {
  const files: FileSet = new Map();
  const owners = new Map<string, string[]>();
  for (const part of parts) {
    for (const [name, content] of part.files) {
      const seen = owners.get(name);
      if (seen) {
        seen.push(part.source);
        continue;
      }
      owners.set(name, [part.source]);
      files.set(name, content);
    }
  }
  const conflicts = [...owners]
    .filter(([, sources]) => sources.length > 1)
    .map(([name, sources]) => ({ name, sources }));
  return { files, conflicts };
}
