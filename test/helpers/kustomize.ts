// Renders kustomizations with the real kustomize of `kubectl kustomize`, in a temporary directory laid
// out the way a user's own repository would be.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from '../../scripts/programs.ts';

/** Why `kubectl kustomize` cannot run here, or undefined when it can. */
export function kustomizeUnavailable(): string | undefined {
  const result = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 20_000 });
  if (result.error) return `kubectl is not installed (${result.error.message})`;
  return result.status === 0 ? undefined : `kubectl version --client failed: ${result.stderr}`;
}

export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

/** `kubectl kustomize dir`, parsed; a failure throws a KustomizeError with kustomize's message. */
export function kustomizeBuild(dir: string): Record<string, unknown>[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new KustomizeError(`kubectl kustomize ${dir}: ${result.error?.message ?? result.stderr.trim()}`);
  }
  return parseAllDocuments(result.stdout).map((document) => document.toJS());
}

export interface UserKustomization {
  /** Files copied in and listed as resources. */
  resources: string[];
  /** Directories of the repository (k8s/components/topz), listed as components by a relative path. */
  components: string[];
  configMapGenerator?: { name: string; literals: string[] }[];
}

/**
 * Writes a user's kustomization (their files copied beside it, kustomize's load restrictions honoured)
 * into a fresh temporary directory, renders it, and removes the directory.
 */
export function renderUserKustomization(kustomization: UserKustomization): Record<string, unknown>[] {
  const dir = mkdtempSync(join(tmpdir(), 'toolkit-kustomize-'));
  try {
    for (const file of kustomization.resources) cpSync(file, join(dir, basename(file)));
    const document = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: kustomization.resources.map((file) => basename(file)),
      components: kustomization.components.map((component) => relative(dir, join(repoRoot, component))),
      ...(kustomization.configMapGenerator?.length
        ? { configMapGenerator: kustomization.configMapGenerator }
        : {}),
    };
    writeFileSync(join(dir, 'kustomization.yaml'), stringify(document));
    return kustomizeBuild(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The settings a component's header documents for the user's kustomization: the `- KEY=VALUE` lines of
 * its commented `configMapGenerator` example (what a user copies), without their trailing comments.
 */
export function documentedSettings(component: string): string[] {
  const text = readFileSync(join(repoRoot, component, 'kustomization.yaml'), 'utf8');
  const header = text.slice(0, text.indexOf('\napiVersion:'));
  return [...header.matchAll(/^#\s+- ([A-Z][A-Z0-9_]*=\S+)/gm)].map((match) => match[1]!);
}
