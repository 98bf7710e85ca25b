import { basename, matchesGlob, relative, sep } from 'node:path';

const globChar = /[*?[\]{}]/;

/** The directory a glob starts in: its leading segments without glob characters (`/logs/app` of `/logs/app/*.log`). */
export function globBase(glob: string): string {
  const segments = glob.split('/');
  const fixed: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (globChar.test(segment)) break;
    fixed.push(segment);
  }
  return fixed.join('/') || '/';
}

/** Directory levels below the base a glob can reach; undefined when `**` makes it unlimited. */
export function globDepth(glob: string): number | undefined {
  if (glob.includes('**')) return undefined;
  const base = globBase(glob);
  return relative(base, glob).split(sep).length - 1;
}

/** Which paths are followed: matched by an include glob and by no exclude glob. */
export interface PathFilter {
  matches(path: string): boolean;
  excludes(path: string): boolean;
  /** Whether a directory can hold a followed file, so a watcher can skip the others. */
  mayContain(dir: string): boolean;
}

export function createPathFilter(include: readonly string[], exclude: readonly string[]): PathFilter {
  const roots = include.map((glob) => ({ base: globBase(glob), depth: globDepth(glob) }));
  const excluded = (path: string) =>
    exclude.some((glob) =>
      glob.includes('/') ? matchesGlob(path, glob) : matchesGlob(basename(path), glob),
    );
  return {
    excludes: excluded,
    matches: (path) => include.some((glob) => matchesGlob(path, glob)) && !excluded(path),
    mayContain: (dir) =>
      roots.some(({ base, depth }) => {
        const rel = relative(base, dir);
        if (rel === '') return true;
        if (rel.startsWith('..')) return false;
        return depth === undefined || rel.split(sep).length < depth;
      }) && !excluded(dir),
  };
}
