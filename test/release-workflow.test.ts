// The release pipeline, which cannot run here: .github/workflows/ validated by GitHub's own workflow
// parser and schema (@actions/workflow-parser, from npm), its images and platforms checked to be the set
// `pnpm images` builds, and the release notes and tag checks it runs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { dockerfileOf } from '../scripts/images/index.ts';
import { imageRepository, listPrograms, repoRoot } from '../scripts/programs.ts';
import { imagePlatforms, ReleaseError, releaseNotes, tagProblems, versionOfTag } from '../scripts/release.ts';

const workflowsDir = join(repoRoot, '.github', 'workflows');
const workflowFiles = readdirSync(workflowsDir).filter((file) => /\.ya?ml$/.test(file));

/** What GitHub would say of a workflow file: the parser's errors, none for a valid one. */
function workflowErrors(name: string, content: string): string[] {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((error) => error.message);
}

type Json = Record<string, any>;
const release = parse(readFileSync(join(workflowsDir, 'release.yml'), 'utf8')) as Json;
const steps = (job: string) => release.jobs[job].steps as Json[];
const step = (job: string, uses: string) => steps(job).find((s) => String(s.uses ?? '').startsWith(uses));
/** What `pnpm images` builds: every program with images/<program>/Dockerfile. */
const imagePrograms = listPrograms()
  .filter((program) => existsSync(dockerfileOf(program.name)))
  .map((program) => program.name);

describe('.github/workflows/ as GitHub parses them', () => {
  test.each(workflowFiles)('%s is a valid workflow', (file) => {
    expect(workflowErrors(file, readFileSync(join(workflowsDir, file), 'utf8'))).toEqual([]);
  });

  test('a broken workflow is rejected: an unknown job key, an unknown permission, no runs-on', () => {
    const broken = structuredClone(release);
    broken.jobs.images.permisions = { packages: 'write' };
    expect(workflowErrors('broken.yml', stringify(broken)).join('\n')).toMatch(/permisions/);
    const badPermission = structuredClone(release);
    badPermission.jobs.images.permissions['id-tokens'] = 'write';
    expect(workflowErrors('broken.yml', stringify(badPermission)).join('\n')).toMatch(/id-tokens/);
    const noRunner = structuredClone(release);
    delete noRunner.jobs.release['runs-on'];
    expect(workflowErrors('broken.yml', stringify(noRunner))).not.toEqual([]);
  });
});

describe('.github/workflows/release.yml', () => {
  test('runs on a version tag only', () => {
    expect(Object.keys(release.on)).toEqual(['push']);
    expect(release.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
  });

  test('tests as the README does before building, and releases after the images', () => {
    expect(
      steps('test')
        .map((s) => s.run ?? '')
        .join('\n'),
    ).toContain('bash scripts/run.sh test');
    expect(release.jobs.test.env.CI).toBe('true');
    expect(release.jobs.images.needs).toBe('test');
    expect(release.jobs.release.needs).toBe('images');
  });

  test('builds every image `pnpm images` builds, and only those, for the platforms it names', () => {
    expect([...release.jobs.images.strategy.matrix.program].sort()).toEqual([...imagePrograms].sort());
    const build = step('images', 'docker/build-push-action')!;
    expect(build.with.file).toBe('images/${{ matrix.program }}/Dockerfile');
    expect(String(build.with.platforms).split(',')).toEqual([...imagePlatforms]);
    expect(step('images', 'docker/setup-qemu-action')).toBeDefined();
    expect(step('images', 'docker/setup-buildx-action')).toBeDefined();
    // The Dockerfiles' own default base, the official Node image, is what it builds on (no BASE_IMAGE).
    expect(String(build.with['build-args'])).not.toContain('BASE_IMAGE');
    for (const program of imagePrograms) {
      expect(readFileSync(dockerfileOf(program), 'utf8')).toMatch(/^ARG BASE_IMAGE=node:24-bookworm-slim$/m);
    }
  });

  test('pushes <registry>/<namespace>/<program>, ghcr.io/<owner> unless repository variables say otherwise', () => {
    expect(release.env.REGISTRY).toBe("${{ vars.IMAGE_REGISTRY || 'ghcr.io' }}");
    expect(release.env.NAMESPACE).toBe('${{ vars.IMAGE_NAMESPACE || github.repository_owner }}');
    const meta = step('images', 'docker/metadata-action')!;
    expect(meta.with.images).toBe('${{ env.REGISTRY }}/${{ env.NAMESPACE }}/${{ matrix.program }}');
    expect(String(meta.with.tags).trim().split('\n')).toEqual([
      'type=semver,pattern={{version}}',
      'type=semver,pattern={{major}}.{{minor}}',
      'type=raw,value=latest',
    ]);
    // The same names as `pnpm images` gives with the same two settings, and toolkit/<program> without.
    expect(
      imageRepository('topz', { TOOLKIT_IMAGE_REGISTRY: 'ghcr.io', TOOLKIT_IMAGE_NAMESPACE: 'Acme' }),
    ).toBe('ghcr.io/acme/topz');
    expect(imageRepository('topz', {})).toBe('toolkit/topz');
    expect(() => imageRepository('topz', { TOOLKIT_IMAGE_REGISTRY: 'ghcr.io' })).toThrow(/both/);
  });

  test('with SBOM and provenance attestations, the OCI labels, and keyless cosign signing by digest', () => {
    const build = step('images', 'docker/build-push-action')!;
    expect(build.with).toMatchObject({ push: true, sbom: true, provenance: 'mode=max' });
    for (const arg of ['VERSION', 'REVISION', 'CREATED', 'SOURCE', 'LICENSES']) {
      expect(String(build.with['build-args'])).toMatch(new RegExp(`^${arg}=`, 'm'));
    }
    expect(release.jobs.images.permissions).toMatchObject({ packages: 'write', 'id-token': 'write' });
    expect(step('images', 'sigstore/cosign-installer')).toBeDefined();
    const sign = steps('images').find((s) => String(s.run ?? '').startsWith('cosign sign'))!;
    expect(sign.run).toContain('--yes');
    expect(sign.env.DIGEST).toBe('${{ steps.build.outputs.digest }}');
    expect(release.permissions).toEqual({ contents: 'read' });
  });

  test('release notes from CHANGELOG.md, and a tag that is every program’s version', () => {
    const runs = [...steps('test'), ...steps('release')].map((s) => String(s.run ?? '')).join('\n');
    expect(runs).toContain('node scripts/release.ts check "$GITHUB_REF_NAME"');
    expect(runs).toContain('node scripts/release.ts notes "$GITHUB_REF_NAME" > release-notes.md');
    expect(runs).toContain('--notes-file release-notes.md');
    const changelog = readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8');
    const versions = new Set(listPrograms().map((program) => program.version));
    expect(versions.size).toBe(1);
    const [version] = versions;
    expect(tagProblems(`v${version}`)).toEqual([]);
    expect(releaseNotes(changelog, version!)).toMatch(/^The first release|\S/);
    expect(tagProblems('v9.9.9')).toHaveLength(listPrograms().length);
  });

  test('the release script refuses what it should', () => {
    expect(() => versionOfTag('1.2.3')).toThrow(ReleaseError);
    expect(() => versionOfTag('v1.2')).toThrow(/expected vX\.Y\.Z/);
    const changelog = '# Changelog\n\n## [1.1.0] - 2026-12-03\n\n- b\n\n## [1.0.0]\n\n- a\n\n## [0.9.0]\n';
    expect(releaseNotes(changelog, '1.1.0')).toBe('- b');
    expect(releaseNotes(changelog, '1.0.0')).toBe('- a');
    expect(() => releaseNotes(changelog, '0.9.0')).toThrow(/empty/);
    expect(() => releaseNotes(changelog, '2.0.0')).toThrow(/no "## \[2\.0\.0\]" section/);
  });
});

describe('images/<program>/README.md', () => {
  test.each(imagePrograms.map((program) => [program]))('%s has one, generated (pnpm run docs)', (program) => {
    const text = readFileSync(join(repoRoot, 'images', program, 'README.md'), 'utf8');
    expect(text).toContain('Generated by scripts/docs.ts');
    expect(text).toContain(`# ${program}`);
    expect(text).toContain('Apache-2.0');
  });
});
