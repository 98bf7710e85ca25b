import type { formatAge, formatBytes, formatCommand, formatCpuTime, formatPressure } from '../format.ts';
import type { ThreadsAnswer } from '../proc/threads.ts';
import type { ProcessInfo } from '../snapshot.ts';
import type { drawChart } from './client-chart.ts';
import type { showDetails, wireSignalForm } from './client-details.ts';
import type { fillHeader, fillTable, PageColumn } from './client-table.ts';
import type { orderAsTree } from './client-tree.ts';
import type { PageSnapshot } from './page-snapshot.ts';

/** The helpers the page script gets as an argument: their sources are embedded next to it. */
export interface PageLib {
  formatBytes: typeof formatBytes;
  formatAge: typeof formatAge;
  formatCpuTime: typeof formatCpuTime;
  formatCommand: typeof formatCommand;
  formatPressure: typeof formatPressure;
  orderAsTree: typeof orderAsTree;
  drawChart: typeof drawChart;
  fillTable: typeof fillTable;
  fillHeader: typeof fillHeader;
  showDetails: typeof showDetails;
  wireSignalForm: typeof wireSignalForm;
}

/**
 * The web page's script: polls /api/processes once per sampling interval and redraws. It runs in the
 * browser from its source text, so it uses nothing from this module's scope, only `lib`.
 */
export function topzPage(lib: PageLib): void {
  const element = <T extends Element>(id: string) => document.getElementById(id) as unknown as T;
  const columns: PageColumn<ProcessInfo>[] = [
    { key: 'pid', title: 'PID', text: (p) => String(p.pid) },
    { key: 'ppid', title: 'PPID', text: (p) => String(p.ppid) },
    { key: 'user', title: 'USER', text: (p) => p.user ?? (p.uid === null ? '-' : String(p.uid)), left: true },
    { key: 'state', title: 'S', text: (p) => p.state, left: true },
    { key: 'threads', title: 'THR', text: (p) => String(p.threads) },
    { key: 'cpuPercent', title: 'CPU%', text: (p) => p.cpuPercent.toFixed(1) },
    { key: 'memPercent', title: 'MEM%', text: (p) => p.memPercent.toFixed(2) },
    { key: 'rssBytes', title: 'RSS', text: (p) => lib.formatBytes(p.rssBytes) },
    { key: 'vszBytes', title: 'VSZ', text: (p) => lib.formatBytes(p.vszBytes) },
    { key: 'fds', title: 'FDS', text: (p) => (p.fds === null ? '-' : String(p.fds)) },
    { key: 'ioReadBytes', title: 'READ', text: (p) => lib.formatBytes(p.ioReadBytes) },
    { key: 'ioWriteBytes', title: 'WRITE', text: (p) => lib.formatBytes(p.ioWriteBytes) },
    { key: 'ageSeconds', title: 'ELAPSED', text: (p) => lib.formatAge(p.ageSeconds) },
    { key: 'cpuSeconds', title: 'TIME+', text: (p) => lib.formatCpuTime(p.cpuSeconds) },
    { key: 'cmdline', title: 'COMMAND', text: lib.formatCommand, left: true },
  ];
  const view = { sortKey: 'cpuPercent', descending: true, filter: '', tree: false, paused: false };
  let selected: number | null = null;
  let latest: PageSnapshot | null = null;
  /** The threads of the selected process, fetched with each poll while one is selected. */
  let threads: ThreadsAnswer | null = null;
  /** Per-process CPU% and RSS since the page loaded, keyed by pid and start time. */
  const processHistory = new Map<string, { cpu: number[]; rss: number[] }>();

  const compare = (a: ProcessInfo, b: ProcessInfo): number => {
    const x = a[view.sortKey as keyof ProcessInfo];
    const y = b[view.sortKey as keyof ProcessInfo];
    let order = 0;
    if (x === null || y === null) order = x === y ? 0 : x === null ? 1 : -1;
    else if (typeof x === 'number' && typeof y === 'number') order = view.descending ? y - x : x - y;
    else order = (view.descending ? -1 : 1) * String(x).localeCompare(String(y));
    return order || a.pid - b.pid;
  };

  const render = () => {
    lib.fillHeader(element('head'), columns, view.sortKey, view.descending, (key) => {
      view.descending = key === view.sortKey ? !view.descending : key !== 'pid' && key !== 'ppid';
      view.sortKey = key;
      render();
    });
    if (!latest) return;
    const needle = view.filter.trim().toLowerCase();
    const shown = latest.processes.filter(
      (p) => !needle || `${p.pid} ${p.user ?? p.uid} ${p.comm} ${p.cmdline}`.toLowerCase().includes(needle),
    );
    const rows = view.tree
      ? lib.orderAsTree(shown, compare)
      : [...shown].sort(compare).map((p) => ({ process: p, depth: 0 }));
    lib.fillTable(element('rows'), rows, columns, selected, view.tree);
    element('shown').textContent = `${shown.length} of ${latest.processes.length} shown`;
    lib.showDetails(lib, latest, selected, processHistory, threads);
  };

  const summarize = (snapshot: PageSnapshot) => {
    const { totals } = snapshot;
    const states = Object.entries(totals.byState).map(([state, count]) => `${count} ${state}`);
    element('summary').textContent =
      `${totals.processes} processes (${states.join(', ')}), ${totals.threads} threads · CPU ${totals.cpuPercent.toFixed(1)}% ` +
      `(100% = one core; ${snapshot.cpuCount} cores) · RSS ${lib.formatBytes(totals.rssBytes)} · every ${snapshot.intervalMs} ms`;
    const cgroup = snapshot.cgroup;
    element('limits').textContent = cgroup
      ? `cgroup v${cgroup.version} ${cgroup.path}: memory ${cgroup.memoryLimitBytes === null ? 'unlimited' : `limit ${lib.formatBytes(cgroup.memoryLimitBytes)}`}` +
        `${cgroup.memoryUsageBytes === null ? '' : `, ${lib.formatBytes(cgroup.memoryUsageBytes)} used`}; CPU ${cgroup.cpuLimitCores === null ? 'unlimited' : `quota ${cgroup.cpuLimitCores} cores`}`
      : 'no cgroup limits readable';
    element('pressure').textContent = `topz's cgroup: ${lib.formatPressure(snapshot.pressure)}`;
    element('time').textContent = `sampled ${new Date(snapshot.time).toLocaleTimeString()}`;
    element('cpu-now').textContent = `${totals.cpuPercent.toFixed(1)}%`;
    element('mem-now').textContent = lib.formatBytes(totals.rssBytes);
    lib.drawChart(
      element('cpu-chart'),
      snapshot.history.map((h) => h.cpuPercent),
      100,
    );
    lib.drawChart(
      element('mem-chart'),
      snapshot.history.map((h) => h.rssBytes),
      0,
    );
  };

  const remember = (snapshot: PageSnapshot) => {
    const alive = new Set<string>();
    for (const p of snapshot.processes) {
      const key = `${p.pid}:${p.startTicks}`;
      alive.add(key);
      const points = processHistory.get(key) ?? { cpu: [], rss: [] };
      points.cpu.push(p.cpuPercent);
      points.rss.push(p.rssBytes);
      if (points.cpu.length > 120) {
        points.cpu.shift();
        points.rss.shift();
      }
      processHistory.set(key, points);
    }
    for (const key of processHistory.keys()) if (!alive.has(key)) processHistory.delete(key);
  };

  const loadThreads = async (snapshot: PageSnapshot | null) => {
    const pid = selected;
    // An exited process has no threads to ask for (the request would be a 404).
    if (pid === null || !snapshot?.processes.some((p) => p.pid === pid)) {
      threads = null;
      return;
    }
    try {
      const response = await fetch(`/api/processes/${pid}/threads`, { cache: 'no-store' });
      const view = response.ok ? ((await response.json()) as ThreadsAnswer) : null;
      if (selected === pid) threads = view;
    } catch {
      threads = null;
    }
  };

  const poll = async () => {
    let delay = 2000;
    try {
      const response = await fetch('/api/processes', { cache: 'no-store' });
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      const snapshot = (await response.json()) as PageSnapshot;
      delay = Math.max(250, snapshot.intervalMs || 1000);
      remember(snapshot);
      if (!view.paused) await loadThreads(snapshot);
      if (!view.paused) {
        latest = snapshot;
        summarize(snapshot);
        render();
      }
      element('status').textContent = view.paused ? 'paused' : '';
    } catch (error) {
      element('status').textContent = `cannot reach topz: ${(error as Error).message}`;
    }
    setTimeout(poll, delay);
  };

  element<HTMLInputElement>('filter').addEventListener('input', (event) => {
    view.filter = (event.target as HTMLInputElement).value;
    render();
  });
  element<HTMLInputElement>('tree').addEventListener('change', (event) => {
    view.tree = (event.target as HTMLInputElement).checked;
    render();
  });
  element<HTMLButtonElement>('pause').addEventListener('click', (event) => {
    view.paused = !view.paused;
    (event.target as HTMLButtonElement).textContent = view.paused ? 'resume' : 'pause';
    element('status').textContent = view.paused ? 'paused' : '';
  });
  element('rows').addEventListener('click', (event) => {
    const row = (event.target as Element).closest('tr');
    if (!row?.dataset.pid) return;
    selected = Number(row.dataset.pid) === selected ? null : Number(row.dataset.pid);
    threads = null;
    render();
    void loadThreads(latest).then(render);
  });
  element('details-close').addEventListener('click', () => {
    selected = null;
    render();
  });
  lib.wireSignalForm(() => selected);
  render();
  void poll();
}
