import { runProgram } from '@toolkit/lifecycle';
import { definition } from './definition.ts';

await runProgram(definition);
