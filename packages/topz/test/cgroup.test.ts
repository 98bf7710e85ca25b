import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  locateCgroup,
  locateProcessCgroup,
  parseCgroupMounts,
  parseProcCgroup,
  readCgroupLimits,
  readCgroupMounts,
  Sampler,
} from '../src/index.ts';
import { Children, waitForExec } from './helpers/children.ts';

const dockerV1Mountinfo = [
  '700 699 0:63 / / rw,relatime master:300 - overlay overlay rw,lowerdir=/l',
  '710 709 0:30 /docker/abc /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:12 - cgroup cgroup rw,memory',
  '711 709 0:29 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:11 - cgroup cgroup rw,cpu,cpuacct',
].join('\n');
const podV2Mountinfo =
  '812 805 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate';

describe('cgroup paths', () => {
  it('finds the v1 hierarchies of a Docker container and resolves its own cgroup, not a neighbour', () => {
    const mounts = parseCgroupMounts(dockerV1Mountinfo);
    expect(mounts).toEqual([
      { version: 1, controllers: ['memory'], root: '/docker/abc', mountPoint: '/sys/fs/cgroup/memory' },
      { version: 1, controllers: ['cpu'], root: '/docker/abc', mountPoint: '/sys/fs/cgroup/cpu,cpuacct' },
    ]);
    const own = locateCgroup(parseProcCgroup('5:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n'), mounts);
    expect(own).toEqual({
      path: '/docker/abc',
      version: 1,
      memory: { dir: '/sys/fs/cgroup/memory', top: '/sys/fs/cgroup/memory' },
      cpu: { dir: '/sys/fs/cgroup/cpu,cpuacct', top: '/sys/fs/cgroup/cpu,cpuacct' },
    });
    const app = locateCgroup(parseProcCgroup('5:memory:/docker/def\n3:cpu,cpuacct:/docker/def\n'), mounts);
    expect(app).toEqual({ path: '/docker/def', version: 1, memory: null, cpu: null });
  });

  it('resolves a v2 path inside a cgroup namespace, and refuses one outside it', () => {
    const mounts = parseCgroupMounts(podV2Mountinfo);
    expect(locateCgroup(parseProcCgroup('0::/\n'), mounts)?.memory).toEqual({
      dir: '/sys/fs/cgroup',
      top: '/sys/fs/cgroup',
    });
    expect(locateCgroup(parseProcCgroup('0::/../app\n'), mounts)).toMatchObject({ memory: null, cpu: null });
  });

  it("locates this machine's own cgroup", () => {
    const mounts = readCgroupMounts('/proc');
    const own = locateProcessCgroup('/proc', 'self', mounts);
    if (mounts.length === 0) return expect(own).toBeNull();
    expect(own?.memory?.dir).toMatch(/^\/sys\/fs\/cgroup/);
    expect(existsSync(own!.memory!.dir)).toBe(true);
  });
});

/** A real cgroup with limits, where this machine lets a test make one (root, cgroup v1 or v2). */
function makeLimitedCgroups(
  name: string,
): { dirs: string[]; parentDirs: string[]; version: 1 | 2 } | undefined {
  try {
    if (
      existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') ||
      existsSync('/sys/fs/cgroup/memory/tasks')
    ) {
      const memory = `/sys/fs/cgroup/memory/${name}`;
      const cpu = `/sys/fs/cgroup/cpu/${name}`;
      mkdirSync(`${memory}/child`, { recursive: true });
      mkdirSync(cpu, { recursive: true });
      writeFileSync(`${memory}/memory.limit_in_bytes`, String(256 * 1024 * 1024));
      writeFileSync(`${cpu}/cpu.cfs_period_us`, '100000');
      writeFileSync(`${cpu}/cpu.cfs_quota_us`, '50000');
      return { dirs: [`${memory}/child`, cpu], parentDirs: [memory], version: 1 };
    }
    const controllers = readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8');
    if (!controllers.includes('memory') || !controllers.includes('cpu')) return undefined;
    const dir = `/sys/fs/cgroup/${name}`;
    mkdirSync(dir);
    writeFileSync(`${dir}/memory.max`, String(256 * 1024 * 1024));
    writeFileSync(`${dir}/cpu.max`, '50000 100000');
    return { dirs: [dir], parentDirs: [], version: 2 };
  } catch {
    return undefined;
  }
}

describe('cgroup limits, on a real cgroup', () => {
  const children = new Children();
  const made = makeLimitedCgroups(`topz-test-${process.pid}`);
  afterAll(async () => {
    await children.killAll();
    for (const dir of [...(made?.dirs ?? []), ...(made?.parentDirs ?? [])]) rmdirSync(dir);
  });

  it.skipIf(!made)("reads a process's limits, the lowest of its cgroup's and its ancestors'", async () => {
    const child = children.spawn('sleep', ['30']);
    await waitForExec(child.pid!, 'sleep');
    for (const dir of made!.dirs) writeFileSync(`${dir}/cgroup.procs`, String(child.pid));
    const location = locateProcessCgroup('/proc', child.pid!, readCgroupMounts('/proc'));
    expect(location?.path).toMatch(/topz-test-\d+/);
    const limits = readCgroupLimits(location!);
    // v1: the memory limit sits on the parent of the process's cgroup.
    expect(limits).toMatchObject({
      version: made!.version,
      memoryLimitBytes: 256 * 1024 * 1024,
      cpuLimitCores: 0.5,
    });
    // v1 leaves a moved process's earlier charges behind, so the usage may still be 0.
    expect(limits.memoryUsageBytes).toEqual(expect.any(Number));
    const sampler = new Sampler();
    const process = sampler.sample().processes.find((p) => p.pid === child.pid);
    sampler.close();
    expect(process?.cgroup).toBe(location!.path);
    expect(process?.memLimitPercent).toBeCloseTo((process!.rssBytes / (256 * 1024 * 1024)) * 100, 1);
    // A first sample's CPU% is the average since start (sleep's exec can be 25% of its first 40 ms),
    // so the share of the quota is checked against it, not against zero.
    expect(process?.cpuLimitPercent).toBeCloseTo(process!.cpuPercent / 0.5, 0);
  });
});
