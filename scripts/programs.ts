import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..');

export interface ProgramPackage {
  /** The program's name, as in `toolkit/<name>` and the env prefix. */
  name: string;
  /** Package directory. */
  dir: string;
  /** Entry module, relative to the package. */
  main: string;
  version: string;
  /** One sentence: the package's `description`, also its image's description label. */
  description: string;
  /** The bundle `pnpm build` writes. */
  bundle: string;
  /** Not a product (the demo app): built and imaged, but not in the README reference. */
  internal: boolean;
}

/** Every package with a `toolkit.program` field in its package.json is a program with an image. */
export function listPrograms(): ProgramPackage[] {
  const packagesDir = join(repoRoot, 'packages');
  return readdirSync(packagesDir)
    .map((entry) => join(packagesDir, entry))
    .flatMap((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (!manifest.toolkit?.program) return [];
      const name: string = manifest.toolkit.program;
      return [
        {
          name,
          dir,
          main: manifest.toolkit.main,
          version: manifest.version,
          description: manifest.description ?? '',
          bundle: join(dir, 'dist', `${name}.mjs`),
          internal: manifest.toolkit.internal === true,
        },
      ];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function findProgram(name: string | undefined): ProgramPackage {
  const programs = listPrograms();
  const found = programs.find((p) => p.name === name);
  if (!found) {
    throw new Error(
      `unknown program ${JSON.stringify(name)}: expected one of ${programs.map((p) => p.name).join(', ')}`,
    );
  }
  return found;
}

/** The project's licence, an SPDX expression: the `license` of the root package.json (every package has the same). */
export function projectLicense(): string {
  const license = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).license;
  if (typeof license !== 'string' || license === '') throw new Error('package.json has no `license`');
  return license;
}

/**
 * The image repository of a program: `<registry>/<namespace>/<program>` from TOOLKIT_IMAGE_REGISTRY and
 * TOOLKIT_IMAGE_NAMESPACE (the release workflow's ghcr.io/<owner> by default there), else the local
 * `toolkit/<program>` every test and demo uses.
 */
export function imageRepository(program: string, env: NodeJS.ProcessEnv = process.env): string {
  const registry = env.TOOLKIT_IMAGE_REGISTRY?.replace(/\/+$/, '');
  const namespace = env.TOOLKIT_IMAGE_NAMESPACE?.replace(/^\/+|\/+$/g, '');
  if (!registry && !namespace) return `toolkit/${program}`;
  if (!registry || !namespace) {
    throw new Error(
      'set both TOOLKIT_IMAGE_REGISTRY and TOOLKIT_IMAGE_NAMESPACE (ghcr.io and your owner), or neither',
    );
  }
  return `${registry}/${namespace.toLowerCase()}/${program}`;
}
