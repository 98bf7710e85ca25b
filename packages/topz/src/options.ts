import type { OptionTable } from '@toolkit/lifecycle';
import { groupByChoices } from './group/group-namer.ts';

/** topz's options: flags `--kebab-name`, env `TOPZ_SNAKE_NAME`; --help and the docs come from here. */
export const options = {
  addr: {
    type: 'address',
    default: '0.0.0.0:8080',
    help: 'Where to serve the web page (/), /topz, /api/processes, /metrics, /livez and /readyz.',
  },
  interval: {
    type: 'duration',
    help: 'Time between samples: CPU% (per core, as in top: 100 = one full core) is measured over it (default: 1s, and 250ms with --once).',
  },
  once: {
    type: 'boolean',
    help: 'Print one snapshot to stdout and exit instead of serving: two samples --interval apart, so CPU% is real.',
  },
  format: {
    type: 'enum',
    choices: ['text', 'json'],
    default: 'text',
    help: 'Output of --once: a top-like table, or the JSON of /api/processes.',
  },
  hideSelf: {
    type: 'boolean',
    help: "Leave topz's own process out of every output.",
  },
  hidePause: {
    type: 'boolean',
    help: 'Leave out the pause process (/pause, PID 1 of a pod with shareProcessNamespace: true).',
  },
  showFullCommandLines: {
    type: 'boolean',
    help:
      'Show command lines whole. By default what looks like a secret is shown as <redacted> everywhere topz shows a command line: ' +
      'values of flags and NAME=value arguments named like password, token, secret, key, credential or auth, Authorization-style headers, ' +
      'passwords and secret parameters in URLs (see the README for the rules).',
  },
  procRoot: {
    type: 'string',
    default: '/proc',
    placeholder: 'DIR',
    help: "Where procfs is mounted, e.g. /host/proc for a host's processes.",
  },
  metricsMaxProcesses: {
    type: 'integer',
    default: 100,
    min: 0,
    help: 'Most processes with per-process series (labels pid, comm) on /metrics (top half by CPU, the rest by RSS); topz_metrics_dropped_processes counts the others. 0 turns the per-process series off: use --group-by or --group for series that outlive a restart.',
  },
  metricsMaxGroups: {
    type: 'integer',
    default: 100,
    min: 1,
    help: 'Most groups --group-by makes (--group rules always have theirs): the processes it would put in further groups count in the group (other), and topz_group_folded_processes_total counts them. Groups stay once seen, so this bounds the topz_group_* series (15 a group).',
  },
  groupBy: {
    type: 'enum',
    choices: groupByChoices,
    help: "Add topz_group_* series (label group) for processes grouped by name: comm (the kernel's 15-character name), exe (base name of the first argument) or cmdline (the whole command line, secrets redacted: many groups if arguments vary). Counters keep what exited members added.",
  },
  group: {
    type: 'list',
    separator: '\n',
    placeholder: 'NAME=REGEX',
    help: 'A named group of topz_group_* series: the processes whose command line (as shown, secrets redacted) matches REGEX. Repeatable (the env var takes one per line); the first rule that matches wins, then --group-by names the rest; without --group-by the rest are in no group.',
  },
  pssInterval: {
    type: 'duration',
    default: '10s',
    help: "How often each process's PSS (smaps_rollup, which walks its whole memory map: costly for large processes) and open-files limit are read again; 0 never reads PSS.",
  },
  accessToken: {
    type: 'secret',
    placeholder: 'TOKEN',
    help: 'Require Authorization: Bearer <token> for /, /topz, /api/processes and /metrics (/livez and /readyz stay open); prefer the -file form. For scrapers and scripts: a browser cannot send it, use --basic-auth-users-file for people.',
  },
  basicAuthUsersFile: {
    type: 'string',
    placeholder: 'PATH',
    help: 'Require HTTP basic auth for /, /topz, /api/processes and /metrics: a file of user:bcrypt-hash lines (htpasswd -nbB user password). With --access-token too, either passes.',
  },
  allowSignals: {
    type: 'boolean',
    help:
      'Serve POST /api/processes/<pid>/signal, which sends TERM, INT, HUP, KILL, USR1, USR2 or QUIT to a process ' +
      'topz sees. Security cost: whoever holds the token and reaches --addr can stop or kill the app, with ' +
      "topz's uid and capabilities (root, or CAP_KILL, reaches every process of the namespace). Needs --signal-token; " +
      'keep --addr inside the pod or behind an authenticating proxy.',
  },
  signalToken: {
    type: 'secret',
    placeholder: 'TOKEN',
    help: 'Bearer token the signal endpoint requires, at least 16 characters (e.g. openssl rand -hex 32); prefer the -file form.',
  },
} as const satisfies OptionTable;
