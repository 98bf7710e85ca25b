// Throughput of the log forwarder: a file of 1,000,000 lines of ~200 bytes, read from the start and
// delivered as NDJSON to an HTTP sink on loopback, with the positions file on. Next to it, in the
// same run: `cat file > /dev/null`, `tail -n +1 file | wc -l`, and fluent-bit's tail input with the
// same sink when a fluent-bit binary is given (--fluent-bit PATH, or on PATH).
//
//   node bench/log-forwarder/run.ts [--lines N] [--source] [--fluent-bit PATH] [--no-pin] [--with ARGS]
//     [--node-flags FLAGS] [--sink http|loki|otlp|otlp-json]
//
// --sink sends the forwarder's records to the sink in Loki's push format or OTLP (protobuf or JSON)
// instead of NDJSON, to compare the sinks' CPU time (fluent-bit stays on its http output).
//
// The forwarder runs from its bundle (packages/log-forwarder/dist, `node scripts/build.ts
// log-forwarder`) or with --source from its TypeScript. It is pinned to one core with taskset when
// there is one; the sink runs in this process. Everything is bounded in time and cleaned up.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CountingSink } from './counting-sink.ts';
import { fluentBitConfig } from './fluent-bit.ts';
import { writeLogFile } from './log-file.ts';
import { type Measured, runMeasured } from './measure.ts';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    source: { type: 'boolean', default: false },
    'fluent-bit': { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '120' },
    /** More forwarder options, for trying settings: --with '--batch-max-records 5000'. */
    with: { type: 'string', default: '' },
    /** Node flags for the forwarder, for profiling: --node-flags '--cpu-prof --cpu-prof-dir=/tmp/prof'. */
    'node-flags': { type: 'string', default: '' },
    sink: { type: 'string', default: 'http' },
  },
});
/** The forwarder's sink options for --sink, at the counting sink's URL. */
const sinkArgs: Record<string, (url: string) => string[]> = {
  http: (url) => ['--http-url', `${url}/ingest`, '--http-format', 'ndjson'],
  loki: (url) => ['--loki-url', url],
  otlp: (url) => ['--otlp-url', url],
  'otlp-json': (url) => ['--otlp-url', url, '--otlp-encoding', 'json'],
};
if (!sinkArgs[values.sink]) throw new Error(`--sink: expected one of ${Object.keys(sinkArgs).join(', ')}`);
const lines = Number(values.lines);
const timeoutMs = Number(values['timeout-s']) * 1000;
const root = join(import.meta.dirname, '..', '..');
const bundle = join(root, 'packages', 'log-forwarder', 'dist', 'log-forwarder.mjs');
const program =
  values.source || !existsSync(bundle) ? join(root, 'packages', 'log-forwarder', 'src', 'main.ts') : bundle;

function findOnPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

const fluentBit = values['fluent-bit'] ?? findOnPath('fluent-bit');
const pin = !values['no-pin'] && findOnPath('taskset') ? ['taskset', '-c', '0'] : [];

function shellSeconds(command: string): number {
  const started = performance.now();
  execFileSync('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'], timeout: timeoutMs });
  return (performance.now() - started) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'lf-bench-'));
// Loki's and OTLP's bodies hold the lines without their newlines: count the lines' `seq=` instead.
const sink = await CountingSink.start(values.sink === 'http' ? '\n' : 'seq=');
const results: { name: string; run: Measured }[] = [];
try {
  const file = join(dir, 'access.log');
  const bytes = await writeLogFile(file, lines);
  const mb = bytes / 1e6;
  console.log(
    `file: ${lines.toLocaleString('en')} lines, ${mb.toFixed(0)} MB (${(bytes / lines).toFixed(0)} bytes a line)`,
  );
  shellSeconds(`cat ${file} > /dev/null`); // warm the page cache, as the app just wrote the file
  const cat = shellSeconds(`cat ${file} > /dev/null`);
  const tail = shellSeconds(`tail -n +1 ${file} | wc -l > /dev/null`);

  const forwarderArgs = [
    ...pin,
    process.execPath,
    ...values['node-flags'].split(' ').filter(Boolean),
    program,
    '--path',
    file,
    '--read-from',
    'beginning',
    '--positions-file',
    join(dir, 'state', 'positions.json'),
    ...sinkArgs[values.sink]!(sink.url),
    '--admin-addr',
    '127.0.0.1:0',
    '--log-level',
    'warn',
    ...values.with.split(' ').filter(Boolean),
  ];
  results.push({
    name: `log-forwarder (${values.sink})`,
    run: await runMeasured(forwarderArgs, sink, lines, timeoutMs),
  });

  if (fluentBit) {
    const config = join(dir, 'fluent-bit.conf');
    writeFileSync(config, fluentBitConfig(file, join(dir, 'fluent-bit.db'), sink.port));
    sink.reset();
    results.push({
      name: 'fluent-bit',
      run: await runMeasured([...pin, fluentBit, '-c', config], sink, lines, timeoutMs),
    });
  } else {
    console.log('fluent-bit: not given (--fluent-bit PATH) and not on PATH; skipped');
  }

  console.log('');
  console.log(
    `cat file > /dev/null            ${cat.toFixed(2)} s  ${(mb / cat).toFixed(0)} MB/s  ${(lines / cat / 1e3).toFixed(0)}k lines/s`,
  );
  console.log(
    `tail -n +1 file | wc -l         ${tail.toFixed(2)} s  ${(mb / tail).toFixed(0)} MB/s  ${(lines / tail / 1e3).toFixed(0)}k lines/s`,
  );
  for (const { name, run } of results) {
    const perSecond = run.received / run.seconds;
    console.log(
      `${name.padEnd(32)}${run.seconds.toFixed(2)} s  ${(mb / run.seconds).toFixed(0)} MB/s  ${(perSecond / 1e3).toFixed(0)}k lines/s` +
        `  cpu ${run.cpuSeconds.toFixed(2)} s  peak RSS ${run.peakRssMiB.toFixed(0)} MiB  received ${run.received.toLocaleString('en')}` +
        `${run.exitCode === undefined ? '' : `  exit ${run.exitCode}`}`,
    );
  }
  const ours = results[0]!.run;
  console.log('');
  console.log(`log-forwarder / cat:   ${(cat / ours.seconds).toFixed(2)}x the speed`);
  console.log(`log-forwarder / tail:  ${(tail / ours.seconds).toFixed(2)}x the speed`);
  const theirs = results.find((r) => r.name === 'fluent-bit')?.run;
  if (theirs)
    console.log(`log-forwarder / fluent-bit: ${(theirs.seconds / ours.seconds).toFixed(2)}x the speed`);
  console.log(
    `target: >= 300k lines/s (${(lines / ours.seconds / 1e3).toFixed(0)}k), < 100 MiB RSS (${ours.peakRssMiB.toFixed(0)})`,
  );
} finally {
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
}
