import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminUrl, Child } from '@toolkit/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';

const program = join(import.meta.dirname, 'fixtures', 'demo-program.ts');
const children: Child[] = [];

function start(args: string[] = [], env: Record<string, string> = {}): Child {
  const child = new Child(program, ['--admin-addr', '127.0.0.1:0', ...args], env);
  children.push(child);
  return child;
}

afterEach(() => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
});

async function status(url: string): Promise<number> {
  return (await fetch(url)).status;
}

/** A raw request with any method (fetch refuses TRACE): status, allow header and body. */
function send(
  url: string,
  method: string,
): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode!, allow: res.headers.allow, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const startsOf = (child: Child) => child.logs.filter((l) => l.msg === 'hook start').map((l) => l.hook);

describe('flags and env', () => {
  it('prints help with every option, its env name and default, and exits 0', async () => {
    const child = start(['--help']);
    expect(await child.exitCode()).toBe(0);
    for (const text of [
      '--greeting',
      'DEMO_PROGRAM_GREETING',
      '(default: hello)',
      '--shutdown-timeout',
      'DEMO_PROGRAM_LOG_LEVEL',
      '--admin-addr HOST:PORT',
      '--token-file PATH',
      '--ca-file PATH',
      'DEMO_PROGRAM_INSECURE_SKIP_VERIFY',
    ]) {
      expect(child.stdout).toContain(text);
    }
    // Endpoints and metrics from the same declaration as the docs.
    expect(child.stdout).toContain(
      'Endpoints (besides /livez, /readyz and /metrics):\n  POST /echo\n      Echoes the body.',
    );
    expect(child.stdout).toContain('  demo_program_echoes_total (counter)\n      Bodies echoed.');
  });

  it('prints the version', async () => {
    const child = start(['--version']);
    expect(await child.exitCode()).toBe(0);
    expect(child.stdout).toBe('demo-program 1.2.3\n');
  });

  it.each([
    [['--greting', 'hi'], {}, 'unknown option --greting'],
    [['--count', 'two'], {}, '--count: invalid value "two": expected an integer >= 1'],
    [[], { DEMO_PROGRAM_PERIOD: 'often' }, 'DEMO_PROGRAM_PERIOD: invalid value "often": expected a duration'],
    [[], { REQUIRE_NEEDED: '1' }, 'missing required option --needed (or DEMO_PROGRAM_NEEDED)'],
    [['--admin-addr', 'nowhere'], {}, '--admin-addr: invalid value "nowhere": expected HOST:PORT'],
    [['--ca-file', '/nonexistent/ca.crt'], {}, '--ca-file: cannot read /nonexistent/ca.crt'],
    [['--client-cert-file', '/etc/hostname'], {}, '--client-cert-file needs --client-key-file'],
  ])('exits 2 on %j %j naming the problem', async (args, env, message) => {
    const child = new Child(program, args as string[], env as Record<string, string>);
    children.push(child);
    expect(await child.exitCode()).toBe(2);
    expect(child.stderr).toContain(message);
    expect(child.stderr).toContain("Run 'demo-program --help'");
  });

  it('exits 2 on a usage error that main finds', async () => {
    const child = start([], { CONFLICT: '1' });
    expect(await child.exitCode()).toBe(2);
    expect(child.stderr).toContain('demo-program: --once and --count 2 do not go together');
  });

  it('reads a secret from a file and finishes with the code main returns', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lc-')), 'token');
    writeFileSync(file, 'from-file\n');
    const child = start(['--once', '--count', '3'], {
      DEMO_PROGRAM_TOKEN_FILE: file,
      DEMO_PROGRAM_GREETING: 'hey',
    });
    expect(await child.exitCode()).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject({ greeting: 'hey', count: 3, tokenValue: 'from-file' });
  });

  it('warns loudly at start when outgoing HTTPS certificates are not verified', async () => {
    const child = start([], { DEMO_PROGRAM_INSECURE_SKIP_VERIFY: 'true' });
    await child.waitForLog((l) => l.msg === 'ready');
    const warning = child.logs.find((l) => String(l.msg).startsWith('--insecure-skip-verify'));
    expect(warning).toMatchObject({ level: 'warn' });
    expect(warning?.msg).toContain('NOT verified');
  });

  it('warns about a prefixed env var that matches no option', async () => {
    const child = start([], { DEMO_PROGRAM_GRETING: 'typo' });
    await child.waitForLog((l) => l.msg === 'ready');
    const warning = child.logs.find((l) => l.env === 'DEMO_PROGRAM_GRETING');
    expect(warning).toMatchObject({ level: 'warn', program: 'demo-program' });
  });
});

/** A raw TCP connection to the admin server; resolves once connected. */
function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the ms until the server closes `socket` (an end or a reset), or -1 after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(-1), ms);
    const closed = () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    };
    socket.once('close', closed);
    socket.on('error', () => {});
    socket.resume();
  });
}

describe('the admin server under slow and many clients', () => {
  it('closes a client that never finishes its request head (slowloris) within the 10 s bound', {
    timeout: 45_000,
  }, async () => {
    const child = start();
    const port = Number(new URL(await adminUrl(child)).port);
    const slow = await openSocket(port);
    slow.write('GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => slow.write('a'), 1000);
    const ms = await closedWithin(slow, 25_000);
    clearInterval(drip);
    // 10 s for the head, checked every 2 s (and a loaded machine's lag); Node's default would be 60 s.
    expect(ms).toBeGreaterThan(9_000);
    expect(ms).toBeLessThan(20_000);
    expect(await status(`${await adminUrl(child)}/livez`)).toBe(200);
  });

  it('holds at most 256 connections: the next is closed at accept, and served again once some close', {
    timeout: 30_000,
  }, async () => {
    const child = start();
    const base = await adminUrl(child);
    const port = Number(new URL(base).port);
    const held = await Promise.all(Array.from({ length: 256 }, () => openSocket(port)));
    const extra = await openSocket(port);
    expect(await closedWithin(extra, 5_000)).toBeGreaterThanOrEqual(0);
    for (const socket of held.slice(0, 10)) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await status(`${base}/livez`)).toBe(200);
    for (const socket of held) socket.destroy();
  });
});

describe('health and metrics', () => {
  it('is not ready until the program says so, live throughout, and not ready again while draining', async () => {
    const child = start(['--shutdown-delay', '1s'], { READY_AFTER_MS: '700' });
    const base = await adminUrl(child);
    expect(await status(`${base}/livez`)).toBe(200);
    const notYet = await fetch(`${base}/readyz`);
    expect(notYet.status).toBe(503);
    expect(await notYet.text()).toBe('not ready: starting\n');
    await child.waitForLog((l) => l.msg === 'ready');
    expect(await status(`${base}/readyz`)).toBe(200);

    child.process.kill('SIGTERM');
    await child.waitForLog((l) => l.msg === 'waiting before closing');
    expect(await status(`${base}/readyz`)).toBe(503);
    expect(await status(`${base}/livez`)).toBe(200);
    expect(await child.exitCode()).toBe(0);
  });

  it('serves default process metrics and build info', async () => {
    const child = start();
    const base = await adminUrl(child);
    const body = await (await fetch(`${base}/metrics`)).text();
    expect(body).toMatch(/^demo_program_build_info\{version="1\.2\.3",node_version="v24\.[\d.]+"\} 1$/m);
    expect(body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^process_resident_memory_bytes \d/m);
    expect(await status(`${base}/nothing`)).toBe(404);
  });

  it('serves the routes a program adds, with 405 for another method', async () => {
    const child = start();
    const base = await adminUrl(child);
    const posted = await fetch(`${base}/echo`, { method: 'POST', body: 'hi' });
    expect(await posted.text()).toBe('echo: hi');
    const got = await fetch(`${base}/echo`);
    expect(got.status).toBe(405);
    expect(got.headers.get('allow')).toBe('POST');
  });

  it('answers /livez, /readyz and /metrics to GET and HEAD only: 405 with Allow to any other method', async () => {
    const child = start();
    const base = await adminUrl(child);
    await child.waitForLog((l) => l.msg === 'ready');
    for (const path of ['/livez', '/readyz', '/metrics']) {
      expect(await send(`${base}${path}`, 'GET')).toMatchObject({ status: 200 });
      // HEAD: the GET status and headers, no body.
      expect(await send(`${base}${path}`, 'HEAD')).toMatchObject({ status: 200, body: '' });
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND', 'OPTIONS']) {
        const answer = await send(`${base}${path}`, method);
        expect(answer, `${method} ${path}`).toEqual({
          status: 405,
          allow: 'GET, HEAD',
          body: `method ${method} not allowed\n`,
        });
      }
    }
    // A program's route keeps the methods it declared.
    expect(await send(`${base}/echo`, 'DELETE')).toMatchObject({ status: 405, allow: 'POST' });
  });

  it('refuses a route the program did not declare in its endpoints (the docs come from them)', async () => {
    const child = start([], { UNDECLARED_ROUTE: '1' });
    expect(await child.exitCode()).toBe(1);
    expect(child.stderr).toContain('GET /undeclared is not in the program');
  });

  it('logs JSON lines with the program name and level, honouring --log-level', async () => {
    const quiet = start(['--log-level', 'warn'], { DEMO_PROGRAM_TYPO: 'x' });
    const verbose = start(['--log-level', 'debug']);
    await verbose.waitForLog((l) => l.msg === 'ready');
    await quiet.waitForLog((l) => l.env === 'DEMO_PROGRAM_TYPO');
    expect(verbose.logs.some((l) => l.level === 'debug' && l.program === 'demo-program')).toBe(true);
    expect(quiet.logs.filter((l) => l.level === 'info' || l.level === 'debug')).toEqual([]);
  });
});

describe('graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s runs the hooks last-registered first and exits 0',
    async (signal) => {
      const child = start([], { HOOKS: 'first:50,second:50,third:50' });
      await child.waitForLog((l) => l.msg === 'ready');
      child.process.kill(signal);
      expect(await child.exitCode()).toBe(0);
      expect(startsOf(child)).toEqual(['third', 'second', 'first']);
      expect(child.logs.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 0 });
    },
  );

  it('writes what the hooks logged through a buffered logger before its "stopped" line', async () => {
    const child = start([], { BUFFERED_HOOK_LOG: '1' });
    await child.waitForLog((l) => l.msg === 'ready');
    child.process.kill('SIGTERM');
    expect(await child.exitCode()).toBe(0);
    expect(child.logs.map((l) => l.msg).slice(-2)).toEqual(['buffered line', 'stopped']);
  });

  it('times out a slow hook, still runs the next, and exits 1', async () => {
    const child = start(['--hook-timeout', '200ms'], { HOOKS: 'after:0,slow:5000' });
    await child.waitForLog((l) => l.msg === 'ready');
    const sent = performance.now();
    child.process.kill('SIGTERM');
    expect(await child.exitCode()).toBe(1);
    expect(performance.now() - sent).toBeLessThan(3000);
    expect(startsOf(child)).toEqual(['slow', 'after']);
    expect(child.logs.find((l) => l.msg === 'shutdown hook "slow" failed')).toBeDefined();
  });

  it('logs and counts a failing hook as exit 1', async () => {
    const child = start([], { HOOKS: 'broken:-1' });
    await child.waitForLog((l) => l.msg === 'ready');
    child.process.kill('SIGTERM');
    expect(await child.exitCode()).toBe(1);
    expect(child.logs.find((l) => l.hook === 'broken' && l.level === 'error')).toBeDefined();
  });

  it('ends a hung shutdown at the overall deadline with exit 1, naming the hook', async () => {
    const child = start(['--hook-timeout', '60s', '--shutdown-timeout', '500ms'], { HOOKS: 'hung:60000' });
    await child.waitForLog((l) => l.msg === 'ready');
    const sent = performance.now();
    child.process.kill('SIGTERM');
    expect(await child.exitCode()).toBe(1);
    expect(performance.now() - sent).toBeLessThan(3000);
    expect(
      child.logs.find((l) => l.msg === 'shutdown deadline exceeded while hook "hung" was running'),
    ).toMatchObject({
      hook: 'hung',
      level: 'error',
    });
  });

  it('exits at once on a second signal', async () => {
    const child = start(['--hook-timeout', '60s'], { HOOKS: 'slow:20000' });
    await child.waitForLog((l) => l.msg === 'ready');
    child.process.kill('SIGTERM');
    await child.waitForLog((l) => l.msg === 'hook start');
    const sent = performance.now();
    child.process.kill('SIGTERM');
    expect(await child.exitCode()).toBe(143);
    expect(performance.now() - sent).toBeLessThan(1000);
    expect(child.logs.find((l) => l.msg === 'second signal: exiting now')).toBeDefined();
  });

  it.each([
    ['exception', 'uncaught exception'],
    ['rejection', 'unhandled rejection'],
    ['fail', 'lost a worker'],
  ])(
    'logs an uncaught %s (or a fail() from the program) and shuts down with exit 1',
    async (crash, message) => {
      const child = start([], { CRASH: crash, HOOKS: 'cleanup:0' });
      expect(await child.exitCode()).toBe(1);
      expect(child.logs.find((l) => l.msg === message)).toMatchObject({ level: 'fatal' });
      expect(startsOf(child)).toEqual(['cleanup']);
    },
  );
});
