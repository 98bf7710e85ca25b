// Builds the program images for linux/arm64 on this amd64 machine: `node scripts/images-arm64.ts [program…]`.
// The same Dockerfiles as `pnpm images`, on toolkit/node-base:local-arm64 (scripts/local-base-arm64.sh:
// the pinned Node for arm64 from npm, run under QEMU), tagged toolkit/<program>:latest-arm64 and
// :<version>-arm64 so that they never replace the amd64 images. Run `pnpm build` first (the bundles are
// the same for both). A Dockerfile that asks for a local base variant (repo-updater's git) is skipped:
// Debian's git cannot be installed for both architectures at once; the release workflow builds it for
// arm64 on the official base.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dockerfileOf, localBaseVariant } from './images/index.ts';
import { imageRepository, listPrograms, type ProgramPackage, projectLicense, repoRoot } from './programs.ts';

export const arm64Platform = 'linux/arm64';

/** The tags of a program's arm64 image: distinct from the amd64 `latest` and `<version>`. */
export function arm64Tags(program: ProgramPackage): string[] {
  const repository = imageRepository(program.name);
  return [`${repository}:latest-arm64`, `${repository}:${program.version}-arm64`];
}

/** The programs whose image builds for arm64 here: a Dockerfile, on the plain local base. */
export function arm64Programs(): { program: ProgramPackage; skipped?: string }[] {
  return listPrograms()
    .filter((program) => existsSync(dockerfileOf(program.name)))
    .map((program) => {
      const variant = localBaseVariant(dockerfileOf(program.name));
      return variant
        ? { program, skipped: `its Dockerfile needs the ${variant} local base, which exists for amd64 only` }
        : { program };
    });
}

function run(command: string, args: string[], what: string): string {
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) {
    throw new Error(
      `${what} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stderr.slice(-4000)}`,
    );
  }
  return result.stdout;
}

/** Makes the arm64 local base and builds the images; returns the built programs' first tags. */
export function buildArm64Images(names: readonly string[] = []): string[] {
  const base = run('bash', [join(repoRoot, 'scripts/local-base-arm64.sh')], 'the arm64 local base')
    .trim()
    .split('\n')
    .at(-1)!;
  const built: string[] = [];
  for (const { program, skipped } of arm64Programs()) {
    if (names.length > 0 && !names.includes(program.name)) continue;
    if (skipped) {
      console.error(`images-arm64: ${program.name} skipped: ${skipped}`);
      continue;
    }
    if (!existsSync(program.bundle)) throw new Error(`${program.bundle} is missing: run pnpm build first`);
    const tags = arm64Tags(program);
    run(
      'docker',
      [
        'build',
        '--quiet',
        '--platform',
        arm64Platform,
        '--file',
        dockerfileOf(program.name),
        ...tags.flatMap((tag) => ['--tag', tag]),
        '--build-arg',
        `BASE_IMAGE=${base}`,
        '--build-arg',
        `VERSION=${program.version}`,
        '--build-arg',
        `LICENSES=${projectLicense()}`,
        repoRoot,
      ],
      `docker build of ${program.name} for ${arm64Platform}`,
    );
    console.error(`images-arm64: built ${tags.join(', ')}`);
    built.push(tags[0]!);
  }
  return built;
}

if (import.meta.main) {
  try {
    buildArm64Images(process.argv.slice(2));
  } catch (error) {
    console.error(`images-arm64: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
