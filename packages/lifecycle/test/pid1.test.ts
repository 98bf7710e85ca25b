import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// As PID 1 the kernel drops signals that have no handler: this checks ours are installed and that the
// process exits by itself. Making a PID namespace needs root (CI runs as root).
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('as PID 1 of its own PID namespace', () => {
  it('shuts down gracefully on SIGTERM and exits 0', async () => {
    const unshare = spawn(
      'unshare',
      [
        '--pid',
        '--fork',
        '--kill-child',
        process.execPath,
        join(import.meta.dirname, 'fixtures', 'demo-program.ts'),
        '--admin-addr',
        '127.0.0.1:0',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '', HOOKS: 'cleanup:0' } },
    );
    let stderr = '';
    const ready = new Promise<void>((resolve) =>
      unshare.stderr!.on('data', (chunk) => {
        stderr += chunk;
        if (stderr.includes('"msg":"ready"')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => unshare.on('exit', (code) => resolve(code)));
    await ready;
    const programPid = Number(
      readFileSync(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').trim(),
    );
    const nsPid = readFileSync(`/proc/${programPid}/status`, 'utf8').match(/^NSpid:\s+\d+\s+(\d+)/m)?.[1];
    expect(nsPid).toBe('1');

    process.kill(programPid, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('"hook":"cleanup"');
    expect(stderr).toMatch(/"msg":"stopped".*"exitCode":0|"exitCode":0.*"msg":"stopped"/);
  });
});
