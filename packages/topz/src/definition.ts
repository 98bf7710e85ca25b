import { type ProgramDefinition, toolkitVersion } from '@toolkit/lifecycle';
import { runTopz } from './app.ts';
import { options } from './options.ts';

/** The program, importable without running it (the docs read its option table). */
export const definition: ProgramDefinition<typeof options> = {
  name: 'topz',
  version: toolkitVersion,
  summary:
    'shows every process of the PID namespace it shares with an app (CPU%, memory, threads, fds, I/O, cgroup limits): a live web page, /topz text, JSON and Prometheus metrics, or one table with --once.',
  usage: 'topz [--addr HOST:PORT] [options]  |  topz --once [--format json]',
  admin: 'own',
  options,
  main: runTopz,
};
