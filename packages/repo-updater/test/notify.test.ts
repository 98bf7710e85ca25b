import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HttpTarget,
  NotificationDispatcher,
  parseStatusMatcher,
  splitUrlCredentials,
} from '@toolkit/lifecycle';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { PublishEvent } from '../src/index.ts';
import { LogCapture } from './helpers/updater.ts';

let server: Server;
let url: string;
let answers: number[];
let seen: string[];

beforeEach(async () => {
  answers = [];
  seen = [];
  server = createServer((req, res) => {
    seen.push(String(req.headers['x-repo-updater-hash']));
    res.writeHead(answers.shift() ?? 200);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://user:pa%3Ass@127.0.0.1:${(server.address() as AddressInfo).port}/reload`;
});
afterEach(() => server.close());

function dispatcher(maxAttempts: number, backoffMs: number) {
  const runs: string[] = [];
  const logs = new LogCapture();
  const notifier = new HttpTarget<PublishEvent>({
    label: 'http',
    url: splitUrlCredentials(url),
    method: 'POST',
    accept: parseStatusMatcher(['2xx'])!,
    timeoutMs: 2000,
    headers: (event) => ({ 'x-repo-updater-hash': event.commit }),
  });
  const dispatch = new NotificationDispatcher(
    [notifier],
    { backoff: { initialMs: backoffMs, maxMs: backoffMs }, maxAttempts },
    {
      log: logs.logger,
      fields: (hook, event) => ({ hook, commit: event.commit }),
      eventName: 'commit',
      onResult: (hook, result) => {
        if (result !== 'superseded') runs.push(`${hook}:${result === 'success' ? 'success' : 'error'}`);
      },
    },
  );
  return { dispatch, runs, logs };
}

const event = (commit: string) => ({ commit, ref: 'main', path: `/data/.worktrees/${commit}` });

describe('notifications', () => {
  test('retried with backoff until the app takes it', async () => {
    answers = [503, 500];
    const { dispatch, runs } = dispatcher(5, 10);
    dispatch.notify(event('aaa'));
    await dispatch.idle();
    expect(seen).toEqual(['aaa', 'aaa', 'aaa']);
    expect(runs).toEqual(['http:error', 'http:error', 'http:success']);
  });

  test('a newer commit replaces a pending retry: the app is not told about a tree that is gone', async () => {
    answers = [500, 500, 500];
    const { dispatch } = dispatcher(0, 300);
    dispatch.notify(event('old'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    dispatch.notify(event('new'));
    await dispatch.idle();
    expect(seen[0]).toBe('old');
    expect(seen.filter((hash) => hash === 'old')).toHaveLength(1);
    expect(seen.at(-1)).toBe('new');
  });

  test('gives up on a commit after --notify-max-attempts, and close() ends retries at once', async () => {
    answers = [500, 500, 500, 500];
    const { dispatch, logs } = dispatcher(2, 10);
    dispatch.notify(event('aaa'));
    await dispatch.idle();
    expect(seen).toEqual(['aaa', 'aaa']);
    expect(logs.messages()).toContain('notification failed; giving up on this commit');

    const slow = dispatcher(0, 60_000);
    answers = [500];
    slow.dispatch.notify(event('bbb'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await slow.dispatch.close();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('credentials in the URL become basic auth, not part of the request line', async () => {
    let authorization: string | undefined;
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      authorization = req.headers.authorization;
      res.end();
    });
    const { dispatch } = dispatcher(1, 10);
    dispatch.notify(event('ccc'));
    await dispatch.idle();
    expect(authorization).toBe(`Basic ${Buffer.from('user:pa:ss').toString('base64')}`);
  });
});
