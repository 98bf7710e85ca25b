import { existsSync } from 'node:fs';
import { repoRoot } from '../programs.ts';
import { ImageBuildError } from './build-error.ts';
import { defaultBase, dockerfileOf, imageTags, localBaseVariant, selectPrograms } from './dockerfiles.ts';
import { imageExists, imageId, imageSize, removeIfReplaced } from './inspect.ts';
import { labelArgs } from './labels.ts';
import { localBaseMaker } from './local-base.ts';
import { run } from './processes.ts';
import type { BuiltImage } from './size-report.ts';

export interface ImageBuildOptions {
  /** Program names; none means every program that has an `images/<program>/Dockerfile`. */
  programs?: readonly string[];
  /** Overrides every Dockerfile's BASE_IMAGE. */
  baseImage?: string;
  /** Make and use toolkit/node-base:local (ignored when baseImage is set). */
  localBase?: boolean;
  /** Run scripts/build.ts first (default true). */
  bundle?: boolean;
  /** Stream the output of docker and the bundler (default true); when false it is shown only on failure. */
  verbose?: boolean;
  log?: (line: string) => void;
}

/** Builds the bundles and the images; throws an ImageBuildError (with the failing output) on failure. */
export async function buildImages(options: ImageBuildOptions = {}): Promise<BuiltImage[]> {
  const log = options.log ?? ((line: string) => console.error(line));
  const verbose = options.verbose ?? true;
  const programs = selectPrograms(options.programs ?? [], log);

  if (options.bundle ?? true) {
    // build.ts takes one program or none (all): bundle only what was asked for, when it was asked.
    const filters = options.programs?.length ? programs.map((p) => p.name) : [undefined];
    for (const only of filters) {
      await run(process.execPath, ['scripts/build.ts', ...(only ? [only] : [])], verbose, 'bundling');
    }
  }
  for (const program of programs) {
    if (!existsSync(program.bundle)) throw new ImageBuildError(`${program.bundle} missing after the build`);
  }

  const localBase = localBaseMaker(verbose);

  const labels = labelArgs();
  const built: BuiltImage[] = [];
  for (const program of programs) {
    const dockerfile = dockerfileOf(program.name);
    const baseOverride =
      options.baseImage ?? (options.localBase ? await localBase(localBaseVariant(dockerfile)) : undefined);
    const base = baseOverride ?? defaultBase(dockerfile);
    const tags = imageTags(program);
    const args = ['build', '--file', dockerfile, ...tags.flatMap((tag) => ['--tag', tag])];
    if (baseOverride) args.push('--build-arg', `BASE_IMAGE=${baseOverride}`);
    for (const [key, value] of Object.entries({ ...labels, VERSION: program.version })) {
      args.push('--build-arg', `${key}=${value}`);
    }
    args.push(repoRoot);
    log(`images: building ${tags.join(', ')} on ${base}`);
    const previous = await imageId(tags[0]!);
    try {
      await run('docker', args, verbose, `docker build of ${program.name}`);
    } catch (error) {
      if (!(await imageExists(base))) {
        throw new ImageBuildError(
          `${(error as Error).message}\nimages: the base image ${base} is not here and could not be pulled. ` +
            'Where no registry is reachable, build on a local base made from this machine’s Node: ' +
            'TOOLKIT_LOCAL_BASE=1 pnpm images (or --local-base); or set TOOLKIT_BASE_IMAGE to an image you have.',
          { cause: error },
        );
      }
      throw error;
    }
    await removeIfReplaced(previous);
    const [size, baseSize] = await Promise.all([imageSize(tags[0]!), imageSize(base)]);
    built.push({ program: program.name, tags, base, size, added: size - baseSize });
  }
  return built;
}
