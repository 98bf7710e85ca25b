import { type OptionTable, outgoingTlsOptions } from '@toolkit/lifecycle';
import { confirmModes } from './notify/confirm-reload.ts';
import { fsyncModes } from './publish/durability.ts';
import { publishLayouts } from './publish/link-layout.ts';
import { templateModes } from './template.ts';

/** The option table: drives parsing, `--help`, the env names (CONFIG_SYNCER_*) and the docs. */
export const options = {
  source: {
    type: 'list',
    required: true,
    placeholder: 'DIR|URL|NAME=URL',
    help: 'Where the config comes from; repeat or comma-separate for several. A directory (ConfigMap or Secret volume, plain directory, bind mount; top-level files, or the whole tree with --recursive) or an http(s) URL, published under the last segment of its path or under NAME.',
  },
  target: {
    type: 'string',
    required: true,
    placeholder: 'DIR',
    help: 'Directory the app reads its config from (shared with it); created if missing.',
  },
  recursive: {
    type: 'boolean',
    help: 'Read subdirectories of directory sources too (except those matching --exclude, such as .git) and publish them as the same tree under --target; symlinked directories are skipped.',
  },
  include: {
    type: 'list',
    placeholder: 'GLOBS',
    help: 'Only source files whose name matches one of these globs (* and ?), e.g. *.yaml,*.json; empty means all.',
  },
  exclude: {
    type: 'list',
    default: ['.*', '*~', '*.swp', '*.swx', '*.tmp', '*.bak'],
    placeholder: 'GLOBS',
    help: 'Source file names to skip: hidden files, editor backups and temp files. Kubelet internals (..data) are always skipped.',
  },
  maxFileBytes: {
    type: 'integer',
    default: 16 * 1024 * 1024,
    min: 1,
    placeholder: 'BYTES',
    help: 'Largest source file (or URL body) taken, in bytes; a larger one fails the sync and the last good config stays. ConfigMaps stop at 1 MiB: a config many times that is a mistake.',
  },
  publishLayout: {
    type: 'enum',
    choices: publishLayouts,
    default: 'files',
    help: 'files: each file replaced by rename in the --target directory. link: --target is a symlink to a complete directory of the whole set, swapped in one rename, so an app that resolves it once reads one set (the previous set stays; older ones go 30s after being replaced).',
  },
  fileMode: { type: 'string', default: '0644', placeholder: 'OCTAL', help: 'Mode of the published files.' },
  fileOwner: {
    type: 'string',
    placeholder: 'UID:GID',
    help: 'Numeric owner and group of the published files and of the directories the syncer creates, set before a file is renamed into place. Needs root or CAP_CHOWN, checked at start (exit 1 without it); unset: the files are the syncer’s own.',
  },
  fsync: {
    type: 'enum',
    choices: fsyncModes,
    default: 'auto',
    help: 'Whether a publish waits for its files to reach the disk before the app is told. always: each file is fsynced before its rename and the directory after it, so after a power loss every published file is whole, old or new. never: no fsync (as the kubelet writes ConfigMap volumes), faster on a busy disk; readers still see an old or a new file, never a part (rename is atomic), but after a power loss a file can be empty or old until the syncer rewrites it at its next start. auto: always, except on tmpfs or ramfs, which a power loss empties anyway.',
  },
  validate: {
    type: 'boolean',
    default: true,
    help: 'Parse .json, .yaml/.yml and .toml files before publishing; a file that fails keeps the whole set unpublished.',
  },
  checkCommand: {
    type: 'string',
    placeholder: 'SHELL-COMMAND',
    help: 'Command run with /bin/sh on a staged copy of the new set before publishing (cwd and $STAGED_DIR point at it); non-zero exit rejects the config.',
  },
  checkTimeout: { type: 'duration', default: '30s', help: 'Time limit of the check command.' },
  template: {
    type: 'enum',
    choices: templateModes,
    default: 'off',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the help shows the template syntax itself.
    help: 'Substitute ${VAR}, ${VAR:-default} from the environment ($${VAR} is a literal): strict rejects a config with an unset variable, tolerant leaves it as written.',
  },
  debounce: {
    type: 'duration',
    default: '100ms',
    help: 'Quiet time after a change before syncing, so a burst gives one publish and one notification; 0s syncs at once.',
  },
  debounceMax: {
    type: 'duration',
    default: '2s',
    help: 'Longest a steady stream of changes can delay a sync.',
  },
  resyncInterval: {
    type: 'duration',
    default: '1m',
    help: 'Full resync (sources and target files compared on disk) in case a watch event was missed; 0s turns it off.',
  },
  watchPolling: {
    type: 'boolean',
    help: 'Watch directories by polling once a second instead of inotify: for NFS and some bind mounts.',
  },
  pollInterval: {
    type: 'duration',
    default: '30s',
    help: 'How often URL sources are polled (conditional GET).',
  },
  sourceTimeout: { type: 'duration', default: '10s', help: 'Time limit of one URL fetch.' },
  sourceBackoffMax: {
    type: 'duration',
    default: '5m',
    help: 'Longest wait between fetches of a failing URL (from 1s, doubling, with jitter).',
  },
  sourceToken: {
    type: 'secret',
    help: 'Bearer token for URL sources (user:password in the URL is sent as basic auth).',
  },
  notifyUrl: {
    type: 'list',
    placeholder: 'URLS',
    help: 'Tell the app with an HTTP request to each URL; the body is JSON {revision, changed, removed, targetDir}.',
  },
  notifyMethod: {
    type: 'enum',
    choices: ['POST', 'PUT', 'GET'],
    default: 'POST',
    help: 'Method of the notification request.',
  },
  notifyStatus: {
    type: 'list',
    default: ['2xx'],
    placeholder: 'CODES',
    help: 'Statuses that mean the app took the change, e.g. 200,204 or 2xx.',
  },
  notifyTimeout: {
    type: 'duration',
    default: '10s',
    help: 'Time limit of one notification (request or command).',
  },
  notifyProcess: {
    type: 'string',
    placeholder: 'NAME',
    help: 'Tell the app by sending --notify-signal to the process of this name (comm or argv[0]) in the shared PID namespace.',
  },
  notifySignal: {
    type: 'enum',
    choices: ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGWINCH'],
    default: 'SIGHUP',
    help: 'Signal sent to --notify-process.',
  },
  notifyCommand: {
    type: 'string',
    placeholder: 'SHELL-COMMAND',
    help: 'Tell the app by running this command (exit 0 = done); env has CONFIG_REVISION, CHANGED_FILES, REMOVED_FILES, TARGET_DIR.',
  },
  notifyTouch: {
    type: 'string',
    placeholder: 'PATH',
    help: 'Tell the app by touching this file (created if missing).',
  },
  notifyBackoff: {
    type: 'duration',
    default: '500ms',
    help: 'First wait before retrying a failed notification; doubles each try.',
  },
  notifyBackoffMax: {
    type: 'duration',
    default: '30s',
    help: 'Longest wait between notification tries; they go on until one succeeds or a newer change replaces it.',
  },
  confirmUrl: {
    type: 'string',
    placeholder: 'URL',
    help: 'After each publish, poll this URL (GET) until the app reports the new revision (see --confirm-by); a publish not confirmed within --confirm-timeout is logged and counted, and the program goes on.',
  },
  confirmBy: {
    type: 'enum',
    choices: confirmModes,
    default: 'revision',
    help: 'What --confirm-url answers once the app has the new config. revision: a 2xx body containing the published revision (as sent to --notify-url and in $CONFIG_REVISION) or the sha256 of a file written by the publish. prometheus: Prometheus /api/v1/status/runtimeinfo with reloadConfigSuccess true and lastConfigTime not before the publish.',
  },
  confirmTimeout: {
    type: 'duration',
    default: '30s',
    help: 'How long after a publish the app has to confirm it at --confirm-url.',
  },
  confirmInterval: {
    type: 'duration',
    default: '500ms',
    help: 'Wait between two polls of --confirm-url.',
  },
  once: {
    type: 'boolean',
    help: 'Sync, validate and publish once, then exit 0 (1 on failure) without notifying: for an init container.',
  },
  dryRun: {
    type: 'boolean',
    help: 'Print what would be written or removed (names, sizes, hashes) to stdout; write and notify nothing.',
  },
  // --ca-file, --client-cert-file, --client-key-file, --insecure-skip-verify for outgoing HTTPS.
  ...outgoingTlsOptions,
} as const satisfies OptionTable;
