// Writes the reference tables into README.md from each program's one declaration (its definition: option
// table, endpoints, metrics function), the same one `--help` prints, so help and docs cannot drift.
// `node scripts/docs.ts --check` fails when README.md is not current (run by `pnpm check`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { imageReadme, imageReadmeOf } from './image-readme.ts';
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
function replaceBlock(text: string, name: string, body: string): string {
  const begin = `<!-- begin:${name} -->`;
  const end = `<!-- end:${name} -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${begin} … ${end} block`);
  return `${text.slice(0, from + begin.length)}\n${body}\n${text.slice(to)}`;
}

const readmePath = join(repoRoot, 'README.md');
const current = readFileSync(readmePath, 'utf8');
let next = replaceBlock(current, 'options:common', optionTable('<prefix>', commonOptions));
next = replaceBlock(next, 'errors', formatErrorTable(await errorCatalogues()));
for (const program of listPrograms().filter((p) => !p.internal)) {
  const { definition, docBlocks } = await import(join(program.dir, 'src', 'definition.ts'));
  // A program's own generated blocks, such as repo-updater's git-sync table.
  for (const [name, body] of Object.entries((docBlocks ?? {}) as Record<string, string>)) {
    next = replaceBlock(next, name, body);
  }
  // Common options are documented once; each program's table lists its own (and --admin-addr).
  const own = Object.fromEntries(
    Object.entries(programOptions(definition)).filter(([key]) => !(key in commonOptions)),
  ) as OptionTable;
  next = replaceBlock(next, `options:${program.name}`, optionTable(program.name, own));
  next = replaceBlock(next, `reference:${program.name}`, referenceTables(definition));
}

// Each image's own README (images/<program>/README.md), from the same declaration.
const imageReadmes = new Map<string, string>();
for (const program of listPrograms().filter((p) =>
  existsSync(join(repoRoot, 'images', p.name, 'Dockerfile')),
)) {
  const { definition } = await import(join(program.dir, 'src', 'definition.ts'));
  imageReadmes.set(imageReadmeOf(program.name), imageReadme(program, definition));
}
const staleImageReadmes = [...imageReadmes].filter(
  ([file, text]) => !existsSync(file) || readFileSync(file, 'utf8') !== text,
);

if (process.argv.includes('--check')) {
  if (staleImageReadmes.length > 0) {
    console.error(
      `${staleImageReadmes.map(([file]) => file).join(', ')} out of date: run \`node scripts/docs.ts\` and commit the result.`,
    );
    process.exit(1);
  }
  if (next !== current) {
    console.error(
      'README.md reference tables (options, endpoints, metrics) are out of date: run `node scripts/docs.ts` and commit the result.',
    );
    process.exit(1);
  }
} else {
  for (const [file, text] of staleImageReadmes) {
    writeFileSync(file, text);
    console.log(`${file} written`);
  }
}
if (!process.argv.includes('--check') && next !== current) {
  writeFileSync(readmePath, next);
  console.log('README.md reference tables updated');
}
