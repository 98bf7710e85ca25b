// The OCI labels every Dockerfile declares, as build args.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectLicense, repoRoot } from '../programs.ts';
import { spawnSyncText } from './processes.ts';

/** Build args for the OCI labels every Dockerfile declares (VERSION is per program). */
export function labelArgs(): Record<string, string> {
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
