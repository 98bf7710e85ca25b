import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { mainFile, makeTempDir, waitUntil } from './helpers.ts';

// A new PID namespace needs root; CI runs as root. PID 1 there is a shell standing in for the pause
// container, so a syncer that signalled PID 1 instead of finding the app by name would fail here.
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('signal to a process found by name in a shared PID namespace', () => {
  it('sends SIGHUP to the app (its master, not its worker, not PID 1) after each publish', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    const target = join(dir, 'target');
    mkdirSync(source);
    writeFileSync(join(source, 'app.json'), '{"v":1}');
    // A link to node named like the app: the kernel takes the process name from the path executed.
    const app = join(dir, 'reloadme');
    symlinkSync(process.execPath, app);
    const script = [
      `"${app}" "${join(import.meta.dirname, 'fixtures', 'reloadable-app.ts')}" master "${join(target, 'app.json')}" &`,
      `"${process.execPath}" "${mainFile}" --source "${source}" --target "${target}" --debounce 0s \\`,
      '  --notify-process reloadme --notify-backoff 50ms --notify-backoff-max 200ms --admin-addr 127.0.0.1:0 &',
      'wait',
    ].join('\n');
    const namespace = spawn(
      'unshare',
      ['--pid', '--fork', '--mount-proc', '--kill-child', 'sh', '-c', script],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    onTestFinished(() => void namespace.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    namespace.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    namespace.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const lines = (text: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const appEvents = () => lines(stdout);
    const reloads = () => appEvents().filter((e) => e.event === 'reloaded');
    const describeState = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;

    await waitUntil(
      () => reloads().some((e) => e.config === '{"v":1}'),
      20_000,
      `the first reload\n${describeState()}`,
    );
    writeFileSync(join(source, 'app.json'), '{"v":2}');
    await waitUntil(
      () => reloads().some((e) => e.config === '{"v":2}'),
      20_000,
      `the second reload\n${describeState()}`,
    );

    const master = appEvents().find((e) => e.event === 'started' && e.role === 'master')!;
    expect(master.pid).not.toBe(1);
    expect(reloads().every((e) => e.role === 'master')).toBe(true);
    const notified = lines(stderr).filter((l) => l.msg === 'app notified');
    expect(notified.at(-1)).toMatchObject({ notifier: 'signal:SIGHUP:reloadme', pids: [master.pid] });
  });
});
