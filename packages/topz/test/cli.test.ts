import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { waitUntil } from '@toolkit/test-helpers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../src/index.ts';
import { bundle, expectBundle, serveBundle } from './helpers/bundle.ts';
import { Children, machineIsQuiet, readProc, sleep, waitFor, waitForExec } from './helpers/children.ts';

// The program as shipped: the bundle `pnpm build` writes, run by node.
const children = new Children();
const env = { PATH: process.env.PATH ?? '' };

beforeAll(() => {
  expectBundle();
});
afterEach(() => children.killAll());

function runTopz(args: string[]) {
  const result = spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', timeout: 20_000, env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('topz --once (the bundle)', () => {
  it('prints a top-like table of every process, with real CPU%', async () => {
    const marker = children.spawn('sleep', ['34']);
    await waitForExec(marker.pid!, 'sleep');
    const result = runTopz(['--once']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^topz .*CPU% over \d+ms, per core \(100 = one core\)/);
    expect(lines[1]).toMatch(/^Processes: \d+ \(.*sleeping/);
    const header = lines.find((line) => line.trimStart().startsWith('PID'))!;
    expect(header.trim().split(/\s+/).slice(0, 3)).toEqual(['PID', 'CPU%', 'MEM%']);
    expect(result.stdout).toMatch(new RegExp(`^ *${marker.pid} +0\\.0 .* ${process.pid} .* sleep 34$`, 'm'));
    expect(result.stderr).toBe('');
  });

  it('redacts secrets in command lines unless --show-full-command-lines', async () => {
    const child = children.spawn('sh', [
      '-c',
      'sleep 60; :',
      'topz-once',
      '--api-key',
      'k-secret',
      'TOKEN=t-secret',
    ]);
    await waitFor(() => readProc(child.pid!, 'cmdline')?.includes('topz-once'));
    const text = runTopz(['--once']);
    expect(text.stdout).toMatch(/ sh -c sleep 60; : topz-once --api-key <redacted> TOKEN=<redacted>$/m);
    const json = runTopz(['--once', '--format', 'json']);
    const redacted = (JSON.parse(json.stdout) as Snapshot).processes.find((p) => p.pid === child.pid);
    expect(redacted?.cmdline).toBe('sh -c sleep 60; : topz-once --api-key <redacted> TOKEN=<redacted>');
    expect(text.stdout + json.stdout).not.toMatch(/k-secret|t-secret/);
    const full = runTopz(['--once', '--format', 'json', '--show-full-command-lines']);
    const whole = (JSON.parse(full.stdout) as Snapshot).processes.find((p) => p.pid === child.pid);
    expect(whole?.cmdline).toBe('sh -c sleep 60; : topz-once --api-key k-secret TOKEN=t-secret');
  });

  it('prints the snapshot as JSON, CPU% measured over --interval', async () => {
    const busy = children.spawn('nice', ['-n', '-5', process.execPath, '-e', 'for (;;) {}']);
    await sleep(300);
    const quiet = machineIsQuiet();
    const result = runTopz(['--once', '--format', 'json', '--interval', '500ms']);
    expect(result.code, result.stderr).toBe(0);
    const snapshot = JSON.parse(result.stdout) as Snapshot;
    expect(snapshot.intervalMs).toBeGreaterThanOrEqual(450);
    expect(snapshot.intervalMs).toBeLessThan(2000);
    // A busy loop gets a whole core only where one is free; elsewhere it still shows well above 0.
    expect(snapshot.processes.find((p) => p.pid === busy.pid)?.cpuPercent).toBeGreaterThan(quiet ? 50 : 10);
    expect(snapshot.totals.processes).toBe(snapshot.processes.length);
  });

  it('leaves itself out with --hide-self', () => {
    const result = runTopz(['--once', '--format', 'json', '--hide-self']);
    const snapshot = JSON.parse(result.stdout) as Snapshot;
    expect(snapshot.hidden).toBe(1);
    // Itself: the topz this worker started (another test file's may run at the same moment).
    expect(
      snapshot.processes.some((p) => p.ppid === process.pid && p.cmdline.includes('topz.mjs --once')),
    ).toBe(false);
    expect(snapshot.processes.some((p) => p.pid === process.pid)).toBe(true);
  });
});

describe('usage errors exit 2 and name the option', () => {
  it.each([
    [['--bogus'], /unknown option --bogus/],
    [['--interval', 'soon'], /--interval: invalid value "soon"/],
    [['--interval', '10ms'], /--interval: expected at least 100ms/],
    [['--format', 'xml', '--once'], /--format: invalid value "xml"/],
    [['--allow-signals'], /--allow-signals needs a token/],
    [['--group', 'web'], /--group: expected NAME=REGEX, got "web"/],
    [['--group', 'web=(unclosed'], /--group: web: Invalid regular expression/],
    [['--group', 'a=x', '--group', 'a=y'], /--group: a is named twice/],
    [
      ['--group', '(other)=x', '--group-by', 'comm'],
      /--group: \(other\) is the group of what --metrics-max-groups folds/,
    ],
    [['--metrics-max-groups', '0'], /--metrics-max-groups: /],
    [['--group-by', 'user'], /--group-by: invalid value "user"/],
    [['--allow-signals', '--signal-token', 'short'], /--signal-token: expected at least 16 characters/],
  ])('%j', (args, message) => {
    const result = runTopz(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('exits 1 when --proc-root cannot be read', () => {
    const result = runTopz(['--once', '--proc-root', '/nonexistent/proc']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed to start: .*\/nonexistent\/proc/);
  });

  it('--help states the CPU scale and the cost of signals', () => {
    const result = runTopz(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--addr HOST:PORT/);
    expect(result.stdout).toMatch(/--interval DURATION[\s\S]*100 = one full core/);
    expect(result.stdout).toMatch(/--allow-signals[\s\S]*Security cost/);
    expect(result.stdout).toMatch(/--signal-token TOKEN \| --signal-token-file PATH/);
  });
});

describe('topz serving (the bundle)', () => {
  let server: ChildProcess | undefined;
  let log = () => '';
  const dir = mkdtempSync(join(tmpdir(), 'topz-cli-'));
  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true });
  });

  it('serves with a token from a file, signals on request, and exits 0 soon after SIGTERM', async () => {
    const token = 'token-from-a-file-0123456789abcdef';
    writeFileSync(join(dir, 'token'), `${token}\n`);
    let address: string;
    ({ server, address, log } = await serveBundle([
      ...['--interval', '200ms', '--allow-signals', '--signal-token-file', join(dir, 'token')],
    ]));
    const base = `http://${address}`;
    await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 10_000, 'ready');
    await waitFor(() => /"msg":"ready"/.test(log()) || undefined, 10_000, 'ready log');

    // The page's script is function source text: bundled, it must still stand alone and compile.
    const page = await (await fetch(`${base}/`)).text();
    const script = /<script>([\s\S]*)<\/script>/.exec(page)![1]!;
    expect(() => new Script(script)).not.toThrow();
    expect(script).not.toMatch(/\b__\w+\(/);

    const target = children.spawn('sleep', ['35']);
    await waitForExec(target.pid!, 'sleep');
    await sleep(500);
    const exited = new Promise((resolve) => target.once('exit', (_, signal) => resolve(signal)));
    const response = await fetch(`${base}/api/processes/${target.pid}/signal`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: 'signal=TERM',
    });
    expect(response.status).toBe(200);
    expect(await exited).toBe('SIGTERM');
    expect(log()).toMatch(/"signal":"SIGTERM".*"msg":"signal sent"/);

    const stopped = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    const before = performance.now();
    server.kill('SIGTERM');
    expect(await stopped).toBe(0);
    expect(performance.now() - before).toBeLessThan(1500);
  });
});
