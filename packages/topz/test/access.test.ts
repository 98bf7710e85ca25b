import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@toolkit/test-helpers';
import bcrypt from 'bcryptjs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUsersFile } from '../src/index.ts';
import { waitFor } from './helpers/children.ts';

// Access control of the page, API and metrics (issue 12 §4): basic auth with bcrypt hashes, or a
// bearer token; the probes stay open. Real topz, real HTTP clients, and the page in Chromium.
const main = join(import.meta.dirname, '../src/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'topz-access-'));
const usersFile = join(dir, 'users');
const tokenFile = join(dir, 'token');
const accessToken = 'access-token-0123456789abcdef';
const password = 'correct horse battery';
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
let topz: ChildProcess;
let base = '';

beforeAll(async () => {
  writeFileSync(
    usersFile,
    `# people\nalice:${bcrypt.hashSync(password, 10)}\n\nbob:${bcrypt.hashSync('other', 10)}\n`,
  );
  writeFileSync(tokenFile, `${accessToken}\n`);
  let stderr = '';
  topz = spawn(
    process.execPath,
    [
      main,
      '--addr=127.0.0.1:0',
      '--interval=300ms',
      '--basic-auth-users-file',
      usersFile,
      '--access-token-file',
      tokenFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
  );
  topz.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  base = `http://${await waitFor(() => /"address":"([\d.]+:\d+)"/.exec(stderr)?.[1], 15_000, 'topz listening')}`;
  // waitUntil awaits its check (waitFor would take the pending promise for a yes).
  await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 15_000, 'ready');
});
afterAll(() => {
  topz?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('access control', () => {
  const paths = ['/', '/topz', '/api/processes', '/metrics'];

  it('leaves /livez and /readyz open', async () => {
    for (const path of ['/livez', '/readyz']) expect((await fetch(`${base}${path}`)).status).toBe(200);
  });

  it('answers 401 with a Basic challenge to no or wrong credentials', async () => {
    const wrong = [
      undefined,
      basic('alice', 'wrong'),
      basic('carol', password),
      basic('alice', ''),
      'Bearer nope',
      'Basic ???',
    ];
    for (const path of paths) {
      for (const authorization of wrong) {
        const response = await fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} });
        expect(response.status, `${path} ${authorization}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Basic realm="topz", charset="UTF-8"');
        expect(await response.text()).not.toMatch(/sleep|node/);
      }
    }
  });

  it('serves whoever has a user and password of the file, or the bearer token', async () => {
    for (const authorization of [basic('alice', password), basic('bob', 'other'), `Bearer ${accessToken}`]) {
      for (const path of paths) {
        const response = await fetch(`${base}${path}`, { headers: { authorization } });
        expect(response.status, `${path} ${authorization}`).toBe(200);
      }
    }
    // curl, another client, with its own basic auth.
    const curl = spawnSync('curl', ['-sf', '-u', `alice:${password}`, `${base}/topz`], { encoding: 'utf8' });
    if (curl.error === undefined) expect(curl.stdout).toMatch(/^ *PID +CPU%/);
  });

  it('leaves the signal endpoint to its own token', async () => {
    const response = await fetch(`${base}/api/processes/1/signal`, {
      method: 'POST',
      headers: { authorization: basic('alice', password) },
      body: '{"signal":"TERM"}',
    });
    expect(response.status).toBe(403);
    expect((await response.json()).error).toMatch(/signals are off/);
  });

  it.skipIf(!existsSync('/usr/bin/chromium') && process.env.CI !== 'true')(
    'the page asks a browser for the user, then polls the API with it',
    async () => {
      const profile = mkdtempSync(join(tmpdir(), 'topz-chromium-'));
      const launch = (httpCredentials?: { username: string; password: string }) =>
        chromium.launchPersistentContext(profile, {
          executablePath: '/usr/bin/chromium',
          headless: true,
          httpCredentials,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--no-first-run',
            '--disable-background-networking',
          ],
        });
      try {
        const anonymous = await launch();
        // Challenged and with nothing to answer, headless Chromium gives up on the page.
        const refused = await (anonymous.pages()[0] ?? (await anonymous.newPage())).goto(base).then(
          (response) => `status ${response?.status()}`,
          (error: Error) => error.message,
        );
        expect(refused).toMatch(/status 401|ERR_INVALID_AUTH_CREDENTIALS/);
        await anonymous.close();
        const browser = await launch({ username: 'alice', password });
        const page = browser.pages()[0] ?? (await browser.newPage());
        const apiStatuses: number[] = [];
        page.on('response', (response) => {
          if (response.url().endsWith('/api/processes')) apiStatuses.push(response.status());
        });
        expect((await page.goto(base))?.status()).toBe(200);
        await page.locator(`#rows tr[data-pid="${topz.pid}"]`).waitFor({ timeout: 20_000 });
        expect(apiStatuses.length).toBeGreaterThan(0);
        expect(apiStatuses.every((status) => status === 200)).toBe(true);
        await browser.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('the users file', () => {
  it('takes bcrypt hashes only, naming the bad line', () => {
    expect([...parseUsersFile(`a:${bcrypt.hashSync('x', 4)}\n# c\n`).keys()]).toEqual(['a']);
    expect(() => parseUsersFile('a:$2y$05$short\n')).toThrow(/line 1: expected user:bcrypt-hash/);
    expect(() => parseUsersFile('# x\nb:plaintext\n')).toThrow(/line 2/);
    expect(() => parseUsersFile('b:$apr1$md5hash$abc\n')).toThrow(/line 1/);
  });

  it('refuses to start on a bad file (exit 2, the option named) or a short token', () => {
    const bad = join(dir, 'bad');
    writeFileSync(bad, 'alice:hunter2\n');
    const run = (args: string[]) =>
      spawnSync(process.execPath, [main, '--once', ...args], { encoding: 'utf8' });
    const badFile = run(['--basic-auth-users-file', bad]);
    expect(badFile.status).toBe(2);
    expect(badFile.stderr).toMatch(/--basic-auth-users-file .*bad: line 1/);
    expect(badFile.stderr).not.toContain('hunter2');
    const short = run(['--access-token', 'short']);
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/--access-token: expected at least 16 characters/);
  });
});
