// Each rule of .dependency-cruiser.cjs (run by `pnpm check`) fails on a small tree that breaks it, and
// a tree in the allowed shape passes: a rule that cannot fail keeps nothing.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../scripts/programs.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'architecture');

/** dependency-cruiser with the repository's rules over a fixture tree: exit code and report. */
function cruise(tree: string): Promise<{ code: number | null; report: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(repoRoot, 'node_modules', '.bin', 'depcruise'),
      ['--config', join(repoRoot, '.dependency-cruiser.cjs'), '--no-progress', 'packages'],
      { cwd: join(fixtures, tree), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let report = '';
    child.stdout.on('data', (chunk) => {
      report += chunk;
    });
    child.stderr.on('data', (chunk) => {
      report += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, report });
    });
  });
}

const rules = [
  'no-circular',
  'lifecycle-imports-no-program',
  'no-program-imports-another',
  'domain-does-not-import-wiring',
  'tests-use-public-entries',
];

describe('architecture rules', { timeout: 120_000 }, () => {
  it('pass on a tree in the allowed shape (program → lifecycle entry, wiring → options, test → own src)', async () => {
    const { code, report } = await cruise('allowed');
    expect(report).toContain('no dependency violations found');
    expect(code).toBe(0);
  });

  it.each(rules)('%s fails on a tree that breaks it, and only it', async (rule) => {
    const { code, report } = await cruise(rule);
    expect(code, report).not.toBe(0);
    const broken = [...report.matchAll(/error ([a-z-]+):/g)].map((match) => match[1]);
    expect(broken.length, report).toBeGreaterThan(0);
    expect(new Set(broken)).toEqual(new Set([rule]));
  });
});
