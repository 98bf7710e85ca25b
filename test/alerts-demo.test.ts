// Debian's prometheus scrapes the local demo (`pnpm demo`) with every rules file of alerts/ loaded:
// each sidecar's target is up and every rule evaluates without error. Bounded: the demo is up within
// 90 s, the targets and a rule evaluation within 60 s more.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForValue } from '@toolkit/test-helpers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { alertPrograms, rulesFileOf } from '../scripts/alerts.ts';
import type { DemoPorts } from '../scripts/demo/ports.ts';
import { type RunningDemo, startDemo, waitForGuide } from './helpers/demo-run.ts';

const prometheusMissing = spawnSync('prometheus', ['--version']).error;
if (prometheusMissing && process.env.CI === 'true') {
  throw new Error('prometheus is missing: bash scripts/ensure-prometheus.sh installs it');
}

/** How the tests wait for Prometheus: a minute, asking twice a second. */
const poll = (what: string) => ({ what, ms: 60_000, intervalMs: 500 });

/** Each sidecar's metrics port in the demo, by program. */
const metricsPort: Record<string, keyof DemoPorts> = {
  topz: 'topz',
  'config-syncer': 'configSyncer',
  'repo-updater': 'repoUpdater',
  'log-forwarder': 'logForwarder',
  'tls-proxy': 'tlsProxy',
};

describe.skipIf(prometheusMissing !== undefined)(
  'prometheus with the alert rules, over the local demo',
  () => {
    let demo: RunningDemo;
    let prometheus: ChildProcess | undefined;
    let prometheusLog = '';
    let api = '';
    const dir = mkdtempSync(join(tmpdir(), 'toolkit-prometheus-'));

    beforeAll(async () => {
      demo = await startDemo([]);
      await waitForGuide(demo, 90_000);
      const port = await freePort();
      api = `http://127.0.0.1:${port}/api/v1`;
      const config = {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: alertPrograms().map(rulesFileOf),
        // Job names are the programs', as the rules expect (README.md, "Alerts").
        scrape_configs: alertPrograms().map((program) => ({
          job_name: program,
          static_configs: [{ targets: [`127.0.0.1:${demo.ports[metricsPort[program]!]}`] }],
        })),
      };
      writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prometheus.stdout!.on('data', (chunk: Buffer) => {
        prometheusLog += chunk.toString();
      });
      prometheus.stderr!.on('data', (chunk: Buffer) => {
        prometheusLog += chunk.toString();
      });
    }, 120_000);

    afterAll(async () => {
      if (prometheus && prometheus.exitCode === null) {
        const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
        prometheus.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        if (prometheus.exitCode === null) prometheus.kill('SIGKILL');
      }
      if (demo && (await demo.interrupt(30_000)) === null) demo.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    test('every sidecar’s target is up', async () => {
      const targets = await waitForValue(async () => {
        const body = (await (await fetch(`${api}/targets?state=active`)).json()) as {
          data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
        };
        const active = body.data.activeTargets;
        return active.length === alertPrograms().length && active.every((t) => t.health === 'up')
          ? active
          : undefined;
      }, poll('all five targets up')).catch((error) => {
        throw new Error(`${(error as Error).message}\n${prometheusLog.slice(-3000)}`);
      });
      expect(targets.map((target) => target.labels.job).sort()).toEqual(alertPrograms());
    }, 90_000);

    test('every rule of every group evaluates without error', async () => {
      const groups = await waitForValue(async () => {
        const body = (await (await fetch(`${api}/rules`)).json()) as {
          data: {
            groups: {
              name: string;
              rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[];
            }[];
          };
        };
        const all = body.data.groups.flatMap((group) => group.rules);
        const evaluated = all.every((rule) => !rule.lastEvaluation.startsWith('0001-'));
        return body.data.groups.length === alertPrograms().length && evaluated ? body.data.groups : undefined;
      }, poll('every rule evaluated'));
      for (const group of groups) {
        for (const rule of group.rules) {
          expect({ rule: rule.name, health: rule.health, error: rule.lastError ?? '' }).toEqual({
            rule: rule.name,
            health: 'ok',
            error: '',
          });
        }
      }
      // Nothing is wrong in the demo: no toolkit alert fires (kube-state-metrics is absent, so NotReady
      // cannot; the certificate is self-signed for a year).
      const alerts = (await (await fetch(`${api}/alerts`)).json()) as {
        data: { alerts: { labels: { alertname: string }; state: string }[] };
      };
      expect(alerts.data.alerts.filter((alert) => alert.state === 'firing')).toEqual([]);
    }, 90_000);
  },
);
