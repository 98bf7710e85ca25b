// The kustomize components of k8s/components/, rendered with the real kustomize (`kubectl kustomize`)
// over a user's own workloads that know nothing of the toolkit (test/fixtures/k8s-user-app/): each
// component alone and all five together, with the settings each component's header documents.
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  envPrefix,
  type OptionTable,
  type ProgramDefinition,
  parseOptions,
  programOptions,
} from '../packages/lifecycle/src/index.ts';
import { listPrograms, repoRoot } from '../scripts/programs.ts';
import {
  documentedSettings,
  KustomizeError,
  kustomizeBuild,
  kustomizeUnavailable,
  renderUserKustomization,
} from './helpers/kustomize.ts';
import { kubernetesProblems, loadYamlDocuments, podSpecOf, sidecarProblems } from './helpers/manifests.ts';

type Json = Record<string, unknown>;
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean } }[];
  volumeMounts?: { name: string; mountPath: string }[];
}

// One `kubectl kustomize` takes a few seconds on a loaded 2-core machine; it is bounded at 60 s.
const renderTimeout = 90_000;
const unavailable = kustomizeUnavailable();
if (unavailable && process.env.CI === 'true')
  throw new Error(`the component tests need kubectl: ${unavailable}`);

const sidecars = listPrograms().filter((program) => !program.internal);
const componentOf = (program: string) => `k8s/components/${program}`;
const fixtures = ['configmap.yaml', 'deployment.yaml', 'job.yaml'].map((file) =>
  join(repoRoot, 'test/fixtures/k8s-user-app', file),
);
const userDocuments = fixtures.flatMap((file) => loadYamlDocuments(file) as Json[]);
const userWorkloads = userDocuments.filter((document) => podSpecOf(document) !== undefined);
const keyOf = (document: Json) => `${document.kind}/${(document.metadata as Json).name}`;

/** The user's kustomization with the given components and the settings their headers document. */
function renderWith(programs: readonly string[]): Json[] {
  return renderUserKustomization({
    resources: fixtures,
    components: programs.map(componentOf),
    configMapGenerator: programs
      .map((program) => ({ name: `toolkit-${program}`, literals: documentedSettings(componentOf(program)) }))
      .filter((generator) => generator.literals.length > 0),
  }) as Json[];
}

const definitions = new Map<string, ProgramDefinition<OptionTable>>();
beforeAll(async () => {
  for (const program of listPrograms()) {
    definitions.set(program.name, (await import(join(program.dir, 'src', 'definition.ts'))).definition);
  }
});

/** The env a container gets: its envFrom ConfigMaps (as rendered, hash suffix and all), then env. */
function containerEnv(container: Container, rendered: Json[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef;
    if (!ref) continue;
    const configMap = rendered.find(
      (document) => document.kind === 'ConfigMap' && (document.metadata as Json).name === ref.name,
    );
    if (!configMap && !ref.optional)
      throw new Error(`${container.name}: envFrom ConfigMap ${ref.name} is not rendered`);
    Object.assign(env, (configMap?.data as Record<string, string> | undefined) ?? {});
  }
  for (const entry of container.env ?? []) env[entry.name] = entry.value ?? '';
  return env;
}

/** Every check a rendered user kustomization must pass with `programs` added. */
function expectComponentsApplied(rendered: Json[], programs: readonly string[], settings: readonly string[]) {
  for (const document of rendered) expect(kubernetesProblems(document), keyOf(document)).toEqual([]);

  for (const original of userWorkloads) {
    const key = keyOf(original);
    const output = rendered.find((document) => keyOf(document) === key);
    expect(output, key).toBeDefined();
    const before = podSpecOf(original)!;
    const after = podSpecOf(output)!;
    const annotations = ((original.metadata as Json).annotations ?? {}) as Record<string, string>;
    const added = programs.filter((program) => annotations[`sidecar-toolkit.io/${program}`] !== 'skip');
    if (added.length === 0) {
      expect(after, `${key} asked to be skipped`).toEqual(before);
      continue;
    }
    const inits = (after.initContainers ?? []) as Container[];
    for (const program of added) {
      const found = inits.filter((container) => container.name === program);
      expect(found, `${key}: ${program} once`).toHaveLength(1);
      expect(found[0]!.image).toBe(`toolkit/${program}:${sidecars.find((p) => p.name === program)!.version}`);
    }
    expect(inits.map((container) => container.name).sort(), key).toEqual([...added].sort());

    // The user's containers: the same, in the same order, but for the mounts of the shared volumes
    // (`toolkit-*`) added to the first one, the app.
    const containers = after.containers as Container[];
    const originalContainers = before.containers as Container[];
    expect(containers.map((container) => container.name)).toEqual(originalContainers.map((c) => c.name));
    containers.forEach((container, index) => {
      const { volumeMounts = [], ...rest } = container;
      const { volumeMounts: originalMounts = [], ...originalRest } = originalContainers[index]!;
      expect(rest, `${key}: container ${container.name}`).toEqual(originalRest);
      expect(volumeMounts.filter((mount) => !mount.name.startsWith('toolkit-'))).toEqual(originalMounts);
      if (index > 0) expect(volumeMounts).toEqual(originalMounts);
    });
    // The app sees each shared directory where the settings say.
    const appMounts = new Map(
      (containers[0]!.volumeMounts ?? []).map((mount) => [mount.mountPath, mount.name] as const),
    );
    for (const setting of settings.filter((line) => /^APP_[A-Z_]+_DIR=/.test(line))) {
      const path = setting.slice(setting.indexOf('=') + 1);
      expect(appMounts.get(path), `${key}: ${setting}`).toMatch(/^toolkit-/);
    }
    // The user's volumes, unchanged; every mount names a volume of the pod.
    const volumes = (after.volumes ?? []) as Json[];
    for (const volume of (before.volumes ?? []) as Json[]) expect(volumes).toContainEqual(volume);
    const volumeNames = new Set(volumes.map((volume) => volume.name));
    expect(volumeNames.size, `${key}: volume names are unique`).toBe(volumes.length);
    for (const container of [...inits, ...containers]) {
      for (const mount of container.volumeMounts ?? []) {
        expect(volumeNames.has(mount.name), `${key}: ${container.name} mounts ${mount.name}`).toBe(true);
      }
    }
    expect(sidecarProblems(after)).toEqual([]);
    if (added.includes('topz')) expect(after.shareProcessNamespace, key).toBe(true);
    else expect(after.shareProcessNamespace, key).toBe(before.shareProcessNamespace);

    // Each sidecar starts with flags and env its program accepts, and no misspelt env var.
    for (const container of inits) {
      const definition = definitions.get(container.name)!;
      const env = containerEnv(container, rendered);
      const prefix = envPrefix(container.name);
      const ownEnv = Object.fromEntries(
        Object.entries(env).filter(([name]) => name.startsWith(`${prefix}_`)),
      );
      // A secret named by a file is read at start, from a mount that is not here: name it only.
      for (const name of Object.keys(ownEnv)) if (/_FILE$/.test(name)) delete ownEnv[name];
      const parsed = parseOptions(container.name, programOptions(definition), container.args ?? [], ownEnv);
      expect(parsed.unknownEnv, `${key}: ${container.name}`).toEqual([]);
    }
  }
}

describe.skipIf(unavailable !== undefined)('kustomize components (k8s/components/)', () => {
  test('there is one per sidecar program', () => {
    expect(sidecars.map((program) => program.name)).toContain('topz');
    for (const program of sidecars) {
      const [document] = loadYamlDocuments(join(repoRoot, componentOf(program.name), 'kustomization.yaml'));
      expect(document).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component' });
    }
  });

  test.each(sidecars.map((program) => [program.name]))(
    '%s alone, over the user’s Deployment, Job and a StatefulSet that opts out',
    (program) => {
      const settings = documentedSettings(componentOf(program));
      expectComponentsApplied(renderWith([program]), [program], settings);
    },
    renderTimeout,
  );

  test(
    'all five together',
    () => {
      const programs = sidecars.map((program) => program.name);
      const settings = programs.flatMap((program) => documentedSettings(componentOf(program)));
      expectComponentsApplied(renderWith(programs), programs, settings);
    },
    renderTimeout,
  );

  test(
    'a component whose settings are missing fails with kustomize’s message naming them',
    () => {
      expect(() =>
        renderUserKustomization({ resources: fixtures, components: [componentOf('log-forwarder')] }),
      ).toThrow(/toolkit-log-forwarder[\s\S]*APP_LOG_DIR/);
      expect(() =>
        renderUserKustomization({
          resources: fixtures,
          components: [componentOf('tls-proxy')],
          configMapGenerator: [
            { name: 'toolkit-tls-proxy', literals: ['TLS_PROXY_UPSTREAM=http://127.0.0.1:8080'] },
          ],
        }),
      ).toThrow(KustomizeError);
    },
    renderTimeout,
  );

  test('k8s/demo: the demo app with all five sidecars from the components', () => {
    const rendered = kustomizeBuild(join(repoRoot, 'k8s/demo')) as Json[];
    for (const document of rendered) expect(kubernetesProblems(document), keyOf(document)).toEqual([]);
    const deployment = rendered.find((document) => keyOf(document) === 'Deployment/toolkit-demo')!;
    const spec = podSpecOf(deployment)!;
    expect(((spec.initContainers ?? []) as Container[]).map((c) => c.name).sort()).toEqual(
      sidecars.map((program) => program.name).sort(),
    );
    expect((spec.containers as Container[]).map((c) => c.name)).toEqual(['app']);
    expect(spec.shareProcessNamespace).toBe(true);
    expect(sidecarProblems(spec)).toEqual([]);
    for (const container of spec.initContainers as Container[]) {
      const env = containerEnv(container, rendered);
      const ownEnv = Object.fromEntries(
        Object.entries(env).filter(
          ([name]) => name.startsWith(`${envPrefix(container.name)}_`) && !name.endsWith('_FILE'),
        ),
      );
      const parsed = parseOptions(
        container.name,
        programOptions(definitions.get(container.name)!),
        container.args ?? [],
        ownEnv,
      );
      expect(parsed.unknownEnv, container.name).toEqual([]);
    }
    // The app's directories are the shared volumes its args name.
    const app = (spec.containers as Container[])[0]!;
    expect(app.volumeMounts?.map((mount) => mount.mountPath).sort()).toEqual([
      '/config',
      '/logs',
      '/repo',
      '/tmp',
    ]);
  });
});
