import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runShellCommand, type ShellCommandResult } from '@toolkit/lifecycle';
import type { FileSet } from '../snapshot.ts';

export interface CheckCommand {
  command: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs the user's check (say `nginx -t -c $STAGED_DIR/nginx.conf`) on a staged copy of the whole new
 * config set, before anything is published: the app's own parser is the only complete validator.
 * The copy lives under the temp directory (TMPDIR), is the command's working directory and is named by
 * STAGED_DIR; it is removed afterwards.
 */
export async function runCheckCommand(
  check: CheckCommand,
  files: FileSet,
  signal: AbortSignal,
): Promise<ShellCommandResult> {
  const dir = await mkdtemp(join(tmpdir(), 'config-syncer-check-'));
  try {
    await Promise.all(
      [...files].map(async ([name, content]) => {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), content, { mode: 0o600 });
      }),
    );
    return await runShellCommand(check.command, {
      env: { ...check.env, STAGED_DIR: dir },
      cwd: dir,
      timeoutMs: check.timeoutMs,
      signal,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
