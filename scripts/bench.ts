// `pnpm bench <program> [args]`: runs the program's benchmark, bench/<program>/run.ts, in its own
// Node process (each bench bounds its own time and cleans up its own processes). With no program or
// an unknown one it lists those that have a benchmark.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './programs.ts';

const benchDir = join(repoRoot, 'bench');
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'run.ts')))
  .map((entry) => entry.name)
  .sort();
const [program, ...args] = process.argv.slice(2);

if (!program || !available.includes(program)) {
  const problem = program ? `no benchmark for ${JSON.stringify(program)}` : 'name a program';
  console.error(`bench: ${problem}. Usage: pnpm bench <program> [args]; one of: ${available.join(', ')}`);
  process.exitCode = 2;
} else {
  const run = spawnSync(process.execPath, [join(benchDir, program, 'run.ts'), ...args], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (run.error) console.error(`bench: cannot run ${program}: ${run.error.message}`);
  process.exitCode = run.status ?? 1;
}
