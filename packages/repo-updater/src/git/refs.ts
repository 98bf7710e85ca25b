/** What `--ref` names: the remote's default branch, one exact commit, or a branch or tag name. */
export type RefSpec = { kind: 'head' } | { kind: 'commit'; sha: string } | { kind: 'name'; name: string };

/**
 * Parses `--ref`. A full SHA-1 or SHA-256 hex is a commit (short SHAs are not: a branch may be called
 * `cafe123`); anything else is a name git resolves on the remote, branch or tag (`main`, `v1.2`,
 * `refs/heads/main`). Undefined when it could not be a ref or would read as an option.
 */
export function parseRef(text: string): RefSpec | undefined {
  const ref = text.trim();
  if (ref === '' || ref === 'HEAD') return { kind: 'head' };
  if (/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(ref)) return { kind: 'commit', sha: ref.toLowerCase() };
  // The rules of git check-ref-format that matter on a command line, plus no refspec colon.
  if (ref.startsWith('-') || ref.startsWith('/') || ref.endsWith('/') || ref.endsWith('.lock'))
    return undefined;
  if (/[\s~^:?*[\\]|\.\.|@\{|\/\/|\/\./.test(ref) || hasControlCharacter(ref)) return undefined;
  return { kind: 'name', name: ref };
}

function hasControlCharacter(text: string): boolean {
  return [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}

/** The refspec given to `git fetch`: git matches a name against refs/heads, refs/tags and the rest. */
export function fetchTarget(ref: RefSpec): string {
  switch (ref.kind) {
    case 'head':
      return 'HEAD';
    case 'commit':
      return ref.sha;
    case 'name':
      return ref.name;
  }
}

export function describeRef(ref: RefSpec): string {
  return ref.kind === 'head' ? 'HEAD' : fetchTarget(ref);
}
