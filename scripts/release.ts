// What the release workflow (.github/workflows/release.yml) asks of the repository, in one place:
//   node scripts/release.ts check vX.Y.Z   the tag names the version of every program (exit 1 if not)
//   node scripts/release.ts notes vX.Y.Z   the CHANGELOG.md section of that version, for the release notes
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listPrograms, repoRoot } from './programs.ts';

/** The platforms every image is built for, here (`pnpm images`) and by the release workflow. */
export const imagePlatforms = ['linux/amd64', 'linux/arm64'] as const;

export class ReleaseError extends Error {
  override name = 'ReleaseError';
}

/** The version of a release tag `vX.Y.Z`. */
export function versionOfTag(tag: string): string {
  const match = /^v(\d+\.\d+\.\d+)$/.exec(tag);
  if (!match)
    throw new ReleaseError(`release tag ${JSON.stringify(tag)}: expected vX.Y.Z, for example v0.1.0`);
  return match[1]!;
}

/** Problems with releasing `tag`: each program whose package.json version is another. */
export function tagProblems(tag: string): string[] {
  const version = versionOfTag(tag);
  return listPrograms()
    .filter((program) => program.version !== version)
    .map(
      (program) =>
        `${program.name} is version ${program.version} in its package.json, the tag says ${version}`,
    );
}

/** The body of the `## [X.Y.Z]` section of a changelog, trimmed; a ReleaseError when it has none. */
export function releaseNotes(changelog: string, version: string): string {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) =>
    new RegExp(`^## \\[?${version.replace(/\./g, '\\.')}\\]?(\\s|$)`).test(line),
  );
  if (start < 0)
    throw new ReleaseError(`CHANGELOG.md has no "## [${version}]" section: write it before tagging`);
  const end = lines.findIndex((line, index) => index > start && /^## /.test(line));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
  if (!body) throw new ReleaseError(`CHANGELOG.md's "## [${version}]" section is empty`);
  return body;
}

if (import.meta.main) {
  const [command, tag = ''] = process.argv.slice(2);
  try {
    if (command === 'check') {
      const problems = tagProblems(tag);
      if (problems.length > 0) throw new ReleaseError(problems.join('\n'));
      console.log(`release: ${tag} is the version of every program`);
    } else if (command === 'notes') {
      process.stdout.write(
        `${releaseNotes(readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8'), versionOfTag(tag))}\n`,
      );
    } else {
      console.error('Usage: node scripts/release.ts check|notes vX.Y.Z');
      process.exitCode = 2;
    }
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error;
    console.error(`release: ${error.message}`);
    process.exitCode = 1;
  }
}
