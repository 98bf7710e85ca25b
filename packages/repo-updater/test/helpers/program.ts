import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
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

  /** The admin server's base URL, once it listens. */
  async adminUrl(): Promise<string> {
    const line = await this.waitForLog((l) => l.msg === 'admin server listening');
    return `http://${line.address}`;
  }

  waitForMessage(msg: string, ms = 15_000): Promise<Record<string, unknown>> {
    return this.waitForLog((line) => line.msg === msg, ms);
  }
}
