// `pnpm run docs`: writes the reference tables into README.md from each program's one declaration (its
// definition: option table, endpoints, metrics function), the same one `--help` prints, so help and docs
// cannot drift; each image's README from the same, and the blocks every Dockerfile shares from
// scripts/images/dockerfile-blocks.ts. (`pnpm docs` is pnpm's own command: it opens the npm page.)
// `node scripts/docs.ts --check` fails when any of these is not current (run by `pnpm check`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  commonOptions,
  describeMetrics,
  describeOptions,
  type EndpointDoc,
  formatErrorTable,
  type OptionTable,
  type ProgramDefinition,
  programOptions,
} from '../packages/lifecycle/src/index.ts';
import { errorCatalogues } from './error-catalogues.ts';
import { replaceBlock } from './generated-block.ts';
import { imageReadme, imageReadmeOf } from './image-readme.ts';
import { imageTable, withDockerfileBlocks } from './images/dockerfile-blocks.ts';
import { dockerfileOf } from './images/index.ts';
import { listPrograms, repoRoot } from './programs.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|');

function optionTable(program: string, table: OptionTable): string {
  const rows = describeOptions(program, table).map((row) => {
    const fallback = row.required ? '*required*' : row.default === '' ? '' : `\`${cell(row.default)}\``;
    return `| \`${cell(row.flag)}\` | \`${cell(row.env)}\` | ${fallback} | ${cell(row.help)} |`;
  });
  return ['| flag | env | default | what |', '|---|---|---|---|', ...rows].join('\n');
}

/** The program's endpoints (the lifecycle's three are documented once) and metrics, as two tables. */
function referenceTables(definition: ProgramDefinition<OptionTable>): string {
  const endpoints = definition.endpoints.map(
    (e: EndpointDoc) => `| \`${cell(e.method)} ${cell(e.path)}\` | ${cell(e.help)} |`,
  );
  const metrics = describeMetrics((registry) => definition.metrics(registry)).map((m) => {
    const labels = m.labels.length > 0 ? m.labels.map((l) => `\`${l}\``).join(', ') : '';
    return `| \`${m.name}\` | ${m.type} | ${labels} | ${cell(m.help)} |`;
  });
  return [
    '| endpoint | what |',
    '|---|---|',
    '| `GET /livez`, `GET /readyz`, `GET /metrics` | see [What every program has](#what-every-program-has) |',
    ...endpoints,
    '',
    '| metric | type | labels | what |',
    '|---|---|---|---|',
    ...metrics,
  ].join('\n');
}

/** Replaces the text between `<!-- begin:NAME -->` and `<!-- end:NAME -->`. */
const replaceReadmeBlock = (text: string, name: string, body: string) =>
  replaceBlock(text, 'README.md', `<!-- begin:${name} -->`, `<!-- end:${name} -->`, body);

const readmePath = join(repoRoot, 'README.md');
const current = readFileSync(readmePath, 'utf8');
let next = replaceReadmeBlock(current, 'options:common', optionTable('<prefix>', commonOptions));
next = replaceReadmeBlock(next, 'errors', formatErrorTable(await errorCatalogues()));
for (const program of listPrograms().filter((p) => !p.internal)) {
  const { definition, docBlocks } = await import(join(program.dir, 'src', 'definition.ts'));
  // A program's own generated blocks, such as repo-updater's git-sync table.
  for (const [name, body] of Object.entries((docBlocks ?? {}) as Record<string, string>)) {
    next = replaceReadmeBlock(next, name, body);
  }
  // Common options are documented once; each program's table lists its own (and --admin-addr).
  const own = Object.fromEntries(
    Object.entries(programOptions(definition)).filter(([key]) => !(key in commonOptions)),
  ) as OptionTable;
  next = replaceReadmeBlock(next, `options:${program.name}`, optionTable(program.name, own));
  next = replaceReadmeBlock(next, `reference:${program.name}`, referenceTables(definition));
}

// Each image's Dockerfile (its generated blocks) and its own README (images/<program>/README.md), from
// the image table and the same declaration.
const imageFiles = new Map<string, string>();
const imagePrograms = listPrograms().filter((p) => existsSync(dockerfileOf(p.name)));
for (const name of Object.keys(imageTable)) {
  if (!imagePrograms.some((p) => p.name === name)) {
    throw new Error(
      `scripts/images/dockerfile-blocks.ts lists ${name}, which has no images/${name}/Dockerfile`,
    );
  }
}
for (const program of imagePrograms) {
  const dockerfile = dockerfileOf(program.name);
  const text = readFileSync(dockerfile, 'utf8');
  imageFiles.set(dockerfile, withDockerfileBlocks(program, relative(repoRoot, dockerfile), text));
  const { definition } = await import(join(program.dir, 'src', 'definition.ts'));
  imageFiles.set(imageReadmeOf(program.name), imageReadme(program, definition));
}
const staleFiles = [...imageFiles].filter(
  ([file, text]) => !existsSync(file) || readFileSync(file, 'utf8') !== text,
);

if (process.argv.includes('--check')) {
  if (staleFiles.length > 0) {
    console.error(
      `${staleFiles.map(([file]) => relative(repoRoot, file)).join(', ')} out of date: run \`pnpm run docs\` and commit the result.`,
    );
    process.exit(1);
  }
  if (next !== current) {
    console.error(
      'README.md reference tables (options, endpoints, metrics) are out of date: run `pnpm run docs` and commit the result.',
    );
    process.exit(1);
  }
} else {
  for (const [file, text] of staleFiles) {
    writeFileSync(file, text);
    console.log(`${relative(repoRoot, file)} written`);
  }
}
if (!process.argv.includes('--check') && next !== current) {
  writeFileSync(readmePath, next);
  console.log('README.md reference tables updated');
}
