// Builds the program images: `pnpm images [program...] [--local-base]`.
// Bundles first (scripts/build.ts), then `images/<program>/Dockerfile` with the repository root as the
// build context, tagged toolkit/<program>:latest and :<version>, with OCI labels; then a size report.
//
// The base image: TOOLKIT_BASE_IMAGE if set; else toolkit/node-base:local (scripts/local-base.sh) with
// --local-base or TOOLKIT_LOCAL_BASE=1, for machines that cannot pull (or the variant a Dockerfile names
// with `# toolkit-local-base: <variant>`, made by scripts/local-base-<variant>.sh); else each
// Dockerfile's default, the official node image. The end-to-end tests' global setup calls buildImages() with the local base.
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageRepository, listPrograms, type ProgramPackage, projectLicense, repoRoot } from './programs.ts';

export const localBaseImage = 'toolkit/node-base:local';

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

export interface BuiltImage {
  program: string;
  tags: string[];
  base: string;
  /** Bytes, as `docker image inspect` counts them. */
  size: number;
  /** Bytes our layers add on top of the base. */
  added: number;
}

export class ImageBuildError extends Error {
  override name = 'ImageBuildError';
}

export function dockerfileOf(program: string): string {
  return join(repoRoot, 'images', program, 'Dockerfile');
}

export function imageTags(program: ProgramPackage): string[] {
  const repository = imageRepository(program.name);
  return [`${repository}:latest`, `${repository}:${program.version}`];
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

  // A local base per variant a Dockerfile asks for (`# toolkit-local-base: git` → scripts/local-base-git.sh),
  // each made once.
  const localBases = new Map<string, string>();
  const localBase = async (variant: string): Promise<string> => {
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

function selectPrograms(names: readonly string[], log: (line: string) => void): ProgramPackage[] {
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
function defaultBase(dockerfile: string): string {
  const match = /^ARG BASE_IMAGE=(\S+)/m.exec(readFileSync(dockerfile, 'utf8'));
  if (!match) throw new ImageBuildError(`${dockerfile} has no ARG BASE_IMAGE=<default>`);
  return match[1]!;
}

/** The local base a Dockerfile asks for with `# toolkit-local-base: <variant>`; '' for the plain one. */
export function localBaseVariant(dockerfile: string): string {
  const match = /^# toolkit-local-base: ([a-z0-9-]+)\s*$/m.exec(readFileSync(dockerfile, 'utf8'));
  return match?.[1] ?? '';
}

/** Build args for the OCI labels every Dockerfile declares (VERSION is per program). */
function labelArgs(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const repository = manifest.repository;
  // SOURCE_DATE_EPOCH, else the commit's time: the same sources build the same image (all layers
  // cached, no dangling images from re-runs), as reproducible builds do.
  const epoch = Number(process.env.SOURCE_DATE_EPOCH || git(['log', '-1', '--format=%ct']));
  const created = Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date();
  return {
    REVISION: git(['rev-parse', 'HEAD']) ?? 'unknown',
    CREATED: `${created.toISOString().slice(0, 19)}Z`,
    SOURCE:
      (typeof repository === 'string' ? repository : repository?.url) ??
      git(['remote', 'get-url', 'origin']) ??
      '',
    LICENSES: projectLicense(),
  };
}

function git(args: string[]): string | undefined {
  try {
    const { status, stdout } = spawnSyncText('git', args);
    return status === 0 && stdout.trim() ? stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

async function imageId(image: string): Promise<string | undefined> {
  const { code, stdout } = await capture('docker', ['image', 'inspect', '--format', '{{.Id}}', image]);
  return code === 0 ? stdout.trim() : undefined;
}

async function imageExists(image: string): Promise<boolean> {
  return (await imageId(image)) !== undefined;
}

/**
 * The image a rebuild took the tags from is left untagged: remove it, so re-runs do not pile up dangling
 * images. Only when nothing tags it any more; a container still using it keeps it (rmi then fails).
 */
async function removeIfReplaced(previousId: string | undefined): Promise<void> {
  if (!previousId) return;
  const { code, stdout } = await capture('docker', [
    'image',
    'inspect',
    '--format',
    '{{len .RepoTags}}',
    previousId,
  ]);
  if (code === 0 && stdout.trim() === '0') await capture('docker', ['image', 'rm', previousId]);
}

async function imageSize(image: string): Promise<number> {
  const { code, stdout } = await capture('docker', ['image', 'inspect', '--format', '{{.Size}}', image]);
  return code === 0 ? Number(stdout.trim()) : Number.NaN;
}

export function formatSizeReport(images: readonly BuiltImage[]): string {
  const mb = (bytes: number) => (Number.isNaN(bytes) ? '?' : `${(bytes / 1e6).toFixed(1)} MB`);
  const rows = [
    ['image', 'size', 'ours', 'base'],
    ...images.map((image) => [image.tags.at(-1)!, mb(image.size), `+${mb(image.added)}`, image.base]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

// --- processes -------------------------------------------------------------------------------------

function spawnSyncText(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function capture(command: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('error', () => resolve({ code: -1, stdout }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

/**
 * Runs a command; its stderr (and stdout unless captured) goes to our stderr when verbose, and into the
 * error message when it fails either way.
 */
function run(
  command: string,
  args: string[],
  verbose: boolean,
  what: string,
  { captureStdout = false }: { captureStdout?: boolean } = {},
): Promise<{ output: string }> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] };
    const child = spawn(command, args, spawnOptions);
    let transcript = '';
    let output = '';
    const forward = (chunk: Buffer, captured: boolean) => {
      const text = chunk.toString();
      if (captured) output += text;
      else {
        transcript += text;
        if (verbose) process.stderr.write(text);
      }
    };
    child.stdout!.on('data', (chunk: Buffer) => forward(chunk, captureStdout));
    child.stderr!.on('data', (chunk: Buffer) => forward(chunk, false));
    child.on('error', (error) => reject(new ImageBuildError(`${what}: ${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve({ output });
      const tail = verbose ? '' : `\n${transcript.trimEnd().split('\n').slice(-40).join('\n')}`;
      reject(new ImageBuildError(`${what} failed (${signal ?? `exit ${code}`})${tail}`));
    });
  });
}

// --- command line -----------------------------------------------------------------------------------

const usage = `Usage: pnpm images [program...] [--local-base]

Builds the bundles, then toolkit/<program>:latest and :<version> from images/<program>/Dockerfile.
  --local-base         build on ${localBaseImage}, made from this machine's Node (no registry needed)
Environment:
  TOOLKIT_BASE_IMAGE   base image for every program (overrides --local-base)
  TOOLKIT_LOCAL_BASE=1 same as --local-base
  TOOLKIT_IMAGE_REGISTRY, TOOLKIT_IMAGE_NAMESPACE  tag <registry>/<namespace>/<program> instead of toolkit/<program>
  SOURCE_DATE_EPOCH    the org.opencontainers.image.created date (default: the last commit's)
`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  const unknownFlag = argv.find((arg) => arg.startsWith('-') && arg !== '--local-base');
  if (unknownFlag) {
    process.stderr.write(`images: unknown option ${unknownFlag}\n${usage}`);
    return 2;
  }
  try {
    const images = await buildImages({
      programs: argv.filter((arg) => !arg.startsWith('-')),
      baseImage: process.env.TOOLKIT_BASE_IMAGE || undefined,
      localBase: argv.includes('--local-base') || process.env.TOOLKIT_LOCAL_BASE === '1',
    });
    process.stdout.write(`\n${formatSizeReport(images)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`\nimages: ${(error as Error).message}\n`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
