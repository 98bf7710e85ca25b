import { runProgram } from '@toolkit/lifecycle';
import { definition } from './definition.ts';
import { isProxyWorker, runProxyWorker } from './workers/thread.ts';

// With --workers, the same file runs in every worker thread: there it serves HTTPS and nothing else.
if (isProxyWorker()) await runProxyWorker();
else await runProgram(definition);
