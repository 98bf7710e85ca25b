import { type ProgramDefinition, toolkitVersion } from '@toolkit/lifecycle';
import { runTopz } from './app.ts';
import { TopzMetrics } from './metrics/topz-metrics.ts';
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
  endpoints: [
    {
      method: 'GET',
      path: '/',
      help: 'The web page: sortable, filterable table, tree, CPU and memory history, a panel per process.',
    },
    {
      method: 'GET',
      path: '/topz',
      help: 'Plain text, PID CPU% MEM% COMMAND first; ?header=0, ?wide=1, ?sort=cpu|mem|pid.',
    },
    {
      method: 'GET',
      path: '/api/processes',
      help: 'The latest snapshot as JSON (processes, totals, cgroup, history); 503 until the first.',
    },
    {
      method: 'GET',
      path: '/api/processes/<pid>/threads',
      help: "A process's threads (/proc/<pid>/task): tid, name, state, CPU% since the previous request for it, CPU time, context switches; 404 for a PID not in the latest snapshot, {exited: true} for one gone since.",
    },
    {
      method: 'POST',
      path: '/api/processes/<pid>/signal',
      help: 'Only with --allow-signals and its bearer token: send TERM, INT, HUP, KILL, USR1, USR2 or QUIT.',
    },
  ],
  metrics: (registry) => new TopzMetrics(registry, 0),
  main: runTopz,
};
