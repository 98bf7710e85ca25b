import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, PersistentVolumeClaim, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { listPrograms, repoRoot } from '../../scripts/programs.ts';

// ajv-formats is CommonJS: the plugin is module.exports, which TypeScript types as the namespace.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

/** Files under `dir` (recursively) whose names end in .yaml or .yml, sorted. */
export function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => join(dir, file))
    .sort();
}

export const rel = (file: string) => relative(repoRoot, file);

/**
 * Every YAML document of a file, parsed; a syntax error or warning throws. Merge keys (`<<: *anchor`)
 * are resolved, as Compose (v1 and v2) and kubectl resolve them.
 */
export function loadYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'), { prettyErrors: true, merge: true }).map(
    (document) => {
      const problem = document.errors[0] ?? document.warnings[0];
      if (problem) throw new Error(`${rel(file)}: ${problem.message}`);
      return document.toJS();
    },
  );
}

// --- Compose ---------------------------------------------------------------------------------------

export const composeSchemaPath = join(repoRoot, '..', 'shared', 'schemas', 'compose-spec.json');

/** Compiles the Compose Specification schema (draft-07) with formats; throws clearly when it is absent. */
export function compileComposeSchema(): ValidateFunction {
  if (!existsSync(composeSchemaPath)) {
    throw new Error(
      `the Compose Specification schema is missing at ${composeSchemaPath}: ` +
        'the manifest tests expect the shared/ directory beside the repository (shared/schemas/compose-spec.json)',
    );
  }
  const schema = JSON.parse(readFileSync(composeSchemaPath, 'utf8'));
  // The schema names its meta-schema https://json-schema.org/draft-07/schema, which is draft-07 (ajv's
  // default) under another address: validate against draft-07 as it is registered in ajv.
  if (schema.$schema === 'https://json-schema.org/draft-07/schema') {
    schema.$schema = 'http://json-schema.org/draft-07/schema#';
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/**
 * Substitutes `${VAR}`, `${VAR:-default}` and `${VAR-default}` the way Compose does when none of the
 * variables is set, so the file is validated as `docker compose` would see it by default.
 */
export function interpolateDefaults(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
      (_, _name, fallback) => fallback ?? '',
    );
  }
  if (Array.isArray(value)) return value.map(interpolateDefaults);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDefaults(item)]));
  }
  return value;
}

/** Problems with one Compose file: schema errors, and the top-level keys docker-compose 1.x refuses. */
export function composeProblems(document: unknown, validate: ValidateFunction): string[] {
  const problems: string[] = [];
  if (!validate(interpolateDefaults(document))) {
    for (const error of validate.errors ?? []) {
      problems.push(`${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
    }
  }
  if (document && typeof document === 'object') {
    for (const key of ['name', 'version']) {
      if (key in document)
        problems.push(`top-level \`${key}:\` (docker-compose 1.x refuses name; version is obsolete)`);
    }
  }
  return problems;
}

// --- Kubernetes ------------------------------------------------------------------------------------

interface KubernetesModel {
  // `never`: each model takes its own data type; documents from YAML are checked at run time instead.
  new (data: never): { validate(): void };
  apiVersion: string;
  kind: string;
}

const models: KubernetesModel[] = [
  Deployment,
  StatefulSet,
  DaemonSet,
  Job,
  CronJob,
  Pod,
  Service,
  ConfigMap,
  Secret,
  ServiceAccount,
  PersistentVolumeClaim,
  Role,
  RoleBinding,
  ClusterRole,
  ClusterRoleBinding,
  NetworkPolicy,
  Ingress,
  PodDisruptionBudget,
];

/** Validates one document with its kubernetes-models class; unknown kinds are problems too. */
export function kubernetesProblems(document: unknown): string[] {
  const { apiVersion, kind } = (document ?? {}) as { apiVersion?: string; kind?: string };
  const Model = models.find((model) => model.apiVersion === apiVersion && model.kind === kind);
  if (!Model)
    return [`no model for apiVersion ${apiVersion} kind ${kind}: add it to test/helpers/manifests.ts`];
  try {
    new Model(document as never).validate();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

/** Problems with a kustomization.yaml: every file it lists must exist beside it. */
export function kustomizationProblems(file: string, document: unknown): string[] {
  const doc = (document ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (doc.kind !== 'Kustomization') problems.push(`kind is ${String(doc.kind)}, expected Kustomization`);
  const listed = ['resources', 'patches', 'components', 'configurations'].flatMap((key) => {
    const entries = doc[key];
    if (entries === undefined) return [];
    if (!Array.isArray(entries)) {
      problems.push(`${key} is not a list`);
      return [];
    }
    return entries.map((entry) => (typeof entry === 'string' ? entry : (entry as { path?: string }).path));
  });
  if (!Array.isArray(doc.resources) || doc.resources.length === 0) problems.push('lists no resources');
  for (const entry of listed) {
    if (entry && !existsSync(join(dirname(file), entry)))
      problems.push(`lists ${entry}, which does not exist`);
  }
  return problems;
}

type Json = Record<string, unknown>;
const asJson = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});

/** The pod spec of a workload document, if it has one. */
export function podSpecOf(document: unknown): Json | undefined {
  const doc = asJson(document);
  const spec = asJson(doc.spec);
  switch (doc.kind) {
    case 'Pod':
      return spec;
    case 'CronJob':
      return asJson(asJson(asJson(asJson(spec.jobTemplate).spec).template).spec);
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return asJson(asJson(spec.template).spec);
    default:
      return undefined;
  }
}

/** Toolkit program images (`toolkit/<program>:<tag>`) other than the demo app are sidecars. */
export function sidecarProgramOf(image: unknown): string | undefined {
  const match = /^toolkit\/([a-z0-9-]+)(?::[^/]+)?$/.exec(String(image));
  return match && match[1] !== 'demo-app' ? match[1] : undefined;
}

/**
 * Problems with the toolkit containers of one pod spec: every program sidecar must be a native sidecar
 * (an init container with restartPolicy Always) with startup, readiness and liveness probes, requests
 * and limits, the hardened securityContext, a writable /tmp, and an image tag equal to its version.
 */
export function sidecarProblems(podSpec: Json): string[] {
  const problems: string[] = [];
  const versions = new Map(listPrograms().map((program) => [program.name, program.version]));
  const podSecurity = asJson(podSpec.securityContext);
  const volumes = new Set(
    (Array.isArray(podSpec.volumes) ? podSpec.volumes : []).map((volume) => asJson(volume).name),
  );
  const containers = (key: string) => (Array.isArray(podSpec[key]) ? (podSpec[key] as unknown[]) : []);

  for (const container of containers('containers').map(asJson)) {
    if (sidecarProgramOf(container.image)) {
      problems.push(`${container.name}: a toolkit sidecar in containers; declare it in initContainers`);
    }
  }
  for (const container of [...containers('containers'), ...containers('initContainers')].map(asJson)) {
    const tag = /^toolkit\/([a-z0-9-]+):(.+)$/.exec(String(container.image));
    if (tag && versions.has(tag[1]!) && tag[2] !== versions.get(tag[1]!)) {
      problems.push(
        `${container.name}: image ${container.image}, but the package version is ${versions.get(tag[1]!)}`,
      );
    }
  }
  for (const container of containers('initContainers').map(asJson)) {
    const program = sidecarProgramOf(container.image);
    if (!program) continue;
    const where = `${container.name} (${program})`;
    // A run-to-completion step (config-syncer's `--once`, repo-updater's `--one-time`, before its
    // sidecar): no restartPolicy and no probes, but the same resources and hardening.
    const args = Array.isArray(container.args) ? container.args.map(String) : [];
    const oneShot =
      container.restartPolicy === undefined && (args.includes('--once') || args.includes('--one-time'));
    if (!oneShot) {
      if (container.restartPolicy !== 'Always') problems.push(`${where}: restartPolicy is not Always`);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        if (!container[probe]) problems.push(`${where}: no ${probe}`);
      }
    }
    const resources = asJson(container.resources);
    for (const kind of ['requests', 'limits']) {
      const amounts = asJson(resources[kind]);
      for (const resource of ['cpu', 'memory']) {
        if (amounts[resource] === undefined) problems.push(`${where}: no resources.${kind}.${resource}`);
      }
    }
    const security = asJson(container.securityContext);
    const effective = (key: string) => (key in security ? security[key] : podSecurity[key]);
    if (effective('runAsNonRoot') !== true) problems.push(`${where}: runAsNonRoot is not true`);
    if (effective('runAsUser') !== 65532) problems.push(`${where}: runAsUser is not 65532`);
    if (security.readOnlyRootFilesystem !== true)
      problems.push(`${where}: readOnlyRootFilesystem is not true`);
    if (security.allowPrivilegeEscalation !== false) {
      problems.push(`${where}: allowPrivilegeEscalation is not false`);
    }
    const capabilities = asJson(security.capabilities);
    if (!Array.isArray(capabilities.drop) || !capabilities.drop.includes('ALL')) {
      problems.push(`${where}: capabilities.drop lacks ALL`);
    }
    if (asJson(effective('seccompProfile')).type !== 'RuntimeDefault') {
      problems.push(`${where}: seccompProfile is not RuntimeDefault`);
    }
    const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts.map(asJson) : [];
    const tmp = mounts.find((mount) => mount.mountPath === '/tmp');
    if (!tmp) problems.push(`${where}: nothing mounted on /tmp (the root filesystem is read-only)`);
    else if (!volumes.has(tmp.name))
      problems.push(`${where}: /tmp mounts ${String(tmp.name)}, no such volume`);
  }
  return problems;
}

/** The directories under k8s/, one per demo (named after the program it shows); not k8s/components/. */
export function k8sDirectories(): string[] {
  const dir = join(repoRoot, 'k8s');
  return existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name !== 'components')
        .map((entry) => entry.name)
    : [];
}

export const isKustomization = (file: string) => /^kustomization\.ya?ml$/.test(basename(file));
