// Every error code a program's source can throw is listed in a catalogue, once, with a meaning; the
// README table is generated from the catalogues (fastify's test/internals/errors.test.js is the model).
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCatalogues } from '../scripts/error-catalogues.ts';
import { repoRoot } from '../scripts/programs.ts';

// Node's own codes (ENOENT, ERR_*, HPE_*) are compared against, never thrown as ours.
const nodeErrno = new Set(Object.keys(constants.errno));
const isNodeCode = (code: string) => nodeErrno.has(code) || /^(ERR|HPE)_/.test(code);

/**
 * The error codes a source text uses: the literals of `type …Code = 'A' | 'B'`, the first argument of
 * `new …Error(` (on its line or the next), and on any line that
 * sets or compares a `code` or builds an `…Error(`, its upper-case literals such as 'FETCH_FAILED'.
 */
function findErrorCodes(text: string): Set<string> {
  const places = [
    ...text.matchAll(/type \w*Code\s*=[^;]+;/g),
    ...text.matchAll(/new \w*Error\(\s*'[A-Z0-9_]+'/g),
  ].map((match) => match[0]);
  for (const line of text.split('\n')) if (/\bcode\b|new \w*Error\(/.test(line)) places.push(line);
  const codes = new Set<string>();
  for (const place of places) {
    for (const [, code] of place.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)'/g)) {
      if (code!.length >= 4 && !isNodeCode(code!)) codes.add(code!);
    }
  }
  return codes;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const catalogues = await errorCatalogues();
const shared = catalogues.find((c) => c.dir === undefined)!;
const packagesDir = join(repoRoot, 'packages');

describe('error catalogue', () => {
  it.each(readdirSync(packagesDir).filter((name) => name !== 'test-helpers'))(
    'every code thrown in packages/%s/src is listed with its meaning',
    (name) => {
      const own = catalogues.find((c) => c.dir === join(packagesDir, name));
      const listed = new Set([...shared.codes, ...(own?.codes ?? [])].map((entry) => entry.code));
      const unlisted: string[] = [];
      for (const file of sourceFiles(join(packagesDir, name, 'src'))) {
        if (file.endsWith('error-codes.ts') || file.endsWith('error-catalogue.ts')) continue;
        for (const code of findErrorCodes(readFileSync(file, 'utf8')))
          if (!listed.has(code)) unlisted.push(`${code} (${file.slice(repoRoot.length + 1)})`);
      }
      expect(unlisted, 'add these to the src/error-codes.ts beside the definition').toEqual([]);
    },
  );

  it('lists each code once per program, with a meaning, and none that the source no longer uses', () => {
    for (const { program, dir, codes } of catalogues) {
      const names = codes.map((entry) => entry.code);
      expect(new Set(names).size, `${program}: a code listed twice`).toBe(names.length);
      for (const entry of codes) expect(entry.meaning.length, `${program} ${entry.code}`).toBeGreaterThan(20);
      const roots = dir
        ? [join(dir, 'src')]
        : readdirSync(packagesDir).map((n) => join(packagesDir, n, 'src'));
      const used = new Set<string>();
      for (const root of roots) {
        let files: string[] = [];
        try {
          files = sourceFiles(root);
        } catch {}
        for (const file of files)
          if (!file.endsWith('error-codes.ts') && !file.endsWith('error-catalogue.ts'))
            for (const code of findErrorCodes(readFileSync(file, 'utf8'))) used.add(code);
      }
      expect(
        names.filter((code) => !used.has(code)),
        `${program}: listed but never used`,
      ).toEqual([]);
    }
  });

  it('finds the codes of each form the programs use (so the check above cannot pass by finding none)', () => {
    const sample = [
      "export type SyncErrorCode =\n  | 'FETCH_FAILED'\n  | 'NO_SPACE';",
      "  readonly code = 'SOURCE_PENDING';",
      "  readonly code: 'GIT_FAILED' | 'GIT_ABORTED';",
      "throw new UsageError('BAD_VALUE', 'x');",
      "throw new UsageError(\n  'UNEXPECTED_ARGUMENT',\n  'x');",
      "if (error.code === 'ENOENT' || error.code === 'ERR_SSL_X') return;",
      "const label = 'NOT_A_CODE';",
    ].join('\n');
    expect([...findErrorCodes(sample)].sort()).toEqual([
      'BAD_VALUE',
      'FETCH_FAILED',
      'GIT_ABORTED',
      'GIT_FAILED',
      'NO_SPACE',
      'SOURCE_PENDING',
      'UNEXPECTED_ARGUMENT',
    ]);
  });
});
