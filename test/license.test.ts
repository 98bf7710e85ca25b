// The project's licence: one LICENSE file, the same SPDX id in every package.json, and the images'
// OCI `licenses` label built from it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { listPrograms, projectLicense, repoRoot } from '../scripts/programs.ts';

const manifests = [
  'package.json',
  ...readdirSync(join(repoRoot, 'packages')).map((dir) => join('packages', dir, 'package.json')),
];

describe('licence', () => {
  test('LICENSE is the full Apache License 2.0 and package.json says Apache-2.0', () => {
    const text = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
    expect(text).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(text).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
    expect(projectLicense()).toBe('Apache-2.0');
  });

  test.each(manifests)('%s has the project licence', (file) => {
    expect(JSON.parse(readFileSync(join(repoRoot, file), 'utf8')).license).toBe(projectLicense());
  });

  test.each(listPrograms().map((p) => [p.name]))(
    'images/%s/Dockerfile: the licenses label defaults to the project licence',
    (name) => {
      const text = readFileSync(join(repoRoot, 'images', name, 'Dockerfile'), 'utf8');
      expect(text).toMatch(new RegExp(`^ARG LICENSES=${projectLicense()}$`, 'm'));
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile's variable, in a plain string.
      expect(text).toContain('org.opencontainers.image.licenses="${LICENSES}"');
    },
  );
});
