import { describe, expect, it } from 'vitest';
import { runShellCommand } from '../src/index.ts';

describe('runShellCommand', () => {
  it('reports the exit code and output, and stops the whole process group on timeout', async () => {
    expect(
      await runShellCommand('echo out; echo err >&2; exit 3', { env: {}, timeoutMs: 5000 }),
    ).toMatchObject({
      ok: false,
      exitCode: 3,
      output: 'out\nerr',
    });
    const started = performance.now();
    const slow = await runShellCommand('sleep 30 & sleep 30; wait', { env: {}, timeoutMs: 200 });
    expect(slow).toMatchObject({ ok: false, reason: 'timed out after 200ms' });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('returns 500 ms after the shell exits when a background process holds the pipes', async () => {
    const started = performance.now();
    const result = await runShellCommand('echo done; sleep 5 &', { env: {}, timeoutMs: 10_000 });
    expect(result).toMatchObject({ ok: true, exitCode: 0, output: 'done' });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('keeps the end of the output, runs in cwd with the given env, and says why an abort stopped it', async () => {
    const kept = await runShellCommand('seq 1 1000; pwd; echo "$ONLY"', {
      env: { ONLY: 'this' },
      cwd: '/tmp',
      timeoutMs: 5000,
      keepOutput: 20,
    });
    expect(kept.output.split('\n').slice(-2)).toEqual(['/tmp', 'this']);
    expect(kept.output.length).toBeLessThanOrEqual(20);
    const stop = new AbortController();
    const running = runShellCommand('sleep 30', { env: {}, timeoutMs: 10_000, signal: stop.signal });
    stop.abort(new Error('shutting down'));
    expect(await running).toMatchObject({ ok: false, reason: 'cancelled: shutting down' });
  });
});
