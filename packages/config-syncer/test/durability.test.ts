import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { threadPoolSize } from '../src/thread-pool.ts';
import { adminUrl, makeTempDir, saveLikeEditor, startSyncer, waitForNthLog, waitUntil } from './helpers.ts';

/** The filesystem type of `dir` as coreutils names it (`tmpfs`, `ext2/ext3`, `xfs`, ...). */
const filesystemOf = (dir: string) =>
  execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
const inMemory = (dir: string) => ['tmpfs', 'ramfs'].includes(filesystemOf(dir));

async function fsyncCount(admin: string): Promise<number> {
  const metrics = await (await fetch(`${admin}/metrics`)).text();
  const match = /^config_syncer_fsyncs_total (\d+)$/m.exec(metrics);
  if (!match) throw new Error(`no config_syncer_fsyncs_total in:\n${metrics}`);
  return Number(match[1]);
}

/** A source tree: two files at the top and one in a subdirectory. */
function makeSource(dir: string): string {
  const source = join(dir, 'src');
  mkdirSync(join(source, 'conf.d'), { recursive: true });
  writeFileSync(join(source, 'app.json'), '{"v": 1}\n');
  writeFileSync(join(source, 'b.yaml'), 'b: 1\n');
  writeFileSync(join(source, 'conf.d', 'c.yaml'), 'c: 1\n');
  return source;
}

const expectPublished = (target: string, c: string) => {
  expect(readFileSync(join(target, 'app.json'), 'utf8')).toBe('{"v": 1}\n');
  expect(readFileSync(join(target, 'b.yaml'), 'utf8')).toBe('b: 1\n');
  expect(readFileSync(join(target, 'conf.d', 'c.yaml'), 'utf8')).toBe(c);
};

describe('--fsync', () => {
  it('always fsyncs each file written and every directory a rename touched, subdirectories too; never fsyncs nothing and publishes the same', async () => {
    const dir = makeTempDir();
    const source = makeSource(dir);
    const start = (mode: string) => {
      const target = join(dir, `target-${mode}`);
      const args = ['--source', source, '--target', target, '--recursive', '--debounce', '0s'];
      return { target, child: startSyncer([...args, '--fsync', mode]) };
    };
    const always = start('always');
    const never = start('never');
    const admins = { always: await adminUrl(always.child), never: await adminUrl(never.child) };
    for (const { child } of [always, never]) await waitForNthLog(child, 'published', 1);
    // The first publish: the manifest naming the new files, the 3 files, the directories conf.d and
    // the target, then the manifest again.
    expect(await fsyncCount(admins.always)).toBe(1 + 3 + 2 + 1);
    expect(await fsyncCount(admins.never)).toBe(0);
    for (const { target } of [always, never]) expectPublished(target, 'c: 1\n');

    // A change in the subdirectory: the file, conf.d (the rename) and the target above it.
    saveLikeEditor(join(source, 'conf.d', 'c.yaml'), 'c: 2\n');
    for (const { child } of [always, never]) await waitForNthLog(child, 'published', 2);
    expect(await fsyncCount(admins.always)).toBe(7 + 1 + 2);
    expect(await fsyncCount(admins.never)).toBe(0);
    for (const { target } of [always, never]) expectPublished(target, 'c: 2\n');
    const logged = (child: typeof always.child) =>
      child.logs.find((line) => line.msg === 'durability of published files');
    expect(logged(always.child)).toMatchObject({ fsync: true, reason: '--fsync always' });
    expect(logged(never.child)).toMatchObject({ fsync: false, reason: '--fsync never' });
  });

  it.skipIf(!existsSync('/dev/shm') || !inMemory('/dev/shm'))(
    'auto (the default) fsyncs a target on a disk and not one on tmpfs, and both get the files',
    async () => {
      const dir = makeTempDir();
      const source = makeSource(dir);
      const memory = mkdtempSync('/dev/shm/config-syncer-');
      onTestFinished(() => rmSync(memory, { recursive: true, force: true }));
      const targets = { tmpfs: join(memory, 'target'), other: join(dir, 'target') };
      const children = Object.values(targets).map((target) =>
        startSyncer(['--source', source, '--target', target, '--recursive']),
      );
      for (const child of children) await waitForNthLog(child, 'published', 1);
      const [tmpfs, other] = await Promise.all(
        children.map(async (child) => fsyncCount(await adminUrl(child))),
      );
      expect(tmpfs).toBe(0);
      // The temp directory is usually on a disk; where it is a tmpfs too, auto fsyncs there neither.
      expect(other).toBe(inMemory(dir) ? 0 : 7);
      expect(children[0]!.logs.find((line) => line.msg === 'durability of published files')).toMatchObject({
        fsync: false,
        reason: '--fsync auto: the target is on tmpfs',
      });
      for (const target of Object.values(targets)) expectPublished(target, 'c: 1\n');
    },
  );

  it('runs 16 thread-pool threads, so the fsyncs of a ConfigMap go out together, without passing the setting to its commands', async () => {
    const dir = makeTempDir();
    const source = makeSource(dir);
    const envFile = join(dir, 'notify-env');
    const child = startSyncer([
      ...['--source', source, '--target', join(dir, 'target'), '--fsync', 'always'],
      ...['--notify-command', `env > ${envFile}`],
    ]);
    await waitForNthLog(child, 'published', 1);
    saveLikeEditor(join(source, 'b.yaml'), 'b: 2\n');
    await waitUntil(() => existsSync(envFile) && readFileSync(envFile, 'utf8').includes('CONFIG_REVISION='));
    const task = `/proc/${child.process.pid}/task`;
    const names = readdirSync(task).map((id) => readFileSync(join(task, id, 'comm'), 'utf8').trim());
    expect(names.filter((name) => name === 'libuv-worker')).toHaveLength(threadPoolSize);
    expect(readFileSync(envFile, 'utf8')).not.toContain('UV_THREADPOOL_SIZE');
  });
});
