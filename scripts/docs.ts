// Writes the option reference tables into README.md from the programs' own option tables, so help and
// docs cannot drift. `node scripts/docs.ts --check` fails when README.md is not current (run by `pnpm check`).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  commonOptions,
  describeOptions,
  type OptionTable,
  programOptions,
} from '../packages/lifecycle/src/index.ts';
import { listPrograms, repoRoot } from './programs.ts';

function optionTable(program: string, table: OptionTable): string {
  const rows = describeOptions(program, table).map((row) => {
    const cell = (text: string) => text.replace(/\|/g, '\\|');
    const fallback = row.required ? '*required*' : row.default === '' ? '' : `\`${cell(row.default)}\``;
    return `| \`${cell(row.flag)}\` | \`${cell(row.env)}\` | ${fallback} | ${cell(row.help)} |`;
  });
  return ['| flag | env | default | what |', '|---|---|---|---|', ...rows].join('\n');
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
for (const program of listPrograms().filter((p) => !p.internal)) {
  const { definition } = await import(join(program.dir, 'src', 'definition.ts'));
  // Common options are documented once; each program's table lists its own (and --admin-addr).
  const own = Object.fromEntries(
    Object.entries(programOptions(definition)).filter(([key]) => !(key in commonOptions)),
  ) as OptionTable;
  next = replaceBlock(next, `options:${program.name}`, optionTable(program.name, own));
}

if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error(
      'README.md option tables are out of date: run `node scripts/docs.ts` and commit the result.',
    );
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(readmePath, next);
  console.log('README.md option tables updated');
}
