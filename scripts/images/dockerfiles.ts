// Which programs have an image, where their Dockerfiles are, and what those ask for.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageRepository, listPrograms, type ProgramPackage, repoRoot } from '../programs.ts';
import { ImageBuildError } from './build-error.ts';

export function dockerfileOf(program: string): string {
  return join(repoRoot, 'images', program, 'Dockerfile');
}

export function imageTags(program: ProgramPackage): string[] {
  const repository = imageRepository(program.name);
  return [`${repository}:latest`, `${repository}:${program.version}`];
}

export function selectPrograms(names: readonly string[], log: (line: string) => void): ProgramPackage[] {
  const all = listPrograms();
  if (names.length === 0) {
    const withImage = all.filter((p) => existsSync(dockerfileOf(p.name)));
    for (const p of all) {
      if (!withImage.includes(p)) log(`images: ${p.name} has no images/${p.name}/Dockerfile; skipped`);
    }
    return withImage;
  }
  return names.map((name) => {
    const program = all.find((p) => p.name === name);
    if (!program) {
      throw new ImageBuildError(
        `unknown program ${JSON.stringify(name)}: expected one of ${all.map((p) => p.name).join(', ')}`,
      );
    }
    if (!existsSync(dockerfileOf(name))) throw new ImageBuildError(`no images/${name}/Dockerfile`);
    return program;
  });
}

/** The `ARG BASE_IMAGE=` default of a Dockerfile. */
export function defaultBase(dockerfile: string): string {
  const match = /^ARG BASE_IMAGE=(\S+)/m.exec(readFileSync(dockerfile, 'utf8'));
  if (!match) throw new ImageBuildError(`${dockerfile} has no ARG BASE_IMAGE=<default>`);
  return match[1]!;
}

/** The local base a Dockerfile asks for with `# toolkit-local-base: <variant>`; '' for the plain one. */
export function localBaseVariant(dockerfile: string): string {
  const match = /^# toolkit-local-base: ([a-z0-9-]+)\s*$/m.exec(readFileSync(dockerfile, 'utf8'));
  return match?.[1] ?? '';
}
