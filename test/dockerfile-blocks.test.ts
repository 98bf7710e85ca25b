// The blocks every Dockerfile shares, written from scripts/images/dockerfile-blocks.ts by `pnpm run docs`;
// `pnpm check` (scripts/docs.ts --check) fails when a Dockerfile differs from what this writes.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { withDockerfileBlocks } from '../scripts/images/dockerfile-blocks.ts';
import { dockerfileOf } from '../scripts/images/dockerfiles.ts';
import { findProgram } from '../scripts/programs.ts';

describe('Dockerfile blocks', () => {
  const topz = findProgram('topz');
  const text = readFileSync(dockerfileOf('topz'), 'utf8');

  test('a block changed by hand is written back from the table; the description label is the package’s', () => {
    const edited = text.replace('--retries=3', '--retries=9').replace('ARG SOURCE=', 'ARG SOURCE=x');
    expect(edited).not.toBe(text);
    expect(withDockerfileBlocks(topz, 'topz', edited)).toBe(text);
    expect(withDockerfileBlocks({ ...topz, description: 'Shows processes.' }, 'topz', text)).toContain(
      'org.opencontainers.image.description="Shows processes." \\\n',
    );
  });

  test('a Dockerfile without a block, a program not in the table, a package without a description: refused', () => {
    expect(() =>
      withDockerfileBlocks(topz, 'images/topz/Dockerfile', text.replace('# end:image', '')),
    ).toThrow('images/topz/Dockerfile has no # begin:image … # end:image block');
    expect(() => withDockerfileBlocks({ ...topz, name: 'nginx' }, 'nginx', text)).toThrow(
      'images/nginx/Dockerfile has no entry in scripts/images/dockerfile-blocks.ts',
    );
    expect(() => withDockerfileBlocks({ ...topz, description: '' }, 'topz', text)).toThrow(
      'packages/topz/package.json needs a description',
    );
  });
});
