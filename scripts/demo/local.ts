import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { envPrefix } from '../../packages/lifecycle/src/index.ts';
import { findProgram, repoRoot } from '../programs.ts';
import type { DemoPorts } from './ports.ts';
import { type DemoWorkspace, demoSyncToken } from './workspace.ts';

/**
 * Each program's command line in the local demo: the app and its five sidecars on loopback. The
 * sidecars that prepare the app's files (config, content) come first, as native sidecars do in a pod.
 */
export function localCommands(workspace: DemoWorkspace, ports: DemoPorts): Record<string, string[]> {
  const app = `http://127.0.0.1:${ports.app}`;
  const admin = (port: number) => `--admin-addr=127.0.0.1:${port}`;
  return {
    'demo-app': [
      `--addr=127.0.0.1:${ports.app}`,
      `--access-log=${join(workspace.logs, 'access.log')}`,
      `--config=${join(workspace.config, 'app.json')}`,
      `--content=${join(workspace.repo, 'current')}`,
    ],
    topz: [`--addr=127.0.0.1:${ports.topz}`],
    'config-syncer': [
      `--source=${workspace.configSource}`,
      `--target=${workspace.config}`,
      `--notify-url=${app}/-/reload`,
      admin(ports.configSyncer),
    ],
    'repo-updater': [
      `--repo=${workspace.remote}`,
      `--root=${workspace.repo}`,
      '--period=10s',
      `--sync-token=${demoSyncToken}`,
      admin(ports.repoUpdater),
    ],
    'log-forwarder': [
      `--path=${join(workspace.logs, '*.log')}`,
      '--read-from=beginning',
      `--positions-file=${join(workspace.state, 'positions.json')}`,
      `--http-url=${app}/-/logs`,
      '--batch-timeout=200ms',
      '--label=app=demo-app',
      admin(ports.logForwarder),
    ],
    'tls-proxy': [
      `--listen=127.0.0.1:${ports.https}`,
      `--upstream=${app}`,
      '--ready-path=/readyz',
      admin(ports.tlsProxy),
    ],
  };
}

/** The programs of the local demo as child processes; any one exiting stops the demo. */
export class LocalDemo {
  readonly #children = new Map<string, ChildProcess>();
  #stopping = false;
  readonly #onUnexpectedExit: (program: string, how: string) => void;

  constructor(onUnexpectedExit: (program: string, how: string) => void) {
    this.#onUnexpectedExit = onUnexpectedExit;
  }

  start(commands: Record<string, string[]>): void {
    for (const [program, args] of Object.entries(commands)) {
      const child = spawn(process.execPath, [findProgram(program).bundle, ...args], {
        cwd: repoRoot,
        stdio: ['ignore', 'inherit', 'inherit'],
        // A group of its own: Ctrl-C reaches only the demo script, which then stops each program once,
        // with SIGTERM (a second signal would make them exit at once instead of gracefully).
        detached: true,
        // Their JSON logs would bury the guide: warnings and errors only (DEMO_LOG_LEVEL=info for all).
        env: {
          ...process.env,
          [`${envPrefix(program)}_LOG_LEVEL`]: process.env.DEMO_LOG_LEVEL ?? 'warn',
        },
      });
      child.on('exit', (code, signal) => {
        if (!this.#stopping) this.#onUnexpectedExit(program, signal ?? `exit code ${code}`);
      });
      this.#children.set(program, child);
    }
  }

  /** SIGTERM to all, the sidecars' own graceful shutdown; answers when every one has exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(
      [...this.#children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
