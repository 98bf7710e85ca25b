import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import {
  AdminRoutes,
  closeServer,
  createLogger,
  createMetricsRegistry,
  Health,
  listen,
} from '@toolkit/lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRequestHandler,
  Sampler,
  SamplingLoop,
  type Snapshot,
  type ThreadsView,
  TopzMetrics,
} from '../src/index.ts';
import { Children, machineIsQuiet, readProc, waitFor, waitForExec } from './helpers/children.ts';

const token = 'a-test-token-of-32-characters-xx';
const children = new Children();
const sampler = new Sampler();
const registry = createMetricsRegistry('topz', 'test');
const metrics = new TopzMetrics(registry, 5);
const loop = new SamplingLoop(sampler, {
  intervalMs: 200,
  onSnapshot: (snapshot) => metrics.record(snapshot),
});
const health = new Health();
const admin = new AdminRoutes(health, registry);
const servers: Server[] = [];
let plain = '';
let withSignals = '';

async function serve(signalToken: string | undefined): Promise<string> {
  const server = createServer(
    createRequestHandler({
      snapshots: loop,
      handleAdmin: (req, res) => admin.handle(req, res),
      signalToken,
      procRoot: '/proc',
      log: createLogger('topz', 'silent'),
    }),
  );
  servers.push(server);
  const { port } = (await listen(server, { host: '127.0.0.1', port: 0 })) as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Waits for a snapshot taken after now that satisfies `check`. */
function nextSnapshot(check: (snapshot: Snapshot) => boolean = () => true): Promise<Snapshot> {
  const after = Date.now();
  return waitFor(() => {
    const latest = loop.latest;
    return latest && Date.parse(latest.time) > after && check(latest) ? latest : undefined;
  });
}

beforeAll(async () => {
  plain = await serve(undefined);
  withSignals = await serve(token);
  await loop.start();
  health.markReady();
});
afterAll(async () => {
  loop.stop();
  await children.killAll();
  await Promise.all(servers.map((server) => closeServer(server, 100)));
  sampler.close();
});

describe('routes', () => {
  it('serves /topz as the original does (PID CPU% MEM% command), with a header we can turn off', async () => {
    const child = children.spawn('sleep', ['31']);
    await waitForExec(child.pid!, 'sleep');
    await nextSnapshot((s) => s.processes.some((p) => p.pid === child.pid));
    // A second sweep, so the CPU% is over its interval: the first one is the average since start,
    // and sleep's own exec can be a tick of its first few ms ("25.0", failed CI once).
    await nextSnapshot();
    // Both tables from one snapshot (a sweep every 200 ms may fall between the two requests).
    let response: Response;
    let lines: string[];
    let bare: string[];
    for (let attempt = 1; ; attempt++) {
      const before = loop.latest;
      response = await fetch(`${plain}/topz`);
      lines = (await response.text()).trimEnd().split('\n');
      bare = (await (await fetch(`${plain}/topz?header=0`)).text()).trimEnd().split('\n');
      if (loop.latest === before || attempt === 20) break;
    }
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(lines[0]!.trim().split(/\s+/)).toEqual(['PID', 'CPU%', 'MEM%', 'COMMAND']);
    expect(lines.map((line) => line.trim())).toContainEqual(
      expect.stringMatching(new RegExp(`^${child.pid} +0\\.0 +\\d+\\.\\d+ sleep 31$`)),
    );
    expect(bare.length).toBe(lines.length - 1);
    for (const line of bare) expect(line).toMatch(/^ *\d+ +\d+\.\d +\d+\.\d\d \S/);
    const wide = (await (await fetch(`${plain}/topz?wide&sort=pid`)).text()).split('\n');
    expect(wide[0]!.trim().split(/\s+/)).toEqual(
      'PID CPU% MEM% PPID USER S THR NI RSS VSZ FDS READ WRITE ELAPSED TIME+ COMMAND'.split(' '),
    );
    const pids = wide.slice(1, -1).map((line) => Number(line.trim().split(/\s+/)[0]));
    expect(pids).toEqual([...pids].sort((a, b) => a - b));
    expect((await fetch(`${plain}/topz?sort=colour`)).status).toBe(400);
  });

  it('serves the snapshot as JSON, with its history', async () => {
    const response = await fetch(`${plain}/api/processes`);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = await response.json();
    expect(body).toMatchObject({
      cpuScale: 'percent of one core: 100 = one full core',
      signalsEnabled: false,
      totals: { processes: body.processes.length },
      errors: { vanished: expect.any(Number), readErrors: expect.any(Object) },
    });
    expect(body.intervalMs).toBeGreaterThan(150);
    expect(body.history.length).toBeGreaterThanOrEqual(1);
    expect(body.processes.find((p: { pid: number }) => p.pid === process.pid)).toMatchObject({
      ppid: process.ppid,
      cmdline: expect.stringContaining('node'),
    });
  });

  it('serves the threads of a process: names and states as /proc/<pid>/task, CPU% between requests', async () => {
    // A busy worker thread beside an idle main thread.
    const child = children.node(
      "const { Worker } = require('node:worker_threads'); new Worker('for (;;) {}', { eval: true }); setInterval(() => {}, 1000);",
    );
    // A plain node has 7 threads (MainThread, DelayedTaskSche, 4 V8Worker, SignalInspector); the worker is one more.
    await waitFor(
      () => Number(/^Threads:\s+(\d+)/m.exec(readProc(child.pid!, 'status') ?? '')?.[1]) >= 8,
      10_000,
      'the worker',
    );
    await nextSnapshot((s) => s.processes.some((p) => p.pid === child.pid));
    const url = `${plain}/api/processes/${child.pid}/threads`;
    const first = await (await fetch(url)).json();
    expect(first).toMatchObject({
      pid: child.pid,
      intervalMs: 0,
      cpuScale: 'percent of one core: 100 = one full core',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const view = (await response.json()) as ThreadsView;
    expect(view.intervalMs).toBeGreaterThanOrEqual(450);
    const tids = view.threads.map((t) => t.tid);
    expect(tids).toContain(child.pid);
    for (const thread of view.threads) {
      const comm = readProc(child.pid!, `task/${thread.tid}/comm`);
      if (comm !== undefined) expect(thread.name).toBe(comm.trim());
      expect(thread.state).toMatch(/^[RSDZTtIXP]$/);
    }
    // The busy thread (not the main one) leads; a whole core only where the machine has one free.
    const busiest = [...view.threads].sort((a, b) => b.cpuPercent - a.cpuPercent)[0]!;
    expect(busiest.tid).not.toBe(child.pid);
    expect(busiest.cpuPercent).toBeGreaterThan(machineIsQuiet() ? 50 : 5);
    expect(view.threads.find((t) => t.tid === child.pid)!.cpuPercent).toBeLessThan(busiest.cpuPercent);
    expect((await fetch(`${plain}/api/processes/999999999/threads`)).status).toBe(404);
  });

  it('serves /metrics with topz_ series, capped, beside the default process_ metrics of topz itself', async () => {
    const text = await (await fetch(`${plain}/metrics`)).text();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^topz_processes\{state="S"\} \d+$/m);
    expect(text.match(/^topz_process_resident_memory_bytes\{/gm)).toHaveLength(5);
    expect(text).toMatch(/^topz_metrics_dropped_processes [1-9]\d*$/m);
    expect(text).not.toMatch(/^process_\w+\{[^}]*pid=/m);
  });

  it('answers /livez, /readyz, and refuses what it does not serve', async () => {
    expect((await fetch(`${plain}/livez`)).status).toBe(200);
    expect((await fetch(`${plain}/readyz`)).status).toBe(200);
    expect((await fetch(`${plain}/nowhere`)).status).toBe(404);
    expect((await fetch(`${plain}/topz`, { method: 'DELETE' })).status).toBe(405);
  });

  it('serves the web page with nothing loaded from elsewhere', async () => {
    const response = await fetch(`${plain}/`);
    const policy = response.headers.get('content-security-policy');
    expect(policy).toMatch(
      /^default-src 'none'; script-src 'sha256-[\w+/=]+'; style-src 'sha256-[\w+/=]+'; connect-src 'self'/,
    );
    expect(policy).not.toMatch(/unsafe/);
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/\b(src|href)=/);
    for (const url of html.match(/https?:\/\/[^\s'"`]+/g) ?? [])
      expect(url).toBe('http://www.w3.org/2000/svg');
  });
});

describe('command lines', () => {
  it('redacts what looks like a secret on /topz, /api/processes and the page, and keeps it off /metrics', async () => {
    const secrets = ['hunter2', 'pg-secret', 'url-secret'];
    const child = children.spawn('sh', [
      '-c',
      'sleep 60; :',
      'topz-secrets',
      '--password=hunter2',
      'PGPASSWORD=pg-secret',
      'https://u:url-secret@example.com/',
    ]);
    await waitFor(() => (readProc(child.pid!, 'cmdline') ?? '').includes('topz-secrets'));
    await nextSnapshot((s) => s.processes.some((p) => p.pid === child.pid));
    const shown = `sh -c sleep 60; : topz-secrets --password=<redacted> PGPASSWORD=<redacted> https://u:<redacted>@example.com/`;
    const text = await (await fetch(`${plain}/topz?wide`)).text();
    expect(text).toContain(shown);
    const json = await (await fetch(`${plain}/api/processes`)).text();
    expect((JSON.parse(json) as Snapshot).processes.find((p) => p.pid === child.pid)?.cmdline).toBe(shown);
    const metrics = await (await fetch(`${plain}/metrics`)).text();
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      expect(json).not.toContain(secret);
      expect(metrics).not.toContain(secret);
    }
  });
});

describe('the signal endpoint', () => {
  const post = (base: string, pid: number, init: { token?: string; body?: string; query?: string } = {}) =>
    fetch(`${base}/api/processes/${pid}/signal${init.query ?? ''}`, {
      method: 'POST',
      headers: init.token ? { authorization: `Bearer ${init.token}` } : {},
      body: init.body ?? JSON.stringify({ signal: 'TERM' }),
    });

  it('is off unless allowed', async () => {
    const response = await post(plain, process.pid, { token });
    expect(response.status).toBe(403);
    expect((await response.json()).error).toMatch(/--allow-signals/);
  });

  it('needs the right bearer token', async () => {
    const missing = await post(withSignals, process.pid);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post(withSignals, process.pid, { token: `${token}x` })).status).toBe(401);
    expect((await post(withSignals, process.pid, { token: token.slice(0, -1) })).status).toBe(401);
  });

  it('refuses signals off the list and processes not in the snapshot', async () => {
    expect((await post(withSignals, process.pid, { token, body: '{"signal":"STOP"}' })).status).toBe(400);
    expect((await post(withSignals, 999_999_999, { token })).status).toBe(404);
    expect((await fetch(`${withSignals}/api/processes/1/signal`)).status).toBe(405);
  });

  it('sends an allowed signal to a process it sees', async () => {
    const term = children.spawn('sleep', ['32']);
    const kill = children.spawn('sleep', ['33']);
    await waitForExec(kill.pid!, 'sleep');
    await nextSnapshot((s) => [term.pid, kill.pid].every((pid) => s.processes.some((p) => p.pid === pid)));
    const termExit = new Promise((resolve) => term.once('exit', (_, signal) => resolve(signal)));
    const response = await post(withSignals, term.pid!, { token });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ pid: term.pid, comm: 'sleep', signal: 'SIGTERM' });
    expect(await termExit).toBe('SIGTERM');
    const killExit = new Promise((resolve) => kill.once('exit', (_, signal) => resolve(signal)));
    expect((await post(withSignals, kill.pid!, { token, body: '', query: '?signal=KILL' })).status).toBe(200);
    expect(await killExit).toBe('SIGKILL');
    // Gone now, though still in the snapshot until the next sweep.
    expect((await post(withSignals, kill.pid!, { token })).status).toBe(404);
  });

  /**
   * Sends a request head (and `body`, if any) over a raw socket, keeping the socket open, and resolves
   * with what the server answered once it closes the connection.
   */
  const rawRequest = (base: string, head: string, body = '') =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const { hostname, port } = new URL(base);
      const socket = connect(Number(port), hostname, () => socket.write(head + body));
      let text = '';
      socket.setEncoding('utf8').on('data', (chunk) => {
        text += chunk;
      });
      socket.on('error', reject);
      socket.setTimeout(5000, () =>
        socket.destroy(new Error(`no answer in 5 s, got ${JSON.stringify(text)}`)),
      );
      socket.on('close', () => {
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), text });
      });
    });
  const head = (headers: string) =>
    `POST /api/processes/${process.pid}/signal HTTP/1.1\r\nhost: topz\r\n${headers}\r\n`;

  it('checks the token before reading a body, and closes the connection rather than read it', async () => {
    // 99,999,999,999 bytes declared, none sent: answered at once, the connection closed.
    const declared = await rawRequest(withSignals, head('content-length: 99999999999\r\n'));
    expect(declared.status).toBe(401);
    expect(declared.text).toMatch(/^connection: close$/im);
    const off = await rawRequest(
      plain,
      head(`authorization: Bearer ${token}\r\ncontent-length: 99999999999\r\n`),
    );
    expect(off.status).toBe(403);
  });

  it('refuses a body declared too big, and stops reading one sent too big', async () => {
    const auth = `authorization: Bearer ${token}\r\n`;
    const declared = await rawRequest(withSignals, head(`${auth}content-length: 99999999999\r\n`));
    expect(declared.status).toBe(413);
    expect(declared.text).toMatch(/at most 1024 bytes/);
    // Chunked, 4 KiB sent and no end: the answer comes without the end of the body.
    const chunk = `{"signal":"TERM","pad":"${'x'.repeat(4000)}"}`;
    const streamed = await rawRequest(
      withSignals,
      head(`${auth}transfer-encoding: chunked\r\n`),
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
    );
    expect(streamed.status).toBe(413);
    // A small body still works on the same rules (and the process is not in danger: STOP is refused).
    const small = await rawRequest(withSignals, head(`${auth}content-length: 17\r\n`), '{"signal":"STOP"}');
    expect(small.status).toBe(400);
  });
});
