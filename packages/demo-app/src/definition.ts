import { createServer } from 'node:http';
import {
  closeServer,
  listen,
  type ProgramDefinition,
  parseListenAddress,
  sendText,
  toolkitVersion,
} from '@toolkit/lifecycle';
import { startWorkers, stopWorkers, type WorkerRole } from './workers.ts';

const options = {
  addr: { type: 'address', default: '127.0.0.1:3000', help: 'Where the app serves plain HTTP.' },
  workers: {
    type: 'list',
    default: ['busy', 'idle'],
    help: 'Worker processes to start, by role: busy (about 30% of a core) or idle.',
  },
} as const;

/** A stand-in for the legacy app a user puts sidecars next to. It serves its own /livez too. */
export const definition: ProgramDefinition<typeof options> = {
  name: 'demo-app',
  version: toolkitVersion,
  summary: 'the app the demos put the sidecars next to: plain HTTP and a few worker processes',
  options,
  admin: 'own',
  async main({ config, log, ready, onShutdown, handleAdmin }) {
    const roles = config.workers.filter((role): role is WorkerRole => role === 'busy' || role === 'idle');
    const workers = startWorkers(roles, process.argv[1]!);
    onShutdown('workers', () => stopWorkers(workers));
    const server = createServer(async (req, res) => {
      if (await handleAdmin(req, res)) return;
      sendText(res, 200, `hello from the demo app (pid ${process.pid}, ${workers.length} workers)\n`);
    });
    const bound = await listen(server, parseListenAddress(config.addr)!);
    onShutdown('http server', () => closeServer(server, 2000));
    log.info({ address: `${bound.address}:${bound.port}`, workers: roles }, 'demo app listening');
    ready();
  },
};
