// First: sizes the thread pool before anything starts it.
import './thread-pool.ts';
import { runProgram } from '@toolkit/lifecycle';
import { definition } from './definition.ts';

await runProgram(definition);
