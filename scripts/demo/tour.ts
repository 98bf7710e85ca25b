// The demo tour: one visible step per sidecar, against a running demo (local or compose), through the
// app's HTTPS address as a user would. `pnpm demo` prints these steps as commands; the tests run them.
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { waitForValue } from '@toolkit/test-helpers';
import type { DemoPorts } from './ports.ts';
import { type DemoWorkspace, demoSyncToken, pushVersion, writeConfig } from './workspace.ts';

export interface TourStep {
  program: string;
  ok: boolean;
  detail: string;
}

interface HttpsAnswer {
  status: number;
  body: string;
  protocol: string | null;
  subject: string;
}

/** GET over HTTPS; the demo's certificate is tls-proxy's own self-signed one, hence no verification. */
export function httpsGet(url: string, headers: Record<string, string> = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, headers, timeout: 5_000 }, (res) => {
      const socket = res.socket as TLSSocket;
      const subject = socket.getPeerCertificate().subjectaltname ?? '';
      const protocol = socket.getProtocol();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, protocol, subject }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

interface AppStatus {
  config: { message: string | null; reloads: number; revision: string | null } | null;
  content: { revision: string | null } | null;
  inbox: { received: number };
}

export async function runTour(workspace: DemoWorkspace, ports: DemoPorts): Promise<TourStep[]> {
  const app = `https://127.0.0.1:${ports.https}`;
  const status = async () => JSON.parse((await httpsGet(`${app}/-/status`)).body) as AppStatus;
  const steps: TourStep[] = [];
  const step = async (program: string, run: () => Promise<string>) => {
    const started = Date.now();
    try {
      const detail = await run();
      steps.push({ program, ok: true, detail: `${detail} (${Date.now() - started} ms)` });
    } catch (error) {
      steps.push({ program, ok: false, detail: (error as Error).message });
    }
  };

  await step('tls-proxy', async () => {
    const answer = await httpsGet(`${app}/`);
    if (answer.status !== 200 || !answer.body.startsWith('hello from the demo app')) {
      throw new Error(`GET ${app}/ answered ${answer.status}: ${answer.body.slice(0, 200)}`);
    }
    return `GET ${app}/ → 200 over ${answer.protocol}, certificate for ${answer.subject}`;
  });

  await step('config-syncer', async () => {
    const message = `changed by the tour ${randomUUID().slice(0, 8)}`;
    writeConfig(workspace, { message, color: 'orange' });
    const seen = await waitForValue(
      async () => {
        const config = (await status()).config;
        return config?.message === message ? config : undefined;
      },
      { what: 'the new config in the app', ms: 15_000, intervalMs: 200 },
    );
    return `edited config-source/app.json; the app reloaded it (reloads: ${seen.reloads}, revision ${seen.revision})`;
  });

  await step('repo-updater', async () => {
    const before = (await status()).content?.revision;
    const version = Date.now() % 1000;
    const commit = pushVersion(workspace, version);
    const sync = await fetch(`http://127.0.0.1:${ports.repoUpdater}/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoSyncToken}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (sync.status >= 300) throw new Error(`POST /sync answered ${sync.status}: ${await sync.text()}`);
    await waitForValue(async () => ((await status()).content?.revision === commit ? true : undefined), {
      what: `commit ${commit} behind the link`,
      ms: 20_000,
      intervalMs: 200,
    });
    const page = await httpsGet(`${app}/content/`);
    if (!page.body.includes(`Version ${version}`))
      throw new Error(`/content/ is not the pushed page: ${page.body}`);
    return `pushed ${commit.slice(0, 12)} (was ${before?.slice(0, 12)}); POST /sync; /content/ serves it`;
  });

  await step('log-forwarder', async () => {
    const id = `tour-${randomUUID()}`;
    const answer = await httpsGet(`${app}/hello`, { 'x-request-id': id });
    if (answer.status !== 404 && answer.status !== 200)
      throw new Error(`GET /hello answered ${answer.status}`);
    await waitForValue(
      async () => ((await httpsGet(`${app}/-/logs?limit=1000`)).body.includes(id) ? true : undefined),
      { what: `access-log line ${id} at /-/logs`, ms: 15_000, intervalMs: 200 },
    );
    return `request ${id.slice(0, 13)}… written to the access log and shipped to /-/logs`;
  });

  await step('topz', async () => {
    const res = await fetch(`http://127.0.0.1:${ports.topz}/api/processes`, {
      signal: AbortSignal.timeout(5_000),
    });
    const snapshot = (await res.json()) as { processes: { pid: number; comm: string }[] };
    const app = snapshot.processes.filter((p) => p.comm.startsWith('demo-app'));
    if (app.length === 0) throw new Error('no demo-app process in /api/processes');
    return `sees ${snapshot.processes.length} processes, ${app.length} of the app (${app.map((p) => `${p.comm} ${p.pid}`).join(', ')})`;
  });
  return steps;
}
