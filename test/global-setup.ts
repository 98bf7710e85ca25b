// Runs once before every test file: bundles the programs (what `pnpm build` does), then finds out
// whether Docker is usable. With Docker: makes the local base image and builds every program image on
// it, through the code `pnpm images --local-base` runs, so the Docker tests need no registry. Without
// Docker: a failure under CI=true; elsewhere the Docker tests are skipped, and say why.
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { buildImages, formatSizeReport } from '../scripts/images/index.ts';
import { repoRoot } from '../scripts/programs.ts';
import { type DockerStatus, runCommand } from './helpers/docker.ts';

export default async function setup(project: TestProject): Promise<void> {
  const bundled = spawnSync(process.execPath, ['scripts/build.ts'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (bundled.status !== 0) {
    throw new Error(`global setup: scripts/build.ts failed:\n${bundled.stdout}${bundled.stderr}`);
  }

  const onCi = process.env.CI === 'true';
  // Several work trees on one machine share one engine and the toolkit/* tags: a run that needs no
  // image says so, and neither builds nor replaces them.
  const status: DockerStatus =
    process.env.TOOLKIT_NO_DOCKER === '1' && !onCi
      ? { available: false, reason: 'TOOLKIT_NO_DOCKER=1' }
      : await findDocker();
  if (!status.available) {
    if (onCi) throw new Error(`global setup: Docker is required under CI=true: ${status.reason}`);
    console.warn(`\n⚠ Docker end-to-end tests will be skipped: ${status.reason}\n`);
    project.provide('docker', status);
    return;
  }
  if (!status.compose) {
    const reason = 'neither docker-compose nor `docker compose` works';
    if (onCi) throw new Error(`global setup: Compose is required under CI=true: ${reason}`);
    console.warn(`\n⚠ Compose end-to-end tests will be skipped: ${reason}\n`);
  }

  const started = performance.now();
  const images = await buildImages({ localBase: true, bundle: false, verbose: false, log: () => {} });
  console.log(
    `global setup: images ready in ${Math.round(performance.now() - started)} ms\n${formatSizeReport(images)}`,
  );
  project.provide('docker', status);
}

async function findDocker(): Promise<DockerStatus> {
  const info = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  if (info.code !== 0) {
    const why = info.stderr.trim().split('\n').at(-1) || `exit ${info.code}`;
    return { available: false, reason: `\`docker info\` failed: ${why}` };
  }
  for (const compose of [['docker-compose'], ['docker', 'compose']]) {
    const version = await runCommand(compose[0]!, [...compose.slice(1), 'version'], { timeoutMs: 20_000 });
    if (version.code === 0) return { available: true, compose };
  }
  return { available: true };
}
