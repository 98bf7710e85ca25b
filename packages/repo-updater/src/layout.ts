import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * Where things live under `--root`: the repository (`.git`, bare, no files of its own), one worktree per
 * published commit (`.worktrees/<sha>`), and the link the app reads, which may also sit outside the root.
 */
export interface Layout {
  root: string;
  gitDir: string;
  worktreesDir: string;
  linkPath: string;
}

export function createLayout(root: string, link: string): Layout {
  const absoluteRoot = resolve(root);
  return {
    root: absoluteRoot,
    gitDir: join(absoluteRoot, '.git'),
    worktreesDir: join(absoluteRoot, '.worktrees'),
    linkPath: isAbsolute(link) ? link : join(absoluteRoot, link),
  };
}

/** Undefined when the link is usable; otherwise why not, for a usage error. */
export function checkLinkPlacement(layout: Layout): string | undefined {
  const fromRoot = relative(layout.root, layout.linkPath);
  if (fromRoot === '') return 'the link cannot be the root itself';
  const first = fromRoot.split('/')[0];
  if (first === '.git' || first === '.worktrees') return `the link cannot be inside ${first}`;
  if (basename(layout.linkPath).startsWith('.tmp-')) return 'the link name cannot start with .tmp-';
  return undefined;
}

export function worktreePath(layout: Layout, commit: string): string {
  return join(layout.worktreesDir, commit);
}

/** The directory a temporary link is made in: beside the link, so rename(2) stays on one filesystem. */
export function linkDirectory(layout: Layout): string {
  return dirname(layout.linkPath);
}
