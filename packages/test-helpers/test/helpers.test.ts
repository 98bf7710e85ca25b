import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stopProcess, waitForValue, waitUntil } from '../src/index.ts';

describe('stopProcess', () => {
  it('ends a child that exits on SIGTERM with that signal, before the grace period', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const started = performance.now();
    await stopProcess(child, 10_000);
    expect(child.signalCode).toBe('SIGTERM');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('SIGKILLs a child that ignores SIGTERM once the grace period is over', async () => {
    const stubborn = spawn(process.execPath, [
      '-e',
      "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)",
    ]);
    await new Promise((resolve) => stubborn.stdout.once('data', resolve));
    await stopProcess(stubborn, 300);
    expect(stubborn.signalCode).toBe('SIGKILL');
  });
});

describe('waitUntil', () => {
  it('resolves once the check holds and throws naming what it waited for after the time', async () => {
    let calls = 0;
    await waitUntil(() => ++calls >= 3, 5000);
    expect(calls).toBe(3);
    await expect(waitUntil(() => false, 100, 'the moon')).rejects.toThrow(
      'timed out after 100ms waiting for the moon',
    );
  });
});

describe('waitForValue', () => {
  it('tries again after undefined and after a throw, and returns the first value', async () => {
    const answers = [() => undefined, () => Promise.reject(new Error('not listening')), () => 0];
    expect(await waitForValue(() => answers.shift()!(), { intervalMs: 10 })).toBe(0);
    expect(answers).toEqual([]);
  });

  it('gives up after ms, naming what it waited for and the last error', async () => {
    await expect(
      waitForValue(
        () => {
          throw new Error('connection refused');
        },
        { ms: 200, what: 'the app', intervalMs: 10 },
      ),
    ).rejects.toThrow('timed out after 200ms waiting for the app (last: connection refused)');
  });
});
