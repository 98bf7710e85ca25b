import { createHmac } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { remote, root, temp, useRemoteRepo } from './helpers/git-fixture.ts';
import { useUpdaters } from './helpers/program.ts';

const token = 'push-hook-secret';

useRemoteRepo();
const startUpdater = useUpdaters();

/** An app's reload endpoint: answers 500 to the first `failFirst` requests, then 200. */
async function startReceiver(failFirst: number) {
  const received: IncomingHttpHeaders[] = [];
  const bodies: string[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push(req.headers);
    bodies.push(body);
    res.writeHead(received.length <= failFirst ? 500 : 200);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/reload`,
    received,
    bodies,
    server,
  };
}

/**
 * A POST on a raw socket: `head` (request line and headers, the blank line included), then up to
 * `bodyBytes` of body in 64 KiB writes, as a chunked body when the head says so, stopping when the
 * server closes. Resolves with the status line, whether the server closed, what was written, how long.
 */
function rawPost(port: number, head: string, bodyBytes: number) {
  const started = performance.now();
  const chunked = /transfer-encoding: chunked/i.test(head);
  return new Promise<{ statusLine: string; closed: boolean; written: number; ms: number }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let written = 0;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({
        statusLine: answer.split('\r\n')[0] ?? '',
        closed,
        written,
        ms: performance.now() - started,
      });
    };
    const timer = setTimeout(() => finish(false), 10_000);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {}); // closed by the server while we still write: expected
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      socket.write(head);
      const piece = Buffer.alloc(64 * 1024, 'x');
      const chunk = chunked
        ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
        : piece;
      const pump = () => {
        while (written < bodyBytes && !socket.destroyed) {
          written += piece.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
  });
}

const post = (url: string, headers: Record<string, string>, body = '{}') =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('POST /sync and notifications', () => {
  test('a signed push webhook publishes at once; the app is told over HTTP (with retries), a command and a file', async () => {
    const receiver = await startReceiver(1);
    try {
      const first = remote.commit({ 'a.txt': 'one' });
      const hashFile = join(temp.path, 'hash-from-command');
      const touchFile = join(temp.path, 'signals', 'commit');
      const child = startUpdater(
        [
          ...['--repo', remote.url, '--root', root, '--period', '0s'],
          ...['--notify-url', receiver.url, '--notify-backoff', '50ms'],
          ...['--notify-command', `echo "$REPO_UPDATER_HASH $(cat a.txt)" > ${hashFile}`],
          ...['--notify-touch-file', touchFile],
        ],
        { REPO_UPDATER_SYNC_TOKEN: token },
      );
      const admin = await child.adminUrl();
      await child.waitForMessage('ready');
      await child.waitForLog((line) => line.msg === 'app notified' && line.hook === 'http');

      const second = remote.commit({ 'a.txt': 'two' });
      const body = JSON.stringify({ ref: 'refs/heads/main', after: second });
      const signature = `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;
      const started = performance.now();
      const response = await post(
        `${admin}/sync?wait`,
        { 'x-hub-signature-256': signature, 'x-github-event': 'push' },
        body,
      );
      const elapsed = performance.now() - started;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ result: 'success', commit: second });
      // With --period 0s nothing else would have synced; the bound only catches a sync that hangs.
      expect(elapsed).toBeLessThan(15_000);
      expect(readlinkSync(join(root, 'current'))).toBe(`.worktrees/${second}`);

      await child.waitForLog(
        (line) => line.msg === 'app notified' && line.hook === 'http' && line.commit === second,
      );
      await child.waitForLog(
        (line) => line.msg === 'app notified' && line.hook === 'command' && line.commit === second,
      );
      await child.waitForLog(
        (line) => line.msg === 'app notified' && line.hook === 'touch' && line.commit === second,
      );
      expect(receiver.received.map((headers) => headers['x-repo-updater-hash'])).toEqual([
        first,
        first,
        second,
      ]);
      // git-sync's header too, so an endpoint written for git-sync's webhook works unchanged.
      expect(receiver.received.map((headers) => headers['gitsync-hash'])).toEqual([first, first, second]);
      expect(JSON.parse(receiver.bodies.at(-1)!)).toMatchObject({ commit: second, ref: 'HEAD' });
      expect(readFileSync(hashFile, 'utf8')).toBe(`${second} two\n`);
      expect(readFileSync(touchFile, 'utf8')).toBe(`${second}\n`);

      // Other senders and refusals.
      remote.commit({ 'a.txt': 'three' });
      expect((await post(`${admin}/sync`, { 'x-gitlab-token': token })).status).toBe(202);
      await child.waitForLog(
        (line) => line.msg === 'published a new commit' && line.commit === remote.head(),
      );
      expect((await post(`${admin}/sync?wait`, { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await post(`${admin}/sync`, { authorization: 'Bearer guess' })).status).toBe(401);
      expect((await post(`${admin}/sync`, { 'x-hub-signature-256': signature })).status).toBe(401);
      expect((await fetch(`${admin}/sync`)).status).toBe(405);

      const metrics = await (await fetch(`${admin}/metrics`)).text();
      for (const name of [
        'repo_updater_syncs_total{result="success"} 3',
        'repo_updater_syncs_total{result="noop"} 1',
        'repo_updater_sync_duration_seconds_bucket',
        'repo_updater_fetches_total{result="ok"} 4',
        'repo_updater_hook_runs_total{hook="http",result="error"} 1',
        'repo_updater_hook_runs_total{hook="http",result="success"} 3',
        'repo_updater_sync_requests_total{result="accepted"} 3',
        'repo_updater_sync_requests_total{result="unauthorized"} 2',
        `repo_updater_commit_info{commit="${remote.head()}"} 1`,
        'repo_updater_last_success_timestamp_seconds',
        'repo_updater_stale 0',
        'repo_updater_consecutive_failures 0',
      ]) {
        expect(metrics).toContain(name);
      }
      expect(metrics).not.toContain(token);
      expect(child.stderr).not.toContain(token);
      child.process.kill('SIGTERM');
      expect(await child.exitCode()).toBe(0);
    } finally {
      receiver.server.close();
    }
  });

  test('POST /sync: the token before the body (401 unread), the declared length before reading (413), what is read capped', async () => {
    remote.commit({ 'a.txt': 'one' });
    const child = startUpdater(['--repo', remote.url, '--root', root, '--period', '0s'], {
      REPO_UPDATER_SYNC_TOKEN: token,
    });
    const port = Number(new URL(await child.adminUrl()).port);
    const ask = (headers: string, bodyBytes = 0) =>
      rawPost(port, `POST /sync HTTP/1.1\r\nHost: x\r\n${headers}\r\n`, bodyBytes);

    // 300 MB announced without a token: 401 at once, the connection closed, the body never read.
    const anonymous = await ask('Content-Length: 300000000\r\n', 300_000_000);
    expect(anonymous).toMatchObject({ statusLine: 'HTTP/1.1 401 Unauthorized', closed: true });
    expect(anonymous.written).toBeLessThan(300_000_000);
    expect(anonymous.ms).toBeLessThan(3_000);
    // A declared length no one sends (it used to hang): 413 at once for a holder of the token.
    const huge = await ask(`Authorization: Bearer ${token}\r\nContent-Length: 99999999999\r\n`);
    expect(huge).toMatchObject({ statusLine: 'HTTP/1.1 413 Payload Too Large', closed: true });
    expect(huge.ms).toBeLessThan(3_000);
    // A malformed GitHub signature can never match: 401 without waiting for the body (none is sent:
    // were it read, no answer would come).
    const malformed = await ask('X-Hub-Signature-256: sha256=00\r\nContent-Length: 300000000\r\n');
    expect(malformed).toMatchObject({ statusLine: 'HTTP/1.1 401 Unauthorized', closed: true });
    expect(malformed.ms).toBeLessThan(3_000);
    // A well-formed one needs the body (hashed as it arrives, never held): read up to the cap, then refused.
    const signature = `sha256=${'0'.repeat(64)}`;
    const signed = await ask(`X-Hub-Signature-256: ${signature}\r\nTransfer-Encoding: chunked\r\n`, 64 << 20);
    expect(signed).toMatchObject({ statusLine: 'HTTP/1.1 413 Payload Too Large', closed: true });
    expect(signed.written).toBeLessThan(64 << 20);

    const metrics = await (await fetch(`${await child.adminUrl()}/metrics`)).text();
    expect(metrics).toContain('repo_updater_sync_requests_total{result="unauthorized"} 2');
    expect(metrics).toContain('repo_updater_sync_requests_total{result="too_large"} 2');
  });

  test('POST /sync is refused without --sync-token', async () => {
    remote.commit({ 'a.txt': 'one' });
    const child = startUpdater(['--repo', remote.url, '--root', root, '--period', '0s']);
    const admin = await child.adminUrl();
    const response = await post(`${admin}/sync`, { authorization: 'Bearer anything' });
    expect(response.status).toBe(403);
  });
});
