import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { flagName } from '../../lifecycle/src/index.ts';
import { options } from '../src/index.ts';
import { makeTempDir } from './helpers.ts';

// The single file an image ships: built by `pnpm build` (which `pnpm test` runs first).
const bundle = join(import.meta.dirname, '..', 'dist', 'config-syncer.mjs');

function run(args: string[]): Child {
  const child = new Child(bundle, args);
  onTestFinished(() => void child.process.kill('SIGKILL'));
  return child;
}

describe.skipIf(!existsSync(bundle))('the bundle', () => {
  it('--help lists every option and --version prints the version', async () => {
    const help = run(['--help']);
    expect(await help.exitCode()).toBe(0);
    for (const key of Object.keys(options)) expect(help.stdout).toContain(`--${flagName(key)}`);
    const version = run(['--version']);
    expect(await version.exitCode()).toBe(0);
    expect(version.stdout).toMatch(/^config-syncer \d+\.\d+\.\d+/);
  });

  it('--once publishes and exits 0; watching, SIGTERM exits 0', async () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'app.yaml'), 'a: 1\n');
    const args = [
      '--source',
      join(dir, 'src'),
      '--target',
      join(dir, 'target'),
      '--admin-addr',
      '127.0.0.1:0',
    ];
    expect(await run([...args, '--once']).exitCode()).toBe(0);
    expect(readFileSync(join(dir, 'target', 'app.yaml'), 'utf8')).toBe('a: 1\n');

    const watching = run(args);
    await watching.waitForLog((line) => line.msg === 'ready');
    watching.process.kill('SIGTERM');
    expect(await watching.exitCode()).toBe(0);
  });
});
