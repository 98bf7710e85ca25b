import { runProgram } from '@toolkit/lifecycle';
import { definition } from './definition.ts';
import { runWorker, type WorkerRole } from './workers.ts';

// Workers are this same file started with `--role busy|idle`.
const roleAt = process.argv.indexOf('--role');
if (roleAt > 0) runWorker(process.argv[roleAt + 1] as WorkerRole);
else await runProgram(definition);
