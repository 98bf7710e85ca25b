// Bundles each program into one self-contained ES module: packages/<pkg>/dist/<program>.mjs.
// An image then needs only Node and that file.
import { join } from 'node:path';
import { build } from 'esbuild';
import { listPrograms } from './programs.ts';

const only = process.argv[2];
const failed: string[] = [];
for (const program of listPrograms()) {
  if (only && program.name !== only) continue;
  const started = performance.now();
  const result = await build({
    entryPoints: [join(program.dir, program.main)],
    outfile: program.bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minifySyntax: true,
    legalComments: 'none',
    define: { TOOLKIT_VERSION: JSON.stringify(program.version) },
    // CommonJS dependencies (pino, prom-client) call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  }).catch(() => undefined); // esbuild has printed the errors
  if (!result) {
    failed.push(program.name);
    continue;
  }
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  console.log(
    `${program.name}: ${program.bundle} (${(bytes / 1024).toFixed(0)} KiB, ${Math.round(performance.now() - started)} ms)`,
  );
}
if (failed.length > 0) {
  console.error(`build failed: ${failed.join(', ')}`);
  process.exit(1);
}
