// What every program's Dockerfile shares, written into it from one table: `pnpm run docs` rewrites the
// blocks between `# begin:<name>` and `# end:<name>` in images/<program>/Dockerfile, and `pnpm check`
// fails when one differs (scripts/docs.ts). The rest of each Dockerfile is the program's own.
import { replaceBlock } from '../generated-block.ts';
import { type ProgramPackage, projectLicense } from '../programs.ts';

/** What differs between the images in their shared blocks; the description label is the package's. */
export interface ImageEntry {
  /** What HEALTHCHECK fetches: a 2xx means healthy. */
  healthUrl: string;
  /** HEALTHCHECK --start-period. */
  healthStartPeriod?: string;
  /** The image installs tini in its own step (with other packages) instead of the `tini` block. */
  ownTiniStep?: true;
}

/** Every program that has an image, in one place. */
export const imageTable: Readonly<Record<string, ImageEntry>> = {
  'config-syncer': {
    healthUrl: 'http://127.0.0.1:9090/livez',
  },
  'demo-app': {
    healthUrl: 'http://127.0.0.1:3000/readyz',
  },
  'log-forwarder': {
    healthUrl: 'http://127.0.0.1:9090/livez',
  },
  'repo-updater': {
    healthUrl: 'http://127.0.0.1:9090/livez',
    // Cloning may take a while before the admin server answers.
    healthStartPeriod: '10s',
    ownTiniStep: true,
  },
  'tls-proxy': {
    healthUrl: 'http://127.0.0.1:9090/livez',
  },
  topz: {
    healthUrl: 'http://127.0.0.1:8080/livez',
  },
};

const generatedNote =
  '# Written by `pnpm run docs` from scripts/images/dockerfile-blocks.ts: change it there.';

/** An exec-form array as Docker's JSON, one space after each comma as the hand-written lines have. */
const execForm = (args: readonly string[]) => `[${args.map((arg) => JSON.stringify(arg)).join(', ')}]`;

/** Installs tini unless the base has it, with node alone (the base may have no shell). */
const tiniStep = [
  '# tini is PID 1: it reaps the orphans a child leaves behind (node reaps only its own children, and a pod',
  "# has a PID limit), forwards signals to node and exits with node's exit code; -s makes it reap as a",
  "# subreaper too when something else is PID 1 (a shared PID namespace). The local bases carry Debian's",
  "# tini-static at /usr/bin/tini; on another base Debian's tini is installed here, by node, as the base",
  '# may have no shell.',
  `RUN ${execForm([
    'node',
    '-e',
    "const fs = require('fs'), apt = (...a) => require('child_process').execFileSync('apt-get', a, { stdio: 'inherit' }); if (!fs.existsSync('/usr/bin/tini')) { apt('update'); apt('install', '-y', '--no-install-recommends', 'tini'); fs.rmSync('/var/lib/apt/lists', { recursive: true, force: true }); }",
  ])}`,
];

/** The generated blocks of a program's Dockerfile, by name: `tini` (unless ownTiniStep) and `image`. */
export function dockerfileBlocks({ name, description }: ProgramPackage): Record<string, string> {
  const entry = imageTable[name];
  if (!entry)
    throw new Error(`images/${name}/Dockerfile has no entry in scripts/images/dockerfile-blocks.ts`);
  if (!description || description.includes('"')) {
    throw new Error(
      `packages/${name}/package.json needs a description (without double quotes) for its image`,
    );
  }
  const probe = `fetch('${entry.healthUrl}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
  const image = [
    generatedNote,
    '# Exec form with node itself: no shell or curl in the image. Kubernetes ignores HEALTHCHECK (probes instead).',
    `HEALTHCHECK --interval=30s --timeout=3s --start-period=${entry.healthStartPeriod ?? '5s'} --retries=3 \\`,
    `  CMD ${execForm(['node', '-e', probe])}`,
    `ENTRYPOINT ${execForm(['/usr/bin/tini', '-s', '--', 'node', `/app/${name}.mjs`])}`,
    '',
    '# Last, so a new revision or date leaves the layers above cached.',
    'ARG VERSION=0.0.0-dev',
    'ARG REVISION=unknown',
    'ARG CREATED=1970-01-01T00:00:00Z',
    'ARG SOURCE=',
    `ARG LICENSES=${projectLicense()}`,
    `LABEL org.opencontainers.image.title="${name}" \\`,
    `      org.opencontainers.image.description="${description}" \\`,
    ...['version', 'revision', 'created', 'source'].map(
      (label) => `      org.opencontainers.image.${label}="\${${label.toUpperCase()}}" \\`,
    ),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile's variable, in a plain string.
    '      org.opencontainers.image.licenses="${LICENSES}"',
  ];
  return {
    ...(entry.ownTiniStep ? {} : { tini: [generatedNote, ...tiniStep].join('\n') }),
    image: image.join('\n'),
  };
}

/** A Dockerfile with its generated blocks rewritten. */
export function withDockerfileBlocks(program: ProgramPackage, file: string, text: string): string {
  let next = text;
  for (const [name, body] of Object.entries(dockerfileBlocks(program))) {
    next = replaceBlock(next, file, `# begin:${name}`, `# end:${name}`, body);
  }
  return next;
}
