// The Compose files and Kubernetes manifests, checked without running them: Compose against the Compose
// Specification schema, Kubernetes with kubernetes-models, and the toolkit's own rules for sidecars.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
import { dockerfileProblems } from './helpers/dockerfiles.ts';
import {
  compileComposeSchema,
  composeProblems,
  interpolateDefaults,
  isKustomization,
  k8sDirectories,
  kubernetesProblems,
  kustomizationProblems,
  loadYamlDocuments,
  podSpecOf,
  rel,
  sidecarProblems,
  sidecarProgramOf,
  yamlFiles,
} from './helpers/manifests.ts';

const composeFiles = yamlFiles(join(repoRoot, 'compose'));
// The components (k8s/components/) are partial manifests: test/components.test.ts renders them.
const k8sFiles = yamlFiles(join(repoRoot, 'k8s')).filter((file) => !rel(file).startsWith('k8s/components/'));
const workloads = k8sFiles
  .filter((file) => !isKustomization(file))
  .flatMap((file) => loadYamlDocuments(file).map((document) => ({ file, document })))
  .filter(({ document }) => podSpecOf(document) !== undefined);

/** A deep copy to break on purpose. */
const copy = <T>(value: T): T => structuredClone(value);

describe('Dockerfiles', () => {
  const programs = listPrograms();
  const imageDirs = readdirSync(join(repoRoot, 'images'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const dockerfile = (name: string) => join(repoRoot, 'images', name, 'Dockerfile');

  test('each images/<dir> is a program’s, with a Dockerfile; topz has one', () => {
    expect(imageDirs).toContain('topz');
    for (const dir of imageDirs) {
      expect(programs.map((p) => p.name)).toContain(dir);
      expect(existsSync(dockerfile(dir))).toBe(true);
    }
  });

  test.each(
    programs.filter((p) => imageDirs.includes(p.name)).map((p) => [`images/${p.name}/Dockerfile`, p]),
  )('%s follows the image pattern', (_, program) => {
    expect(dockerfileProblems(program, readFileSync(dockerfile(program.name), 'utf8'))).toEqual([]);
  });

  test('a Dockerfile off the pattern is reported', () => {
    const topz = programs.find((p) => p.name === 'topz')!;
    const text = readFileSync(dockerfile('topz'), 'utf8')
      .replace('ARG BASE_IMAGE=node:24-bookworm-slim', 'ARG BASE=node:24')
      .replace('USER 65532:65532', 'USER nonroot')
      .replace(/CMD \["node", "-e",/, 'CMD node -e')
      .replace('org.opencontainers.image.revision=', 'org.opencontainers.image.rev=');
    expect(dockerfileProblems(topz, text)).toEqual([
      'no `ARG BASE_IMAGE=<default>` before FROM',
      'the user is not the numeric 65532:65532',
      'no exec-form HEALTHCHECK run by node (CMD ["node", ...])',
      'no org.opencontainers.image.revision label',
    ]);
  });
});

describe('Compose files', () => {
  const validate = compileComposeSchema();

  test('there are some', () => {
    expect(composeFiles.map(rel)).toContain('compose/topz.yaml');
  });

  test.each(composeFiles.map((file) => [rel(file), file]))(
    '%s follows the Compose Specification',
    (_, file) => {
      const documents = loadYamlDocuments(file);
      expect(documents).toHaveLength(1);
      expect(composeProblems(documents[0], validate)).toEqual([]);
    },
  );

  test('a broken file is rejected: an unknown service key, a wrong type, a top-level name and version', () => {
    const [document] = loadYamlDocuments(join(repoRoot, 'compose/topz.yaml')) as [
      { services: Record<string, Record<string, unknown>> },
    ];
    const unknownKey = copy(document);
    unknownKey.services.topz!.pid_mode = 'service:app';
    expect(composeProblems(unknownKey, validate).join('\n')).toMatch(/additional properties/);
    const wrongType = copy(document);
    wrongType.services.topz!.read_only = { yes: true };
    expect(composeProblems(wrongType, validate)).not.toEqual([]);
    const named = { name: 'topz', version: '3.9', ...copy(document) };
    expect(composeProblems(named, validate)).toEqual([
      expect.stringMatching(/`name:`/),
      expect.stringMatching(/`version:`/),
    ]);
  });

  test('interpolation: defaults are used, as with no variable set', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's interpolation syntax, in plain strings.
    expect(interpolateDefaults({ a: ['127.0.0.1:${TOPZ_PORT:-8080}:8080', '${X-y}', '${UNSET}'] })).toEqual({
      a: ['127.0.0.1:8080:8080', 'y', ''],
    });
  });

  test.each(composeFiles.map((file) => [rel(file), file]))(
    '%s: every service runs hardened and publishes on loopback only',
    (_, file) => {
      const [document] = loadYamlDocuments(file) as [{ services: Record<string, Record<string, unknown>> }];
      for (const [name, service] of Object.entries(document.services)) {
        const where = `${rel(file)}: service ${name}`;
        expect(service.read_only, where).toBe(true);
        expect(service.cap_drop, where).toEqual(['ALL']);
        expect(service.security_opt, where).toContain('no-new-privileges:true');
        // Unset, the image's own user applies: every toolkit image is USER 65532 (checked above).
        if (service.user !== undefined) expect(service.user, where).toBe('65532:65532');
        for (const port of (service.ports as string[] | undefined) ?? [])
          expect(port, where).toMatch(/^127\.0\.0\.1:/);
      }
    },
  );

  test('compose/demo.yaml: the app and all five sidecars, which share its PID and network namespaces', () => {
    const [document] = loadYamlDocuments(join(repoRoot, 'compose/demo.yaml')) as [
      { services: Record<string, Record<string, unknown>> },
    ];
    const sidecars = listPrograms()
      .filter((p) => !p.internal)
      .map((p) => p.name);
    expect(Object.keys(document.services).sort()).toEqual(['app', ...sidecars].sort());
    for (const name of sidecars) {
      expect(document.services[name], name).toMatchObject({
        pid: 'service:app',
        network_mode: 'service:app',
      });
      expect(String(document.services[name]!.image)).toContain(`toolkit/${name}:`);
    }
  });

  test('compose/topz.yaml: topz joins the app’s PID namespace, hardened, published on loopback only', () => {
    const [document] = loadYamlDocuments(join(repoRoot, 'compose/topz.yaml')) as [
      { services: Record<string, Record<string, unknown>> },
    ];
    const topz = document.services.topz!;
    expect(topz.pid).toBe('service:app');
    expect(topz).toMatchObject({ read_only: true, cap_drop: ['ALL'], user: '65532:65532' });
    for (const service of Object.values(document.services)) {
      for (const port of (service.ports as string[] | undefined) ?? [])
        expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });
});

describe('every toolkit container in compose/ and k8s/ is started with flags its program accepts', () => {
  const definitions = new Map<string, ProgramDefinition<OptionTable>>();
  beforeAll(async () => {
    for (const program of listPrograms()) {
      const module = await import(join(program.dir, 'src', 'definition.ts'));
      definitions.set(program.name, module.definition);
    }
  });
  const starts: [string, string, string[], Record<string, string>][] = [];
  for (const file of composeFiles) {
    const [document] = loadYamlDocuments(file).map(interpolateDefaults) as [
      {
        services: Record<
          string,
          { image?: string; command?: string[]; environment?: Record<string, string> }
        >;
      },
    ];
    for (const [name, service] of Object.entries(document.services)) {
      const program = /^toolkit\/([a-z0-9-]+):/.exec(String(service.image))?.[1];
      if (program)
        starts.push([`${rel(file)} ${name}`, program, service.command ?? [], service.environment ?? {}]);
    }
  }
  for (const { file, document } of workloads) {
    const spec = podSpecOf(document)!;
    for (const container of [
      ...((spec.initContainers as unknown[]) ?? []),
      ...((spec.containers as unknown[]) ?? []),
    ] as { name: string; image: string; args?: string[] }[]) {
      const program = /^toolkit\/([a-z0-9-]+):/.exec(container.image)?.[1];
      if (program) starts.push([`${rel(file)} ${container.name}`, program, container.args ?? [], {}]);
    }
  }
  test.each(starts)('%s (%s)', (_, program, args, env) => {
    const definition = definitions.get(program);
    expect(definition, `no program ${program}`).toBeDefined();
    // Secrets named by a file are read at start, from a mount that is not here: name them only.
    const withoutSecretFiles = args.filter((arg) => !/^--[a-z-]+-file=\/(etc|run|var\/run)\//.test(arg));
    const prefix = envPrefix(program);
    const ownEnv = Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith(prefix)));
    expect(() =>
      parseOptions(program, programOptions(definition!), withoutSecretFiles, ownEnv),
    ).not.toThrow();
  });
});

describe('Kubernetes manifests', () => {
  test('there are some', () => {
    expect(k8sFiles.map(rel)).toEqual(expect.arrayContaining(['k8s/topz/deployment.yaml']));
  });

  const documents = k8sFiles
    .filter((file) => !isKustomization(file))
    .flatMap((file) =>
      loadYamlDocuments(file).map((document, index) => [`${rel(file)} #${index + 1}`, document]),
    );
  test.each(documents)('%s validates with kubernetes-models', (_, document) => {
    expect(kubernetesProblems(document)).toEqual([]);
  });

  test.each(k8sFiles.filter(isKustomization).map((file) => [rel(file), file]))(
    '%s lists files that exist',
    (_, file) => {
      const [document] = loadYamlDocuments(file);
      expect(kustomizationProblems(file, document)).toEqual([]);
    },
  );

  test.each(k8sDirectories().map((dir) => [`k8s/${dir}`, dir]))('%s has a kustomization.yaml', (_, dir) => {
    expect(k8sFiles.map(rel)).toContain(`k8s/${dir}/kustomization.yaml`);
  });

  test.each(workloads.map(({ file, document }) => [rel(file), document]))(
    '%s: toolkit sidecars are native, probed, bounded and hardened',
    (_, document) => {
      expect(sidecarProblems(podSpecOf(document)!)).toEqual([]);
    },
  );

  test.each(
    k8sDirectories()
      .filter((dir) => listPrograms().some((program) => program.name === dir))
      .map((dir) => [dir]),
  )('k8s/%s runs its program as a sidecar', (program) => {
    const sidecars = workloads
      .filter(({ file }) => rel(file).startsWith(`k8s/${program}/`))
      .flatMap(
        ({ document }) => (podSpecOf(document)!.initContainers as { image: string }[] | undefined) ?? [],
      )
      .map((container) => sidecarProgramOf(container.image));
    expect(sidecars).toContain(program);
  });

  test('k8s/topz: the pod shares one PID namespace', () => {
    const pods = workloads
      .filter(({ file }) => rel(file).startsWith('k8s/topz/'))
      .map(({ document }) => podSpecOf(document)!);
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) expect(pod.shareProcessNamespace).toBe(true);
  });

  describe('the checks fail when they should', () => {
    const deployment = loadYamlDocuments(join(repoRoot, 'k8s/topz/deployment.yaml'))[0] as {
      spec: { replicas: unknown; template: { spec: Record<string, unknown> } };
    };
    const sidecar = (doc: typeof deployment) =>
      (doc.spec.template.spec.initContainers as Record<string, unknown>[]).find((c) => c.name === 'topz')!;

    test('a wrong type and a missing required field are rejected by kubernetes-models', () => {
      const wrongType = copy(deployment);
      wrongType.spec.replicas = 'two';
      expect(kubernetesProblems(wrongType).join('\n')).toMatch(/replicas must be integer/);
      const unnamed = copy(deployment);
      delete sidecar(unnamed).name;
      expect(kubernetesProblems(unnamed).join('\n')).toMatch(
        /initContainers\/0 must have required property name/,
      );
    });

    test('an unknown kind is rejected', () => {
      expect(kubernetesProblems({ apiVersion: 'example.com/v1', kind: 'Widget' })).toEqual([
        expect.stringMatching(/no model/),
      ]);
    });

    test('a sidecar that is not native, unprobed, unbounded or not hardened is reported', () => {
      const broken = copy(deployment);
      const topz = sidecar(broken);
      delete topz.restartPolicy;
      delete topz.livenessProbe;
      delete (topz.resources as { limits?: unknown }).limits;
      (topz.securityContext as Record<string, unknown>).readOnlyRootFilesystem = false;
      (topz.securityContext as Record<string, unknown>).capabilities = { add: ['SYS_PTRACE'] };
      topz.volumeMounts = [];
      topz.image = 'toolkit/topz:9.9.9';
      const problems = sidecarProblems(broken.spec.template.spec).join('\n');
      for (const expected of [
        /restartPolicy is not Always/,
        /no livenessProbe/,
        /no resources.limits.cpu/,
        /readOnlyRootFilesystem is not true/,
        /capabilities.drop lacks ALL/,
        /nothing mounted on \/tmp/,
        /package version is/,
      ]) {
        expect(problems).toMatch(expected);
      }
    });

    test('a toolkit sidecar among the main containers is reported', () => {
      const moved = copy(deployment);
      const spec = moved.spec.template.spec;
      spec.containers = [...(spec.containers as unknown[]), sidecar(moved)];
      expect(sidecarProblems(spec).join('\n')).toMatch(/a toolkit sidecar in containers/);
    });

    test('a kustomization that lists a missing file is reported', () => {
      const file = join(repoRoot, 'k8s/topz/kustomization.yaml');
      expect(
        kustomizationProblems(file, { kind: 'Kustomization', resources: ['deployment.yaml', 'nope.yaml'] }),
      ).toEqual(['lists nope.yaml, which does not exist']);
    });
  });
});
