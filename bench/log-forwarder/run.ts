// Throughput of the log forwarder: a file of 1,000,000 lines of ~200 bytes, read from the start and
// delivered as NDJSON to an HTTP sink on loopback, with the positions file on. Next to it, in the
// same run: `cat file > /dev/null`, `tail -n +1 file | wc -l`, and fluent-bit's tail input with the
// same sink when a fluent-bit binary is given (--fluent-bit PATH, or on PATH).
// Modes (--modes, all by default): `plain` (no parsing), `json` (JSON lines, --parse json --time-key
// time; fluent-bit's json parser with Time_Key) and `cri` (kubelet CRI lines, --format cri; fluent-bit's
// cri multiline parser). Each round runs every mode, ours then fluent-bit's, so a change in the
// machine's load falls on both; the medians over --rounds are reported.
//
//   node bench/log-forwarder/run.ts [--lines N] [--rounds N] [--modes plain,json,cri] [--source]
//     [--fluent-bit PATH] [--baseline BUNDLE] [--no-pin] [--with ARGS] [--node-flags FLAGS]
//     [--no-image-flags]
//
// The forwarder runs with the Node flags its image gives it (NODE_OPTIONS in
// images/log-forwarder/Dockerfile: V8's heap sizes), so the memory measured is the memory it has in
// its container; --no-image-flags runs it with Node's defaults.
// --baseline runs another build (say main's bundle) in plain mode in each round, as `baseline plain`.
//
// The forwarder runs from its bundle (packages/log-forwarder/dist, `node scripts/build.ts
// log-forwarder`) or with --source from its TypeScript. It is pinned to one core with taskset when
// there is one; the sink runs in this process. Everything is bounded in time and cleaned up.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CountingSink } from './counting-sink.ts';
import { fluentBitConfig, fluentBitModeSettings, fluentBitParsers, fluentBitSettings } from './fluent-bit.ts';
import { type LogShape, writeLogFile } from './log-file.ts';
import { type Measured, runMeasured } from './measure.ts';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'plain,json,cri' },
    /** Another build of the forwarder (a bundle or main.ts) run beside ours in plain mode, for A/B. */
    baseline: { type: 'string' },
    source: { type: 'boolean', default: false },
    'fluent-bit': { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '120' },
    /** More forwarder options, for trying settings: --with '--batch-max-records 5000'. */
    with: { type: 'string', default: '' },
    /** Node flags for the forwarder, for profiling: --node-flags '--cpu-prof --cpu-prof-dir=/tmp/prof'. */
    'node-flags': { type: 'string', default: '' },
    'no-image-flags': { type: 'boolean', default: false },
  },
});
const lines = Number(values.lines);
const rounds = Math.max(1, Number(values.rounds));
/** What the forwarder is given for each shape of file. */
const modeArgs: Record<LogShape, string[]> = {
  plain: [],
  json: ['--parse', 'json', '--time-key', 'time'],
  cri: ['--format', 'cri'],
};
const modes = values.modes.split(',').filter((mode): mode is LogShape => mode in modeArgs);
const timeoutMs = Number(values['timeout-s']) * 1000;
const root = join(import.meta.dirname, '..', '..');
const bundle = join(root, 'packages', 'log-forwarder', 'dist', 'log-forwarder.mjs');
const program =
  values.source || !existsSync(bundle) ? join(root, 'packages', 'log-forwarder', 'src', 'main.ts') : bundle;

function findOnPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** The flags of `ENV NODE_OPTIONS="..."` in the image's Dockerfile: how the container starts Node. */
function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(join(root, 'images', 'log-forwarder', 'Dockerfile'), 'utf8');
  const options = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile)?.[1] ?? '';
  return options.split(' ').filter(Boolean);
}
const nodeFlags = [
  ...(values['no-image-flags'] ? [] : imageNodeFlags()),
  ...values['node-flags'].split(' ').filter(Boolean),
];

const fluentBit = values['fluent-bit'] ?? findOnPath('fluent-bit');
const pin = !values['no-pin'] && findOnPath('taskset') ? ['taskset', '-c', '0'] : [];

function shellSeconds(command: string): number {
  const started = performance.now();
  execFileSync('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'], timeout: timeoutMs });
  return (performance.now() - started) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'lf-bench-'));
const sink = await CountingSink.start();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Runs by shipper and mode, `log-forwarder plain`, `fluent-bit cri`. */
const results = new Map<string, Measured[]>();
const record = (name: string, run: Measured) => results.set(name, [...(results.get(name) ?? []), run]);
const loadAtStart = loadavg()[0]!;
try {
  const files = new Map<LogShape, { file: string; mb: number }>();
  for (const mode of modes) {
    const file = join(dir, `${mode}.log`);
    const bytes = await writeLogFile(file, lines, mode);
    files.set(mode, { file, mb: bytes / 1e6 });
    console.log(
      `file ${mode}: ${lines.toLocaleString('en')} lines, ${(bytes / 1e6).toFixed(0)} MB (${(bytes / lines).toFixed(0)} bytes a line)`,
    );
  }
  const plainFile = files.get(modes[0]!)!;
  shellSeconds(`cat ${plainFile.file} > /dev/null`); // warm the page cache, as the app just wrote the file
  const cat = shellSeconds(`cat ${plainFile.file} > /dev/null`);
  const tail = shellSeconds(`tail -n +1 ${plainFile.file} | wc -l > /dev/null`);
  const parsers = join(dir, 'parsers.conf');
  writeFileSync(parsers, fluentBitParsers);
  console.log(
    `log-forwarder: node ${nodeFlags.join(' ') || '(no flags)'}${values['no-image-flags'] ? ' (not the image flags)' : ''}; ${modes.map((mode) => `${mode}: ${modeArgs[mode].join(' ') || 'no parsing'}`).join(', ')}`,
  );
  if (fluentBit) {
    console.log(
      `fluent-bit: ${fluentBit}; ${fluentBitSettings}; ${modes.map((mode) => `${mode}: ${fluentBitModeSettings[mode]}`).join(', ')}`,
    );
  } else console.log('fluent-bit: not given (--fluent-bit PATH) and not on PATH; skipped');

  for (let round = 1; round <= rounds; round++) {
    for (const mode of modes) {
      const { file } = files.get(mode)!;
      const state = join(dir, `state-${round}-${mode}`);
      const forwarderArgs = (build: string, positions: string) => [
        ...pin,
        process.execPath,
        ...nodeFlags,
        build,
        '--path',
        file,
        '--read-from',
        'beginning',
        '--positions-file',
        positions,
        '--http-url',
        `${sink.url}/ingest`,
        '--http-format',
        'ndjson',
        '--admin-addr',
        '127.0.0.1:0',
        '--log-level',
        'warn',
        ...modeArgs[mode],
        ...values.with.split(' ').filter(Boolean),
      ];
      sink.reset();
      const ours = forwarderArgs(program, join(state, 'positions.json'));
      record(`log-forwarder ${mode}`, await runMeasured(ours, sink, lines, timeoutMs));
      if (values.baseline && mode === 'plain') {
        sink.reset();
        const baseline = forwarderArgs(values.baseline, join(state, 'baseline-positions.json'));
        record('baseline plain', await runMeasured(baseline, sink, lines, timeoutMs));
      }
      if (fluentBit) {
        const config = join(dir, `fluent-bit-${round}-${mode}.conf`);
        writeFileSync(config, fluentBitConfig(file, `${state}-fluent-bit.db`, sink.port, mode, parsers));
        sink.reset();
        record(
          `fluent-bit ${mode}`,
          await runMeasured([...pin, fluentBit, '-c', config], sink, lines, timeoutMs),
        );
      }
    }
  }

  const mb = plainFile.mb;
  console.log('');
  console.log(
    `cat file > /dev/null            ${cat.toFixed(2)} s  ${(mb / cat).toFixed(0)} MB/s  ${(lines / cat / 1e3).toFixed(0)}k lines/s`,
  );
  console.log(
    `tail -n +1 file | wc -l         ${tail.toFixed(2)} s  ${(mb / tail).toFixed(0)} MB/s  ${(lines / tail / 1e3).toFixed(0)}k lines/s`,
  );
  console.log(`medians of ${rounds} interleaved round(s):`);
  const summary = new Map<string, { perSecond: number; cpuPerMillion: number; rss: number }>();
  for (const [name, runs] of results) {
    const seconds = median(runs.map((run) => run.seconds));
    const perSecond = median(runs.map((run) => run.received / run.seconds));
    const cpuPerMillion = median(runs.map((run) => (run.cpuSeconds / Math.max(1, run.received)) * 1e6));
    const rss = median(runs.map((run) => run.peakRssMiB));
    summary.set(name, { perSecond, cpuPerMillion, rss });
    const short = runs.filter((run) => run.received < lines).length;
    console.log(
      `${name.padEnd(32)}${seconds.toFixed(2)} s  ${(perSecond / 1e3).toFixed(0)}k lines/s  cpu ${cpuPerMillion.toFixed(2)} s per million lines` +
        `  peak RSS ${rss.toFixed(0)} MiB${short ? `  (${short} run(s) short of ${lines} lines)` : ''}`,
    );
  }
  console.log('');
  for (const mode of modes) {
    const ours = summary.get(`log-forwarder ${mode}`)!;
    const theirs = summary.get(`fluent-bit ${mode}`);
    if (theirs) {
      console.log(
        `log-forwarder / fluent-bit (${mode}): ${(ours.perSecond / theirs.perSecond).toFixed(2)}x the lines/s, ` +
          `${(ours.cpuPerMillion / theirs.cpuPerMillion).toFixed(2)}x the CPU per line`,
      );
    }
  }
  const plain = summary.get('log-forwarder plain');
  const baseline = summary.get('baseline plain');
  if (plain && baseline) {
    console.log(
      `log-forwarder / baseline (plain): ${(plain.perSecond / baseline.perSecond).toFixed(2)}x the lines/s, ` +
        `${(plain.cpuPerMillion / baseline.cpuPerMillion).toFixed(2)}x the CPU per line`,
    );
  }
  if (plain) console.log(`log-forwarder / cat:   ${(plain.perSecond / (lines / cat)).toFixed(2)}x the speed`);
  for (const mode of modes) {
    const ours = summary.get(`log-forwarder ${mode}`)!;
    console.log(
      `target (${mode}): >= 500k lines/s (${(ours.perSecond / 1e3).toFixed(0)}k, ${(1 / ours.cpuPerMillion).toFixed(2)} M lines per CPU second), < 100 MiB peak RSS (${ours.rss.toFixed(0)})`,
    );
  }
  const loadAtEnd = loadavg()[0]!;
  console.log(`load average: ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end (2 cores)`);
  if (Math.max(loadAtStart, loadAtEnd) > 4) console.log('warning: the machine was busy; figures are low');
} finally {
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
}
