import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stopProcess, waitUntil } from '../src/index.ts';

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
