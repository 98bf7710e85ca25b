import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export type ContentResult =
  | { status: 200; body: Buffer; type: string }
  | { status: 404 | 503; message: string };

/**
 * Files of a checkout that repo-updater publishes (its `current` link). The link is resolved once per
 * request, so a request sees one commit whole, and a new commit is served as soon as the link swaps.
 */
export class Content {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async read(urlPath: string): Promise<ContentResult> {
    const root = await realpath(this.dir).catch(() => undefined);
    if (!root) return { status: 503, message: `nothing published at ${this.dir} yet` };
    const relative = normalize(urlPath).replace(/^[/\\]+/, '');
    // Dotfiles (.git among them) are not content.
    if (relative.split(/[/\\]/).some((part) => part.startsWith('.'))) {
      return { status: 404, message: 'not found' };
    }
    const inside = (path: string) => path === root || path.startsWith(root + sep);
    let file = join(root, relative);
    if (!inside(file)) return { status: 404, message: 'not found' };
    try {
      // A symlink committed to the repository may point anywhere (/etc/passwd): only what resolves
      // inside the tree is served, links within it still work.
      file = await realpath(file);
      if (!inside(file)) return { status: 404, message: 'not found' };
      if ((await stat(file)).isDirectory()) {
        file = await realpath(join(file, 'index.html'));
        if (!inside(file)) return { status: 404, message: 'not found' };
      }
      const body = await readFile(file);
      return { status: 200, body, type: contentTypes[extname(file)] ?? 'application/octet-stream' };
    } catch {
      return { status: 404, message: 'not found' };
    }
  }

  /**
   * The commit behind the link: a git worktree's `.git` file names its git directory, whose `HEAD` holds
   * the commit (repo-updater checks out detached). Falls back to the name of the link's target.
   */
  async revision(): Promise<string | null> {
    const root = await realpath(this.dir).catch(() => undefined);
    if (!root) return null;
    try {
      const pointer = await readFile(join(root, '.git'), 'utf8');
      const gitDir = /^gitdir: (.+)$/m.exec(pointer)?.[1]?.trim();
      if (gitDir) {
        // Relative to the worktree (repo-updater writes it so: the volume may be mounted elsewhere).
        const head = (await readFile(join(resolve(root, gitDir), 'HEAD'), 'utf8')).trim();
        if (/^[0-9a-f]{40,64}$/.test(head)) return head;
      }
    } catch {
      // Not a worktree, or its git directory is not visible here: the name is the best guess.
    }
    return basename(root);
  }
}
