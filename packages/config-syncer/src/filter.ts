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
