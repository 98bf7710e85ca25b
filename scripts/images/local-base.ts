// The local base image, made from this machine's Node (no registry needed), per variant.
import { join } from 'node:path';
import { repoRoot } from '../programs.ts';
import { run } from './processes.ts';

export const localBaseImage = 'toolkit/node-base:local';

/**
 * A local base per variant a Dockerfile asks for (`# toolkit-local-base: git` → scripts/local-base-git.sh),
 * each made once per returned function.
 */
export function localBaseMaker(verbose: boolean): (variant: string) => Promise<string> {
  const localBases = new Map<string, string>();
  return async (variant: string): Promise<string> => {
    let image = localBases.get(variant);
    if (!image) {
      const script = `scripts/local-base${variant ? `-${variant}` : ''}.sh`;
      const { output } = await run('bash', [join(repoRoot, script)], verbose, 'local base', {
        captureStdout: true,
      });
      image = output.trim().split('\n').at(-1) || localBaseImage;
      localBases.set(variant, image);
    }
    return image;
  };
}
