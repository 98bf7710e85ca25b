import { describe, expect, it } from 'vitest';
import {
  decodeCmdline,
  formatAge,
  formatBytes,
  formatCommand,
  formatCpuTime,
  orderAsTree,
  parseIo,
  parsePasswd,
  parseSignalName,
  parseStat,
} from '../src/index.ts';

const bytes = (text: string) => Buffer.from(text);

describe('parsers of /proc files', () => {
  it('parses stat fields after the last parenthesis, whatever the command name holds', () => {
    // A command may name itself anything, spaces and parentheses included.
    const line =
      '4242 (evil) S 1 (x) S 17 4242 4242 0 -1 4194560 120 0 0 0 250 75 0 0 20 -5 3 0 123456 10485760 512 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';
    expect(parseStat(bytes(line), line.length)).toEqual({
      comm: 'evil) S 1 (x',
      state: 'S',
      ppid: 17,
      minorFaults: 120,
      majorFaults: 0,
      utime: 250,
      stime: 75,
      nice: -5,
      threads: 3,
      startTicks: 123456,
      vszBytes: 10485760,
      rssPages: 512,
    });
    expect(parseStat(bytes('4242 (cut'), 9)).toBeUndefined();
    expect(parseStat(bytes('4242 (short) S 1 2'), 18)).toBeUndefined();
  });

  it('joins command-line arguments with spaces', () => {
    expect(decodeCmdline(bytes('sleep\u000030\u0000'), 9)).toBe('sleep 30');
    expect(decodeCmdline(bytes(''), 0)).toBe('');
    expect(decodeCmdline(bytes('nginx: worker process\u0000\u0000\u0000'), 24)).toBe('nginx: worker process');
  });

  it('reads storage counters from io, not cancelled_write_bytes', () => {
    const io =
      'rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 99\n';
    expect(parseIo(io)).toEqual({ readBytes: 4096, writeBytes: 8192 });
    expect(parseIo('rchar: 1\n')).toBeUndefined();
  });

  it('maps uids to the first name in passwd', () => {
    const users = parsePasswd(
      'root:x:0:0:root:/root:/bin/bash\nnonroot:x:65532:65532::/home/nonroot:\ntoor:x:0:0::/:\n#bad\n',
    );
    expect(users.get(0)).toBe('root');
    expect(users.get(65532)).toBe('nonroot');
    expect(users.size).toBe(2);
  });
});

describe('formats', () => {
  it('writes bytes, ages, CPU times and commands as ps and top do', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(50 * 1024 ** 2), formatBytes(null)]).toEqual([
      '512B',
      '1.5K',
      '50M',
      '-',
    ]);
    expect([formatAge(59), formatAge(3661), formatAge(2 * 86400 + 5)]).toEqual([
      '00:59',
      '01:01:01',
      '2-00:00:05',
    ]);
    expect(formatCpuTime(83.456)).toBe('1:23.46');
    expect(formatCommand({ cmdline: '', comm: 'kworker/0:1' })).toBe('[kworker/0:1]');
    expect(formatCommand({ cmdline: 'sh -c echo\nrm -rf', comm: 'sh' })).toBe('sh -c echo?rm -rf');
  });

  it('names allowed signals only', () => {
    expect(['TERM', 'sigusr1', ' HUP '].map(parseSignalName)).toEqual(['SIGTERM', 'SIGUSR1', 'SIGHUP']);
    expect(['STOP', 'SIGSEGV', '9', ''].map(parseSignalName)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('orderAsTree', () => {
  it('puts children under their parents, siblings in order, and orphans at the root', () => {
    const processes = [
      { pid: 1, ppid: 0 },
      { pid: 30, ppid: 1 },
      { pid: 20, ppid: 1 },
      { pid: 40, ppid: 20 },
      { pid: 50, ppid: 999 },
    ];
    const rows = orderAsTree(processes, (a, b) => a.pid - b.pid);
    expect(rows.map((row) => [row.process.pid, row.depth])).toEqual([
      [1, 0],
      [20, 1],
      [40, 2],
      [30, 1],
      [50, 0],
    ]);
  });

  it('keeps processes caught in a parent loop', () => {
    const rows = orderAsTree(
      [
        { pid: 2, ppid: 3 },
        { pid: 3, ppid: 2 },
      ],
      (a, b) => a.pid - b.pid,
    );
    expect(rows.map((row) => row.process.pid).sort()).toEqual([2, 3]);
  });
});
