import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, logsWith, makeTempDir, startServer, startSyncer, waitForNthLog } from './helpers.ts';

describe('telling the app', () => {
  it('webhook down for a while, then up: the latest config is notified exactly once', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    mkdirSync(source);
    writeFileSync(join(source, 'app.json'), '{"v":1}');
    const hook = { up: false };
    const acceptedRevisions: string[] = [];
    const server = await startServer((req, res) => {
      if (hook.up) acceptedRevisions.push(JSON.parse(req.body).revision);
      res.writeHead(hook.up ? 200 : 503).end();
    });
    const child = startSyncer([
      ...['--source', source, '--target', join(dir, 'target'), '--debounce', '0s'],
      ...[
        '--notify-url',
        `${server.url}/-/reload`,
        '--notify-backoff',
        '20ms',
        '--notify-backoff-max',
        '100ms',
      ],
    ]);
    const admin = await adminUrl(child);
    await waitForNthLog(child, 'published', 1);
    for (let v = 2; v <= 4; v++) {
      writeFileSync(join(source, 'app.json'), `{"v":${v}}`);
      await waitForNthLog(child, 'published', v);
    }
    const latest = logsWith(child, 'published')[3]!.revision as string;
    // Retries for the latest revision are under way while the app is still down.
    await child.waitForLog(
      (l) => l.msg === 'notification failed; retrying' && l.revision === latest && (l.attempt as number) >= 2,
    );
    hook.up = true;
    const notified = await waitForNthLog(child, 'app notified', 1);
    expect(notified.revision).toBe(latest);

    // One more change, notified in turn, proves nothing else was still queued in between.
    writeFileSync(join(source, 'app.json'), '{"v":5}');
    await waitForNthLog(child, 'app notified', 2);
    expect(acceptedRevisions).toEqual([latest, logsWith(child, 'published')[4]!.revision]);
    expect(server.requests.length).toBeGreaterThan(4);
    expect(JSON.parse(server.requests.at(-1)!.body)).toMatchObject({ changed: ['app.json'], removed: [] });

    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toContain(
      `config_syncer_notifications_total{notifier="http:${server.url}/-/reload",result="superseded"} 3`,
    );
    expect(metrics).toContain(
      `config_syncer_notifications_total{notifier="http:${server.url}/-/reload",result="success"} 2`,
    );
    expect(metrics).toMatch(/config_syncer_notifications_pending 0/);
  });

  it('runs the notify command with the change in its environment, retrying until it exits 0', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    mkdirSync(source);
    writeFileSync(join(source, 'a.conf'), 'one');
    const log = join(dir, 'notified.log');
    const gate = join(dir, 'app-up');
    // Fails until the "app" is up (the gate file exists), then records what it was told.
    const command = `test -e ${gate} && echo "$CONFIG_REVISION $CHANGED_FILES" >> ${log}`;
    const child = startSyncer([
      ...['--source', source, '--target', join(dir, 'target'), '--notify-command', command],
      ...['--notify-backoff', '20ms', '--notify-backoff-max', '50ms'],
    ]);
    await waitForNthLog(child, 'notification failed; retrying', 2);
    writeFileSync(gate, '');
    const notified = await waitForNthLog(child, 'app notified', 1);
    expect(readFileSync(log, 'utf8')).toBe(`${notified.revision} a.conf\n`);
  });
});
