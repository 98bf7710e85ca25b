import { relative } from 'node:path';
import type { ProgramPackage } from '../../scripts/programs.ts';
import { repoRoot } from '../../scripts/programs.ts';

export interface Instruction {
  keyword: string;
  args: string;
}

/** A Dockerfile's instructions, continuation lines joined, comments and blank lines dropped. */
export function parseDockerfile(text: string): Instruction[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The array of an exec-form instruction (`["node", "x"]`), or undefined for the shell form. */
function execForm(args: string | undefined): unknown[] | undefined {
  try {
    const parsed = JSON.parse(args ?? '');
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** PID 1 of every image: tini, reaping orphans and forwarding signals to node (issue 12 §1). */
export const entrypointInit = ['/usr/bin/tini', '-s', '--'];

const ociLabels = ['title', 'description', 'source', 'version', 'revision', 'created', 'licenses'];

/**
 * Problems with a program's Dockerfile against the pattern every image follows: an overridable base
 * (ARG BASE_IMAGE with a default), the prebuilt bundle copied to /app, a numeric non-root user, exec-form
 * ENTRYPOINT (tini, then node) and HEALTHCHECK (node only), an EXPOSEd port, and the OCI labels.
 */
export function dockerfileProblems(program: ProgramPackage, text: string): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);
  const all = (keyword: string) => instructions.filter((i) => i.keyword === keyword);
  const last = (keyword: string) => all(keyword).at(-1);
  const bundle = relative(repoRoot, program.bundle);
  const target = `/app/${program.name}.mjs`;

  const firstFrom = instructions.findIndex((i) => i.keyword === 'FROM');
  const baseArg = instructions.findIndex((i) => /^BASE_IMAGE=\S+/.test(i.args) && i.keyword === 'ARG');
  if (baseArg < 0 || baseArg > firstFrom) problems.push('no `ARG BASE_IMAGE=<default>` before FROM');
  if (!/^\$\{?BASE_IMAGE\}?(\s|$)/.test(last('FROM')?.args ?? '')) {
    problems.push('the final stage is not FROM $BASE_IMAGE');
  }
  if (!all('COPY').some((i) => i.args.split(/\s+/).includes(bundle) && i.args.endsWith(target))) {
    problems.push(`no COPY ${bundle} ${target}`);
  }
  if (last('USER')?.args !== '65532:65532') problems.push('the user is not the numeric 65532:65532');
  if (
    JSON.stringify(execForm(last('ENTRYPOINT')?.args)) !== JSON.stringify([...entrypointInit, 'node', target])
  ) {
    problems.push(
      `ENTRYPOINT is not [${[...entrypointInit, 'node', target].map((a) => `"${a}"`).join(', ')}]`,
    );
  }
  const healthcheck = /\bCMD (\[.*\])$/.exec(last('HEALTHCHECK')?.args ?? '');
  if (execForm(healthcheck?.[1])?.[0] !== 'node') {
    problems.push('no exec-form HEALTHCHECK run by node (CMD ["node", ...])');
  }
  if (all('EXPOSE').length === 0) problems.push('no EXPOSE');
  const labels = all('LABEL')
    .map((i) => i.args)
    .join(' ');
  for (const label of ociLabels) {
    if (!labels.includes(`org.opencontainers.image.${label}=`))
      problems.push(`no org.opencontainers.image.${label} label`);
  }
  return problems;
}
