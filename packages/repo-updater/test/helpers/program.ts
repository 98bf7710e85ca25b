import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
import { afterEach } from 'vitest';
import { testGitEnv } from './git-fixture.ts';

export const mainFile = join(import.meta.dirname, '..', '..', 'src', 'main.ts');

/** The real program in a child process, its admin server on a free loopback port. */
export class Updater extends Child {
  constructor(args: string[], env: Record<string, string> = {}) {
    const { PATH: _path, ...gitEnv } = testGitEnv();
    super(mainFile, ['--admin-addr', '127.0.0.1:0', ...args], {
      ...(gitEnv as Record<string, string>),
      ...env,
    });
  }

  /** The admin server's base URL, once it listens: waited for while the program makes progress. */
  async adminUrl(): Promise<string> {
    const line = await this.waitForLogWhileProgressing((l) => l.msg === 'admin server listening');
    return `http://${line.address}`;
  }

  waitForMessage(msg: string, ms = 15_000): Promise<Record<string, unknown>> {
    return this.waitForLog((line) => line.msg === msg, ms);
  }
}

/**
 * Starts updaters that are killed after each test. Call it after `useRemoteRepo()`: vitest runs
 * afterEach hooks last-registered first, so the updaters are gone before their directory is.
 */
export function useUpdaters(): (args: string[], env?: Record<string, string>) => Updater {
  const started: Updater[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) child.process.kill('SIGKILL');
  });
  return (args, env) => {
    const child = new Updater(args, env);
    started.push(child);
    return child;
  };
}
