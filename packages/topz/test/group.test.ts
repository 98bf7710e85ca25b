import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@toolkit/test-helpers';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createGroupNamer,
  type GroupSummary,
  GroupTotals,
  overflowGroup,
  parseGroupRule,
  Sampler,
  TopzMetrics,
} from '../src/index.ts';
import { expectBundle, serveBundle } from './helpers/bundle.ts';
import { Children, sleep, waitFor, waitForExec } from './helpers/children.ts';

const children = new Children();
const sampler = new Sampler();
afterEach(() => children.killAll());
afterAll(() => sampler.close());

/** A node child that burns `ms` of CPU (user time), then idles until killed; `marker` names it in argv. */
function burner(marker: string, ms: number): ChildProcess {
  return children.spawn(process.execPath, [
    '-e',
    `while (process.cpuUsage().user < ${ms * 1000}); setInterval(() => {}, 1000);`,
    marker,
  ]);
}

describe('group names', () => {
  it('takes the first --group rule that matches the command line, then --group-by', () => {
    const name = createGroupNamer(
      [
        parseGroupRule('web=nginx: (master|worker)'),
        parseGroupRule('any-nginx=nginx'),
        parseGroupRule('q=^x{1,3}$'),
      ],
      'exe',
    )!;
    expect(name({ comm: 'nginx', cmdline: 'nginx: worker process' })).toBe('web');
    expect(name({ comm: 'nginx', cmdline: '/usr/sbin/nginx -g daemon off;' })).toBe('any-nginx');
    expect(name({ comm: 'node', cmdline: '/usr/local/bin/node server.js' })).toBe('node');
    expect(name({ comm: 'kworker/0:1', cmdline: '' })).toBe('kworker/0:1');
    const byCmdline = createGroupNamer([], 'cmdline')!;
    expect(byCmdline({ comm: 'kthreadd', cmdline: '' })).toBe('[kthreadd]');
    expect(byCmdline({ comm: 'sleep', cmdline: 'sleep 30' })).toBe('sleep 30');
    expect(
      createGroupNamer([parseGroupRule('x=^sleep')], undefined)!({ comm: 'node', cmdline: 'node' }),
    ).toBe(undefined);
    expect(createGroupNamer([], undefined)).toBeUndefined();
  });

  it.each([
    ['nameless', /expected NAME=REGEX/],
    ['=x', /expected NAME=REGEX/],
    ['a=', /a: the regular expression is empty/],
    ['a=(', /a: Invalid regular expression/],
  ])('refuses --group %j', (text, message) => {
    expect(() => parseGroupRule(text)).toThrow(message);
  });
});

describe('GroupTotals over real processes', () => {
  it('keeps what exited members added, so counters only grow across a restart', async () => {
    const marker = `topz-group-${process.pid}-a`;
    const totals = new GroupTotals(createGroupNamer([parseGroupRule(`burners=${marker}`)], undefined)!, 100);
    const group = (groups: GroupSummary[]) => groups.find((g) => g.name === 'burners');
    const first = burner(marker, 300);
    const _second = burner(marker, 300);
    await waitFor(
      () =>
        sampler.sample().processes.filter((p) => p.cmdline.endsWith(marker) && p.cpuSeconds >= 0.25)
          .length === 2,
      10_000,
      'two burners to burn',
    );
    const both = group(totals.update(sampler.sample().processes))!;
    expect(both.processes).toBe(2);
    expect(both.threads).toBeGreaterThanOrEqual(2);
    expect(both.cpuUserSeconds + both.cpuSystemSeconds).toBeGreaterThanOrEqual(0.5);
    expect(both.voluntaryContextSwitches + both.involuntaryContextSwitches).toBeGreaterThan(0);
    expect(both.oldestStartSeconds).toBeGreaterThan(Date.now() / 1000 - 60);

    // One exits: its CPU, faults and switches stay in the group; the gauges drop.
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGKILL');
    await exited;
    const one = group(totals.update(sampler.sample().processes))!;
    expect(one.processes).toBe(1);
    expect(one.rssBytes).toBeLessThan(both.rssBytes);
    for (const field of [
      'cpuUserSeconds',
      'cpuSystemSeconds',
      'minorFaults',
      'voluntaryContextSwitches',
    ] as const)
      expect(one[field], field).toBeGreaterThanOrEqual(both[field]);

    // The other exits too: a group with no process keeps its counters and says 0 processes.
    await children.killAll();
    const none = group(totals.update(sampler.sample().processes))!;
    expect(none).toMatchObject({ processes: 0, threads: 0, rssBytes: 0, oldestStartSeconds: null });
    expect(none.cpuUserSeconds + none.cpuSystemSeconds).toBeCloseTo(
      one.cpuUserSeconds + one.cpuSystemSeconds,
      6,
    );

    // A restart: the new process adds to what the dead left.
    const restarted = burner(marker, 200);
    await waitForExec(restarted.pid!, 'node');
    await sleep(400);
    const again = group(totals.update(sampler.sample().processes))!;
    expect(again.processes).toBe(1);
    expect(again.cpuUserSeconds + again.cpuSystemSeconds).toBeGreaterThan(
      none.cpuUserSeconds + none.cpuSystemSeconds,
    );
  });

  it('counts a process that changes command line (exec) in its new group from then on', async () => {
    const marker = `topz-group-${process.pid}-b`;
    const totals = new GroupTotals(
      createGroupNamer([parseGroupRule(`shells=^sh -c .*${marker}`)], 'comm')!,
      100,
    );
    // A shell that burns CPU until a file appears, then execs sleep: the same PID, another group.
    const dir = mkdtempSync(join(tmpdir(), 'topz-group-'));
    const child = children.spawn('sh', [
      '-c',
      `while [ ! -e ${dir}/go ]; do :; done; exec sleep 30 # ${marker}`,
    ]);
    await waitFor(
      () =>
        sampler
          .sample()
          .processes.find((p) => p.pid === child.pid)
          ?.cmdline.includes(marker),
      5000,
      'sh',
    );
    const before = totals.update(sampler.sample().processes).find((g) => g.name === 'shells')!;
    expect(before.processes).toBe(1);
    writeFileSync(join(dir, 'go'), '');
    await waitForExec(child.pid!, 'sleep');
    const after = totals.update(sampler.sample().processes);
    const shells = after.find((g) => g.name === 'shells')!;
    const sleeps = after.find((g) => g.name === 'sleep')!;
    expect(shells.processes).toBe(0);
    expect(shells.cpuUserSeconds).toBeGreaterThanOrEqual(before.cpuUserSeconds);
    expect(sleeps.processes).toBeGreaterThanOrEqual(1);
    rmSync(dir, { recursive: true });
  });
});

describe('--metrics-max-groups', () => {
  it('folds the processes --group-by would put in further groups into (other); rule groups never fold', async () => {
    const totals = new GroupTotals(createGroupNamer([parseGroupRule('kept=^sleep 29 ')], 'cmdline')!, 100, {
      maxGroups: 3,
      ruleNames: new Set(['kept']),
    });
    // Six distinct command lines, as a shell loop with arguments makes, and one the rule names; only
    // these children are added up (the machine's other processes would fill the groups first).
    const pids = new Set<number>();
    const start = (args: string[]) => pids.add(children.spawn('sleep', args).pid!);
    for (let i = 0; i < 6; i++) start(['30', `0.${i}`]);
    start(['29', '0.9']);
    const ours = () => sampler.sample().processes.filter((p) => pids.has(p.pid) && p.comm === 'sleep');
    await waitFor(() => ours().length === 7, 10_000, 'seven sleeps');
    const groups = totals.update(ours());
    expect(groups.map((g) => g.name).sort()).toEqual(
      [overflowGroup, 'kept', 'sleep 30 0.0', 'sleep 30 0.1', 'sleep 30 0.2'].sort(),
    );
    expect(groups.find((g) => g.name === overflowGroup)!.processes).toBe(3);
    expect(groups.find((g) => g.name === 'kept')!.processes).toBe(1);
    expect(totals.foldedProcesses).toBe(3);

    // The groups stay once seen: a new command line after the first ones exit still folds.
    await children.killAll();
    start(['30', '0.7']);
    await waitFor(() => ours().length === 1, 10_000, 'an eighth sleep');
    const later = totals.update(ours());
    expect(later).toHaveLength(5);
    expect(later.find((g) => g.name === overflowGroup)!.processes).toBe(1);
    expect(totals.foldedProcesses).toBe(4);
  });
});

describe('topz_group_* on /metrics', () => {
  it('serves group series and no per-process series with --metrics-max-processes 0', async () => {
    const marker = `topz-group-${process.pid}-c`;
    const registry = new Registry();
    const metrics = new TopzMetrics(registry, 0, {
      namer: createGroupNamer([parseGroupRule(`app=${marker}`)], undefined)!,
      clockTicks: 100,
    });
    burner(marker, 100);
    await waitFor(() => sampler.sample().processes.some((p) => p.cmdline.endsWith(marker)), 5000, 'burner');
    metrics.record(sampler.sample());
    const text = await registry.metrics();
    expect(text).not.toMatch(/^topz_process_\w+\{/m);
    expect(text).toMatch(/^topz_group_processes\{group="app"\} 1$/m);
    expect(text).toMatch(/^topz_group_cpu_seconds_total\{group="app",mode="user"\} [\d.]+$/m);
    expect(text).toMatch(/^topz_group_context_switches_total\{group="app",type="involuntary"\} \d+$/m);
    const dropped = /^topz_metrics_dropped_processes (\d+)$/m.exec(text)?.[1];
    expect(Number(dropped)).toBeGreaterThan(0);
  });
});

// The program as shipped, with members that start and exit between scrapes; promtool checks the text.
const promtoolMissing = spawnSync('promtool', ['--version']).error !== undefined;
if (promtoolMissing && process.env.CI === 'true') {
  throw new Error('promtool is missing: bash scripts/ensure-prometheus.sh installs it');
}

describe('topz --group (the bundle)', () => {
  let server: ChildProcess | undefined;
  beforeAll(() => {
    expectBundle();
  });
  afterAll(() => server?.kill('SIGKILL'));

  it('keeps group counters monotonic while members exit and restart; promtool accepts the exposition', async () => {
    const marker = `topz-group-${process.pid}-d`;
    let address: string;
    ({ server, address } = await serveBundle([
      ...['--interval', '200ms', '--metrics-max-processes', '0'],
      // Anchored at the end: topz's own command line holds the marker too, followed by more flags.
      ...['--group', `app=${marker}$`, '--group', 'commas=x{1,3}y', '--group-by', 'exe'],
    ]));
    const scrape = async () => (await fetch(`http://${address}/metrics`)).text();
    await waitUntil(async () => /topz_snapshots_total [1-9]/.test(await scrape()), 10_000, 'a snapshot');
    const cpu = (text: string) =>
      ['user', 'system']
        .map((mode) =>
          Number(
            new RegExp(`^topz_group_cpu_seconds_total\\{group="app",mode="${mode}"\\} (\\S+)$`, 'm').exec(
              text,
            )?.[1] ?? Number.NaN,
          ),
        )
        .reduce((a, b) => a + b);
    const processes = (text: string) =>
      Number(/^topz_group_processes\{group="app"\} (\d+)$/m.exec(text)?.[1] ?? Number.NaN);

    const values: number[] = [];
    for (let round = 0; round < 3; round++) {
      const child = burner(marker, 250);
      let text = '';
      await waitUntil(
        async () => {
          text = await scrape();
          return processes(text) === 1 && cpu(text) >= (round + 1) * 0.2;
        },
        10_000,
        `member ${round} counted`,
      );
      values.push(cpu(text));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      let gone = '';
      await waitUntil(
        async () => {
          gone = await scrape();
          return processes(gone) === 0;
        },
        10_000,
        `member ${round} gone`,
      );
      // The dead member's CPU stays: the counter never goes back.
      expect(cpu(gone)).toBeGreaterThanOrEqual(values.at(-1)!);
      values.push(cpu(gone));
    }
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(values.at(-1)).toBeGreaterThanOrEqual(0.6);

    const text = await scrape();
    expect(text).not.toMatch(/^topz_process_\w+\{/m);
    expect(text).toMatch(/^topz_group_processes\{group="node"\} \d+$/m);
    expect(text).toMatch(/^topz_group_oldest_start_time_seconds\{group="node"\} \d+/m);
    if (promtoolMissing) return;
    // promtool lints prom-client's own nodejs_active_handles_total (a gauge named _total): topz's
    // families alone must pass, and nothing it says may be about them.
    const whole = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(whole.stdout + whole.stderr).not.toMatch(/topz_/);
    const ours = text
      .split('\n')
      .filter((line) => /^(# (HELP|TYPE) )?topz_/.test(line))
      .join('\n');
    const checked = spawnSync('promtool', ['check', 'metrics'], { input: `${ours}\n`, encoding: 'utf8' });
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
  }, 60_000);

  it('--group-by cmdline under a shell loop with changing arguments: at most --metrics-max-groups groups, the rest in (other), counted and logged', async () => {
    const marker = `topz-group-${process.pid}-f`;
    // 60 distinct command lines (sleep 0.101, 0.102, …) one after another; bounded to about 10 s.
    const loop = children.spawn('sh', [
      '-c',
      `i=100; while [ $i -lt 160 ]; do i=$((i+1)); sleep 0.$i; done # ${marker}`,
    ]);
    const topz = await serveBundle([
      ...['--interval', '200ms', '--metrics-max-processes', '0'],
      ...['--group', `loop=${marker}$`, '--group-by', 'cmdline', '--metrics-max-groups', '5'],
    ]);
    const { address } = topz;
    try {
      const scrape = async () => (await fetch(`http://${address}/metrics`)).text();
      const folded = (text: string) =>
        Number(/^topz_group_folded_processes_total (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
      // Several of the loop's sleeps come and go while topz sweeps.
      await sleep(2_000);
      let text = '';
      await waitUntil(
        async () => {
          text = await scrape();
          return folded(text) >= 3;
        },
        10_000,
        'processes folded',
      );
      const names = new Set(
        [...text.matchAll(/^topz_group_processes\{group="((?:[^"\\]|\\.)*)"\} \d+$/gm)].map((m) => m[1]),
      );
      // Five by --group-by, the rule's own, and (other).
      expect(names.size).toBeLessThanOrEqual(7);
      expect(names).toContain('(other)');
      expect(names).toContain('loop');
      expect(loop.exitCode).toBe(null);
      expect(topz.log()).toMatch(
        /"level":"warn".*"maxGroups":5.*"group":"\(other\)".*more groups than --metrics-max-groups/,
      );
    } finally {
      topz.server.kill('SIGKILL');
    }
  }, 60_000);
});
