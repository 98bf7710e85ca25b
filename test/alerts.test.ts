// The alert rules in alerts/: valid for promtool, unit-tested with series that fire and that do not
// (alerts/tests/), built only from metrics the programs declare, and the same as PrometheusRule objects.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import {
  describeMetrics,
  type OptionTable,
  type ProgramDefinition,
} from '../packages/lifecycle/src/index.ts';
import {
  alertPrograms,
  alertsDir,
  prometheusRuleFileOf,
  prometheusRuleText,
  rulesFileOf,
  staleAlertFiles,
} from '../scripts/alerts.ts';
import { listPrograms } from '../scripts/programs.ts';
import { metricNames } from './helpers/promql.ts';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rulesOf = (program: string): Rule[] =>
  (parse(readFileSync(rulesFileOf(program), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (group) => group.rules,
  );
const testFileOf = (program: string) => join(alertsDir, 'tests', `${program}.test.yaml`);

/** Metrics from outside the programs the rules may use: Prometheus' own, and kube-state-metrics'. */
const externalMetrics = ['up', 'kube_pod_init_container_status_ready'];

const promtoolMissing = spawnSync('promtool', ['--version']).error;
if (promtoolMissing && process.env.CI === 'true') {
  throw new Error('promtool is missing: bash scripts/ensure-prometheus.sh installs it');
}
const sidecars = listPrograms().filter((program) => !program.internal);

describe('alert rules (alerts/)', () => {
  test('one rules file per sidecar, each alerting when it is down or not ready', () => {
    expect(alertPrograms()).toEqual(sidecars.map((program) => program.name).sort());
    for (const program of alertPrograms()) {
      const alerts = rulesOf(program).map((rule) => rule.alert);
      expect(
        alerts.some((name) => name.endsWith('Down')),
        program,
      ).toBe(true);
      expect(
        alerts.some((name) => name.endsWith('NotReady')),
        program,
      ).toBe(true);
      for (const rule of rulesOf(program)) {
        expect(rule.labels?.severity, rule.alert).toMatch(/^(warning|critical)$/);
        expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      }
    }
  });

  test.each(sidecars.map((program) => [program.name, program]))(
    '%s: every metric a rule reads is one the program declares',
    async (name, program) => {
      const { definition } = (await import(join(program.dir, 'src', 'definition.ts'))) as {
        definition: ProgramDefinition<OptionTable>;
      };
      const declared = new Set(
        describeMetrics((registry) => definition.metrics(registry)).flatMap((metric) =>
          metric.type === 'histogram'
            ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
            : [metric.name],
        ),
      );
      const used = rulesOf(name).flatMap((rule) => metricNames(rule.expr));
      expect(used.length).toBeGreaterThan(0);
      for (const metric of used) {
        expect(declared.has(metric) || externalMetrics.includes(metric), `${name}: ${metric}`).toBe(true);
      }
    },
  );

  test('the metric-name reader sees through functions, matchers, ranges, groupings and offsets', () => {
    expect(
      metricNames(
        'sum by (job, instance) (rate(a_total{x="b_c"}[5m])) / on (job) group_left b offset 5m > 0.05 and time() - c',
      ),
    ).toEqual(['a_total', 'b', 'c']);
  });

  test.each(alertPrograms().map((program) => [program]))(
    '%s: every alert is unit-tested with series that fire it and series that do not',
    (program) => {
      const { tests } = parse(readFileSync(testFileOf(program), 'utf8')) as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
      };
      const cases = tests.flatMap((group) => group.alert_rule_test ?? []);
      for (const { alert } of rulesOf(program)) {
        const mine = cases.filter((c) => c.alertname === alert);
        expect(
          mine.some((c) => (c.exp_alerts ?? []).length > 0),
          `${alert} fires in a test`,
        ).toBe(true);
        expect(
          mine.some((c) => (c.exp_alerts ?? []).length === 0),
          `${alert} stays quiet in a test`,
        ).toBe(true);
      }
    },
  );

  test('alerts/kubernetes/: the PrometheusRule objects are generated from the rules files and current', () => {
    expect(staleAlertFiles()).toEqual([]);
    for (const program of alertPrograms()) {
      const object = parse(readFileSync(prometheusRuleFileOf(program), 'utf8'));
      expect(object.kind).toBe('PrometheusRule');
      expect(object.spec.groups).toEqual(parse(readFileSync(rulesFileOf(program), 'utf8')).groups);
      expect(readFileSync(prometheusRuleFileOf(program), 'utf8')).toBe(prometheusRuleText(program));
    }
  });

  describe.skipIf(promtoolMissing !== undefined)('promtool (Debian’s prometheus package)', () => {
    test('promtool check rules: every rules file', () => {
      const result = spawnSync('promtool', ['check', 'rules', ...alertPrograms().map(rulesFileOf)], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout.match(/SUCCESS/g)).toHaveLength(alertPrograms().length);
    });

    test.each(alertPrograms().map((program) => [program]))('promtool test rules: %s', (program) => {
      const result = spawnSync('promtool', ['test', 'rules', testFileOf(program)], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain('SUCCESS');
    });

    test('promtool test rules fails when an alert does not fire as a test expects', () => {
      // The same test file over a rules file whose threshold no series reaches.
      const dir = mkdtempSync(join(tmpdir(), 'toolkit-alerts-'));
      const rules = join(dir, 'tls-proxy.rules.yaml');
      writeFileSync(
        rules,
        readFileSync(rulesFileOf('tls-proxy'), 'utf8').replace('< 14 * 86400', '< 1 * 86400'),
      );
      const testFile = join(dir, 'test.yaml');
      writeFileSync(
        testFile,
        readFileSync(testFileOf('tls-proxy'), 'utf8').replace('../tls-proxy.rules.yaml', rules),
      );
      const result = spawnSync('promtool', ['test', 'rules', testFile], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      rmSync(dir, { recursive: true, force: true });
      expect(result.status).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/TlsProxyCertificateExpiresSoon/);
    });
  });
});
