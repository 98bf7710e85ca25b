import {
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** Ten JSON files of 4 KB each, all stamped with one revision. */
export function configMapFiles(revision: number, count = 10, bytes = 4096): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const head = `{"revision":${revision},"file":${i},"pad":"`;
    files[`file-${i}.json`] = `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
  }
  return files;
}

/**
 * Lays out or updates `dir` as the kubelet's AtomicWriter does a ConfigMap volume: the new version in a
 * `..<timestamp>` directory, a `..data_tmp` link to it renamed over `..data`, top-level `name →
 * ..data/name` links made once, then the old version removed. Returns the time of the rename, the
 * moment the new version becomes visible.
 */
export function swapConfigMap(dir: string, files: Record<string, string>): number {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:.]/g, '_');
  const version = `..${stamp}.${process.hrtime.bigint().toString(36)}`;
  mkdirSync(join(dir, version));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, version, name), content);
  let previous: string | undefined;
  try {
    previous = readlinkSync(join(dir, '..data'));
  } catch {
    previous = undefined;
  }
  symlinkSync(version, join(dir, '..data_tmp'));
  const swappedAt = performance.now();
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  const present = new Set(readdirSync(dir));
  for (const name of Object.keys(files)) {
    if (!present.has(name)) symlinkSync(join('..data', name), join(dir, name));
  }
  if (previous) rmSync(join(dir, previous), { recursive: true, force: true });
  return swappedAt;
}
