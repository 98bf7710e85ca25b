/** Which source file names are synced: include globs (empty = all), then exclude globs. */
export type NameFilter = (name: string) => boolean;

/** A file-name glob: `*` any run of characters, `?` one character; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (const char of glob) {
    if (char === '*') pattern += '.*';
    else if (char === '?') pattern += '.';
    else pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`, 's');
}

/**
 * Which source subdirectories `--recursive` descends into: the exclude globs only (`.*` keeps a
 * checkout's `.git` out), since include globs such as `*.yaml` name files.
 */
export function createDirectoryFilter(exclude: readonly string[]): NameFilter {
  const excluded = exclude.map(globToRegExp);
  return (name) => !name.startsWith('..') && !excluded.some((re) => re.test(name));
}

export function createNameFilter(include: readonly string[], exclude: readonly string[]): NameFilter {
  const included = include.map(globToRegExp);
  const excluded = exclude.map(globToRegExp);
  return (name) => {
    // Kubelet internals (`..data`, `..2024_01_01...`) are never config, whatever the filters say.
    if (name.startsWith('..')) return false;
    if (included.length > 0 && !included.some((re) => re.test(name))) return false;
    return !excluded.some((re) => re.test(name));
  };
}
