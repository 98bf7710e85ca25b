import { describe, expect, it } from 'vitest';
import { Child } from '../src/index.ts';

/** A node child running `code` (Child runs a file: `-e` and the code stand in for it). */
const node = (code: string) => new Child('-e', [code]);

describe('Child.waitForLogWhileProgressing', () => {
  it('waits past quietMs for a child that keeps using CPU, then returns its line', async () => {
    const child = node(
      "const end = Date.now() + 1500; while (Date.now() < end); console.error(JSON.stringify({ msg: 'up' }))",
    );
    const started = performance.now();
    const line = await child.waitForLogWhileProgressing((l) => l.msg === 'up', { quietMs: 700 });
    expect(line).toEqual({ msg: 'up' });
    expect(performance.now() - started).toBeGreaterThan(1000);
    await child.exitCode();
  });

  it('gives up on a child that stands still, after quietMs and not maxMs', async () => {
    const child = node('setInterval(() => {}, 60_000)');
    const started = performance.now();
    await expect(
      child.waitForLogWhileProgressing((l) => l.msg === 'up', { quietMs: 500, maxMs: 30_000 }),
    ).rejects.toThrow(/no progress for 500ms waiting for a matching log line/);
    expect(performance.now() - started).toBeLessThan(10_000);
    await child.stop();
  });

  it('fails at once for a child that exited without the line, with its stderr', async () => {
    const child = node("console.error('broken start'); process.exit(3)");
    await expect(child.waitForLogWhileProgressing((l) => l.msg === 'up')).rejects.toThrow(
      /exited with no matching log line; stderr:\nbroken start/,
    );
  });
});

describe('Child.exitCode', () => {
  /** A child that exits at once, its child writing to the same stdout and stderr `afterMs` later. */
  const exitBeforeOutput = (afterMs: number) =>
    node(
      `require('child_process').spawn(process.execPath, ['-e', "setTimeout(() => { console.log('late out'); console.error('late err') }, ${afterMs})"], { stdio: ['ignore', 'inherit', 'inherit'] }).unref(); process.exitCode = 7`,
    );

  it('resolves once stdout and stderr have ended, not at the exit before the last of them', async () => {
    const child = exitBeforeOutput(300);
    expect(await child.exitCode()).toBe(7);
    expect([child.stdout, child.stderr]).toEqual(['late out\n', 'late err\n']);
  });

  it('does not wait for a grandchild that keeps the pipes open', async () => {
    const child = exitBeforeOutput(10_000);
    const started = performance.now();
    expect(await child.exitCode()).toBe(7);
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(child.stdout).toBe('');
  });
});
