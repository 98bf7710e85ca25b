/**
 * Where a process's cgroup lives on disk. /proc/<pid>/cgroup names a path inside each hierarchy;
 * /proc/self/mountinfo says which part of the hierarchy topz's mounts show. A path outside what topz
 * has mounted (another container's cgroup, `/../sibling` in a cgroup namespace) is not readable.
 */
export interface CgroupMount {
  version: 1 | 2;
  /** v1: the controllers of this hierarchy (memory, cpu…); v2: empty. */
  controllers: readonly string[];
  /** The part of the hierarchy the mount shows, e.g. `/docker/<id>` for a v1 container. */
  root: string;
  mountPoint: string;
}

/** A controller's directory, and the mount point where walking up to ancestors stops. */
export interface ControllerDir {
  dir: string;
  top: string;
}

/** Where the files of one cgroup are: its v2 directory and its v1 cpu and memory directories. */
export interface PressureDirs {
  unified: ControllerDir | null;
  /** The v2 path as /proc/<pid>/cgroup gives it. */
  unifiedPath: string | null;
  cpuV1: ControllerDir | null;
  memoryV1: ControllerDir | null;
}

export interface CgroupLocation {
  /** The path as /proc/<pid>/cgroup gives it: the v2 path, else the v1 memory (or cpu) path. */
  path: string;
  version: 1 | 2;
  memory: ControllerDir | null;
  cpu: ControllerDir | null;
}

export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (!before || !after) continue;
    const fields = before.split(' ');
    const [fsType, , superOptions = ''] = after.split(' ');
    const root = unescapeMountField(fields[3] ?? '');
    const mountPoint = unescapeMountField(fields[4] ?? '');
    if (fsType === 'cgroup2') mounts.push({ version: 2, controllers: [], root, mountPoint });
    if (fsType === 'cgroup') {
      const controllers = superOptions.split(',').filter((option) => option === 'memory' || option === 'cpu');
      if (controllers.length > 0) mounts.push({ version: 1, controllers, root, mountPoint });
    }
  }
  return mounts;
}

/** `hierarchy-id:controllers:path` lines → controller → path; the v2 line (no controllers) under ''. */
export function parseProcCgroup(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    for (const controller of match[1]!.split(',')) paths.set(controller, match[2]!);
  }
  return paths;
}

export function locateCgroup(
  procCgroup: Map<string, string>,
  mounts: readonly CgroupMount[],
): CgroupLocation | null {
  const memoryV1 = locateController(procCgroup, mounts, 'memory');
  const cpuV1 = locateController(procCgroup, mounts, 'cpu');
  if (memoryV1.mounted || cpuV1.mounted) {
    const path = procCgroup.get('memory') ?? procCgroup.get('cpu');
    return path === undefined ? null : { path, version: 1, memory: memoryV1.dir, cpu: cpuV1.dir };
  }
  const unified = locateController(procCgroup, mounts, '');
  const path = procCgroup.get('');
  if (!unified.mounted || path === undefined) return null;
  return { path, version: 2, memory: unified.dir, cpu: unified.dir };
}

/**
 * The directories pressure and throttling are read from: the v2 one (PSI lives only there, even on a
 * hybrid host whose limits are v1) and the v1 cpu and memory ones.
 */
export function locatePressureDirs(
  procCgroup: Map<string, string>,
  mounts: readonly CgroupMount[],
): PressureDirs {
  const unified = locateController(procCgroup, mounts, '').dir;
  return {
    unified,
    unifiedPath: unified ? (procCgroup.get('') ?? null) : null,
    cpuV1: locateController(procCgroup, mounts, 'cpu').dir,
    memoryV1: locateController(procCgroup, mounts, 'memory').dir,
  };
}

/** `controller` '' means the v2 hierarchy. `mounted` tells whether topz sees that hierarchy at all. */
function locateController(
  procCgroup: Map<string, string>,
  mounts: readonly CgroupMount[],
  controller: string,
): { mounted: boolean; dir: ControllerDir | null } {
  const mount = mounts.find((m) =>
    controller === '' ? m.version === 2 : m.controllers.includes(controller),
  );
  if (!mount) return { mounted: false, dir: null };
  const path = procCgroup.get(controller);
  if (path === undefined || path.split('/').includes('..')) return { mounted: true, dir: null };
  const root = mount.root === '/' ? '' : mount.root;
  if (path !== root && !path.startsWith(`${root}/`)) return { mounted: true, dir: null };
  const relative = path.slice(root.length).replace(/\/$/, '');
  return { mounted: true, dir: { dir: `${mount.mountPoint}${relative}`, top: mount.mountPoint } };
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
