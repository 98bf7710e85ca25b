import { createServer } from 'node:http';
import {
  closeServer,
  listen,
  type ProgramDefinition,
  parseListenAddress,
  toolkitVersion,
} from '@toolkit/lifecycle';
import { AccessLog } from './access-log.ts';
import { createDemoHandler } from './app.ts';
import { AppConfig } from './app-config.ts';
import { Content } from './content.ts';
import { LogInbox } from './log-inbox.ts';
import { startWorkers, stopWorkers, type WorkerRole } from './workers.ts';

const options = {
  addr: { type: 'address', default: '127.0.0.1:3000', help: 'Where the app serves plain HTTP.' },
  workers: {
    type: 'list',
    default: ['busy', 'idle'],
    help: 'Worker processes to start, by role: busy (about 30% of a core) or idle.',
  },
  accessLog: {
    type: 'string',
    default: '',
    help: 'Append one JSON line per request to this file (what log-forwarder ships). Empty: no access log.',
  },
  config: {
    type: 'string',
    default: '',
    help: 'A JSON config file, read at start and again on SIGHUP or POST /-/reload (what config-syncer writes).',
  },
  content: {
    type: 'string',
    default: '',
    help: "A directory served at /content/, resolved per request (repo-updater's link).",
  },
  inboxRecords: {
    type: 'integer',
    default: 10_000,
    help: 'Log records POST /-/logs keeps in memory, newest first out.',
  },
} as const;

/**
 * A stand-in for the legacy app a user puts sidecars next to: plain HTTP, an access log, a config it
 * reloads when told, content from a checkout, a few worker processes. It serves its own /livez.
 */
export const definition: ProgramDefinition<typeof options> = {
  name: 'demo-app',
  version: toolkitVersion,
  summary:
    'the app the demos put the sidecars next to: plain HTTP, an access log, a reloadable config, content from a checkout',
  options,
  admin: 'own',
  endpoints: [
    {
      method: 'GET',
      path: '/',
      help: 'What the app has: its config message, the commit it serves, its access-log lines.',
    },
    { method: 'GET', path: '/content/<path>', help: 'A file of the checkout behind --content.' },
    {
      method: 'GET',
      path: '/-/status',
      help: 'JSON: config loads, content commit, access-log lines, log records received.',
    },
    { method: 'GET', path: '/-/config', help: 'The config as loaded.' },
    {
      method: 'POST',
      path: '/-/reload',
      help: 'Re-read the config (config-syncer --notify-url); a JSON {revision} is recorded.',
    },
    {
      method: 'POST',
      path: '/-/logs',
      help: 'Take log records: NDJSON or a JSON array (log-forwarder --http-url).',
    },
    { method: 'GET', path: '/-/logs', help: 'The newest records taken, NDJSON; ?limit=N.' },
  ],
  metrics: () => undefined,
  async main({ config, log, ready, onShutdown, handleAdmin }) {
    // The kernel's name of the process too (comm): what topz shows and config-syncer's --notify-process matches.
    process.title = 'demo-app';
    const roles = config.workers.filter((role): role is WorkerRole => role === 'busy' || role === 'idle');
    const workers = startWorkers(roles, process.argv[1]!);
    onShutdown('workers', () => stopWorkers(workers));

    const appConfig = config.config === '' ? undefined : new AppConfig(config.config);
    const reload = (reason: 'start' | 'signal' | 'http', revision: string | null = null) => {
      if (!appConfig) return;
      if (appConfig.load(reason, revision)) {
        log.info({ reason, revision, sha256: appConfig.status.sha256 }, 'config loaded');
      } else {
        log.warn({ reason, error: appConfig.status.error }, 'config not loaded; keeping the one before');
      }
    };
    reload('start');
    process.on('SIGHUP', () => reload('signal'));

    const server = createServer(
      createDemoHandler({
        config: appConfig,
        content: config.content === '' ? undefined : new Content(config.content),
        accessLog: config.accessLog === '' ? undefined : new AccessLog(config.accessLog),
        inbox: new LogInbox(config.inboxRecords),
        workers: workers.length,
        handleAdmin,
        onReload: reload,
      }),
    );
    const bound = await listen(server, parseListenAddress(config.addr)!);
    onShutdown('http server', () => closeServer(server, 2000));
    log.info({ address: `${bound.address}:${bound.port}`, workers: roles }, 'demo app listening');
    ready();
  },
};
