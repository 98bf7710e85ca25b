// The blocks every Dockerfile shares, written from scripts/images/dockerfile-blocks.ts by `pnpm run docs`
// and checked by `pnpm check` (scripts/docs.ts --check).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { imageTable, withDockerfileBlocks } from '../scripts/images/dockerfile-blocks.ts';
import { repoRoot } from '../scripts/programs.ts';

const read = (program: string) => readFileSync(join(repoRoot, 'images', program, 'Dockerfile'), 'utf8');

describe('Dockerfile blocks', () => {
  test.each(Object.keys(imageTable).map((program) => [program]))(
    'images/%s/Dockerfile is current',
    (program) => {
      expect(withDockerfileBlocks(program, program, read(program))).toBe(read(program));
    },
  );

  test('a block changed by hand is written back from the table; a Dockerfile without one is refused', () => {
    const edited = read('topz').replace('--retries=3', '--retries=9').replace('ARG SOURCE=', 'ARG SOURCE=x');
    expect(edited).not.toBe(read('topz'));
    expect(withDockerfileBlocks('topz', 'topz', edited)).toBe(read('topz'));
    expect(() =>
      withDockerfileBlocks('topz', 'images/topz/Dockerfile', edited.replace('# end:image', '')),
    ).toThrow('images/topz/Dockerfile has no # begin:image … # end:image block');
    expect(() => withDockerfileBlocks('nginx', 'nginx', edited)).toThrow(/no entry in scripts\/images/);
  });
});
