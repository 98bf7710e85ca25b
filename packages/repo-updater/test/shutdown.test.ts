import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { remote, root, temp, useRemoteRepo } from './helpers/git-fixture.ts';
import { useUpdaters } from './helpers/program.ts';

const token = 'push-hook-secret';

useRemoteRepo();
const startUpdater = useUpdaters();

const post = (url: string, headers: Record<string, string>) => fetch(url, { method: 'POST', headers });

describe('SIGTERM', () => {
  test('in the middle of a sync: exits 0, the link stays on the last complete tree, the partial one is gone', async () => {
    const first = remote.commit({ 'a.txt': 'one' });
    const started = join(temp.path, 'validation-started');
    const child = startUpdater(
      [
        ...['--repo', remote.url, '--root', root, '--period', '0s'],
        // Slow only for the second commit: the sync is caught between checkout and publish.
        ...['--validate-command', `if [ -f slow ]; then touch ${started}; sleep 30; fi`],
      ],
      { REPO_UPDATER_SYNC_TOKEN: token },
    );
    const admin = await child.adminUrl();
    await child.waitForMessage('ready');
    const second = remote.commit({ 'a.txt': 'two', slow: '' });
    expect((await post(`${admin}/sync`, { authorization: `Bearer ${token}` })).status).toBe(202);
    for (let i = 0; i < 400 && !existsSync(started); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(started)).toBe(true);
    expect(existsSync(join(root, '.worktrees', second, 'slow'))).toBe(true);

    child.process.kill('SIGTERM');
    expect(await child.exitCode(15_000)).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe(`.worktrees/${first}`);
    expect(readFileSync(join(root, 'current', 'a.txt'), 'utf8')).toBe('one');
    expect(readdirSync(join(root, '.worktrees'))).toEqual([first]);
    expect(child.logs.some((line) => line.msg === 'sync stopped' && line.step === 'validate')).toBe(true);
  });
});
