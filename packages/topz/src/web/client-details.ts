import type { formatAge, formatBytes, formatCommand, formatCpuTime } from '../format.ts';
import type { ThreadsAnswer } from '../proc/threads.ts';
import type { drawChart } from './client-chart.ts';
import type { PageSnapshot } from './page-snapshot.ts';

/** The helpers of the page library the details panel uses (the page passes its whole library). */
export interface DetailsLib {
  formatBytes: typeof formatBytes;
  formatAge: typeof formatAge;
  formatCpuTime: typeof formatCpuTime;
  formatCommand: typeof formatCommand;
  drawChart: typeof drawChart;
}

/**
 * Fills the panel of the selected process: its fields, CPU and RSS charts since the page loaded, its
 * threads (busiest first, from /api/processes/<pid>/threads) and the signal form when topz allows
 * signals. Runs in the browser: it must stand alone, using only `lib`.
 */
export function showDetails(
  lib: DetailsLib,
  snapshot: PageSnapshot,
  selected: number | null,
  history: ReadonlyMap<string, { cpu: number[]; rss: number[] }>,
  threads: ThreadsAnswer | null,
): void {
  const panel = document.getElementById('details') as HTMLElement;
  panel.hidden = selected === null;
  if (selected === null) return;
  const process = snapshot.processes.find((p) => p.pid === selected);
  (document.getElementById('signal-form') as HTMLFormElement).hidden = !process || !snapshot.signalsEnabled;
  const title = document.getElementById('details-title') as HTMLElement;
  title.textContent = process ? `PID ${process.pid} · ${process.comm}` : `PID ${selected} has exited`;
  const percent = (value: number | null, of: string) => (value === null ? '' : ` (${value}% of ${of})`);
  const io = (p: { ioReadBytes: number | null; ioWriteBytes: number | null }) =>
    p.ioReadBytes === null || p.ioWriteBytes === null
      ? 'unreadable (needs the same uid, or CAP_SYS_PTRACE)'
      : `${lib.formatBytes(p.ioReadBytes)} read, ${lib.formatBytes(p.ioWriteBytes)} written`;
  const fields: [string, string][] = process
    ? [
        ['Command', lib.formatCommand(process)],
        ['User', process.user ?? (process.uid === null ? 'unreadable' : `uid ${process.uid}`)],
        ['State', `${process.state}, nice ${process.nice}, ${process.threads} threads`],
        ['Parent', String(process.ppid)],
        [
          'Started',
          `${new Date(process.startTime).toLocaleString()} (${lib.formatAge(process.ageSeconds)} ago)`,
        ],
        ['CPU', `${process.cpuPercent}% of one core${percent(process.cpuLimitPercent, 'its cgroup quota')}`],
        [
          'CPU time',
          `${lib.formatCpuTime(process.cpuSeconds)} (user ${lib.formatCpuTime(process.cpuUserSeconds)}, system ${lib.formatCpuTime(process.cpuSystemSeconds)})`,
        ],
        ['Page faults', `${process.minorFaults} minor, ${process.majorFaults} major (read from disk)`],
        [
          'RSS',
          `${lib.formatBytes(process.rssBytes)}, ${process.memPercent}% of MemTotal${percent(process.memLimitPercent, 'its cgroup limit')}`,
        ],
        [
          'PSS, swap',
          `${process.pssBytes === null ? 'PSS unread (needs the same uid, or CAP_SYS_PTRACE)' : `PSS ${lib.formatBytes(process.pssBytes)}`}, swap ${lib.formatBytes(process.swapBytes)}`,
        ],
        ['VSZ', lib.formatBytes(process.vszBytes)],
        [
          'Open fds',
          process.fds === null
            ? 'unreadable'
            : `${process.fds}${process.fdLimit === null ? '' : ` of ${process.fdLimit} allowed (RLIMIT_NOFILE, ${process.fdLimitPercent}%)`}`,
        ],
        [
          'Context switches',
          process.voluntaryContextSwitches === null
            ? 'unreadable'
            : `${process.voluntaryContextSwitches} voluntary, ${process.involuntaryContextSwitches} involuntary (main thread)`,
        ],
        ['Storage I/O', io(process)],
        ['cgroup', process.cgroup ?? 'unknown'],
      ]
    : [];
  const list = document.getElementById('details-fields') as HTMLElement;
  list.replaceChildren(
    ...fields.flatMap(([label, value]) => {
      const term = document.createElement('dt');
      term.textContent = label;
      const description = document.createElement('dd');
      description.textContent = value;
      return [term, description];
    }),
  );
  const shownThreads = threads && threads.pid === selected ? threads.threads : [];
  const busiest = [...shownThreads]
    .sort((a, b) => b.cpuPercent - a.cpuPercent || a.tid - b.tid)
    .slice(0, 100);
  const threadRows = busiest.map((thread) => {
    const row = document.createElement('tr');
    for (const [text, left] of [
      [String(thread.tid), false],
      [thread.name, true],
      [thread.state, true],
      [thread.cpuPercent.toFixed(1), false],
      [lib.formatCpuTime(thread.cpuUserSeconds + thread.cpuSystemSeconds), false],
      [
        thread.voluntaryContextSwitches === null
          ? '-'
          : `${thread.voluntaryContextSwitches}/${thread.involuntaryContextSwitches}`,
        false,
      ],
    ] as const) {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (left) cell.className = 'left';
      row.append(cell);
    }
    return row;
  });
  (document.getElementById('thread-rows') as HTMLElement).replaceChildren(...threadRows);
  let note = 'loading…';
  if (threads && 'exited' in threads) note = 'the process has exited';
  else if (threads) {
    const more = shownThreads.length > busiest.length ? `, the ${busiest.length} busiest shown` : '';
    note = `${shownThreads.length} threads${more}; CPU% over ${threads.intervalMs ? `${threads.intervalMs}ms` : 'their lifetime'}`;
  }
  (document.getElementById('threads-note') as HTMLElement).textContent = note;
  const points = process ? history.get(`${process.pid}:${process.startTicks}`) : undefined;
  lib.drawChart(
    document.getElementById('proc-cpu-chart') as unknown as SVGSVGElement,
    points?.cpu ?? [],
    100,
  );
  lib.drawChart(document.getElementById('proc-mem-chart') as unknown as SVGSVGElement, points?.rss ?? [], 0);
}

/** Sends the chosen signal to the selected process with the token typed in (kept only in the form). */
export function wireSignalForm(getSelected: () => number | null): void {
  const form = document.getElementById('signal-form') as HTMLFormElement;
  const result = document.getElementById('signal-result') as HTMLElement;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const pid = getSelected();
    if (pid === null) return;
    const data = new FormData(form);
    result.textContent = 'sending…';
    try {
      const response = await fetch(`/api/processes/${pid}/signal`, {
        method: 'POST',
        headers: { authorization: `Bearer ${data.get('token')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ signal: data.get('signal') }),
      });
      const body = (await response.json()) as { signal?: string; error?: string };
      result.textContent = response.ok ? `sent ${body.signal} to ${pid}` : `refused: ${body.error}`;
    } catch (error) {
      result.textContent = `failed: ${(error as Error).message}`;
    }
  });
}
