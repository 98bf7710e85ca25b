import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServerFiles, type Pem } from './helpers/certificates.ts';
import { httpsRequest } from './helpers/client.ts';
import { runLoad } from './helpers/load.ts';
import { bundle, getAdmin, sourceMain, startProgram } from './helpers/program.ts';
import { servingArgs } from './helpers/proxy.ts';
import { TestUpstream } from './helpers/upstream.ts';

describe('the tls-proxy program', () => {
  const upstream = new TestUpstream();
  let ca: Pem;
  let files: { cert: string; key: string };
  const base = () => servingArgs(upstream.url, files);

  beforeAll(async () => {
    await upstream.start();
    ({ ca, files } = await makeServerFiles());
  });
  afterAll(() => upstream.stop());

  it('prints help and exits 2 on a bad flag', async () => {
    const help = new Child(sourceMain, ['--help']);
    expect(await help.exitCode()).toBe(0);
    expect(help.stdout).toContain('--tls-cert FILE');
    expect(help.stdout).toContain('TLS_PROXY_TRUSTED_PROXIES');
    const bad = new Child(sourceMain, ['--upstream', 'ftp://x']);
    // A bad value found when main derives the settings is a usage error too: exit 2.
    expect(await bad.exitCode()).toBe(2);
    expect(bad.stderr).toContain('--upstream: expected an http:// or https:// URL');
    const unknown = new Child(sourceMain, ['--no-such-flag']);
    expect(await unknown.exitCode()).toBe(2);
  });

  it('is ready only while the upstream answers --ready-path', async () => {
    upstream.healthy = false;
    const { child, adminPort } = await startProgram(sourceMain, [
      ...base(),
      '--ready-path',
      '/healthz',
      '--ready-interval',
      '100ms',
    ]);
    try {
      await child.waitForLog((line) => line.msg === 'not ready: upstream check failed');
      expect(await getAdmin(adminPort, '/readyz')).toMatchObject({
        status: 503,
        body: expect.stringContaining('503 on /healthz'),
      });
      upstream.healthy = true;
      await expect.poll(async () => (await getAdmin(adminPort, '/readyz')).status).toBe(200);
    } finally {
      upstream.healthy = true;
      child.process.kill('SIGTERM');
      expect(await child.exitCode()).toBe(0);
    }
  });

  it('on SIGTERM drops readiness, finishes accepted requests, closes keep-alive and exits 0', async () => {
    const { child, httpsPort, adminPort } = await startProgram(sourceMain, [
      ...base(),
      '--shutdown-delay',
      '300ms',
      '--drain-timeout',
      '5s',
    ]);
    const url = `https://127.0.0.1:${httpsPort}`;
    let stopLoad = () => {};
    const load = runLoad(
      `${url}/`,
      ca.cert,
      new Promise<void>((resolve) => {
        stopLoad = resolve;
      }),
      { workers: 4, maxMs: 8000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const slow = Array.from({ length: 3 }, () => httpsRequest(`${url}/slow?ms=700`, { ca: ca.cert }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await getAdmin(adminPort, '/readyz')).status).toBe(503);
    const code = await child.exitCode();
    stopLoad();
    const result = await load;
    expect(code).toBe(0);
    expect((await Promise.all(slow)).map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(result.failures).toEqual([]);
    // Busy keep-alive clients were told `Connection: close` before any idle connection was closed.
    expect(result.resetOnReuse).toBe(0);
    expect(result.ok).toBeGreaterThan(20);
    // Every stderr line is JSON: no Node warning, no stack trace; the access log has its fields.
    expect(
      child.stderr
        .trim()
        .split('\n')
        .every((line) => line.startsWith('{')),
    ).toBe(true);
    expect(child.logs.find((line) => line.msg === 'request' && line.path === '/slow?ms=700')).toMatchObject({
      method: 'GET',
      status: 200,
      client: '127.0.0.1',
      ms: expect.any(Number),
    });
    expect(child.logs.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 0 });
  });

  it('works as the single-file bundle', async () => {
    const built = spawnSync(process.execPath, ['scripts/build.ts', 'tls-proxy'], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(built.status, built.stderr).toBe(0);
    const { child, httpsPort } = await startProgram(bundle, base());
    try {
      const reply = await httpsRequest(`https://127.0.0.1:${httpsPort}/bundled`, { ca: ca.cert });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ url: '/bundled' });
    } finally {
      child.process.kill('SIGTERM');
      expect(await child.exitCode()).toBe(0);
    }
    expect(
      child.stderr
        .trim()
        .split('\n')
        .every((line) => line.startsWith('{')),
    ).toBe(true);
  });
});
