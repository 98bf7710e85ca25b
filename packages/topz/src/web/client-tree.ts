/** A row of the tree view: a process and how deep it sits under its ancestors. */
export interface TreeRow<P> {
  process: P;
  depth: number;
}

/**
 * Orders processes as a tree, parents before their children and siblings by `compare`. A process
 * whose parent is not in the list (PID 1, or a filtered-out parent) is a root. Runs in the browser
 * too: it must stand alone, with no imports and no calls outside itself.
 */
export function orderAsTree<P extends { pid: number; ppid: number }>(
  processes: readonly P[],
  compare: (a: P, b: P) => number,
): TreeRow<P>[] {
  const present = new Set(processes.map((process) => process.pid));
  const children = new Map<number, P[]>();
  const roots: P[] = [];
  for (const process of processes) {
    if (process.ppid === process.pid || !present.has(process.ppid)) {
      roots.push(process);
      continue;
    }
    const siblings = children.get(process.ppid) ?? [];
    siblings.push(process);
    children.set(process.ppid, siblings);
  }
  const rows: TreeRow<P>[] = [];
  const placed = new Set<number>();
  const place = (process: P, depth: number) => {
    // A snapshot is read over a few milliseconds: guard against a loop of stale parent links.
    if (placed.has(process.pid)) return;
    placed.add(process.pid);
    rows.push({ process, depth });
    for (const child of (children.get(process.pid) ?? []).sort(compare)) place(child, depth + 1);
  };
  for (const root of roots.sort(compare)) place(root, 0);
  // Members of a parent loop have no root; list them flat rather than drop them.
  for (const process of processes) if (!placed.has(process.pid)) place(process, 0);
  return rows;
}
