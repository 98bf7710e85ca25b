import { createHash } from 'node:crypto';
import { formatAge, formatBytes, formatCommand, formatCpuTime, formatPressure } from '../format.ts';
import { topzPage } from './client.ts';
import { drawChart } from './client-chart.ts';
import { showDetails, wireSignalForm } from './client-details.ts';
import { fillHeader, fillTable } from './client-table.ts';
import { orderAsTree } from './client-tree.ts';
import { pageStyle } from './page-style.ts';

export interface Page {
  html: string;
  /** A Content-Security-Policy that allows this page's own inline script and style, and nothing else. */
  policy: string;
}

/**
 * The live web page at `/`: one HTML document with inline CSS, JS and SVG, nothing loaded from
 * elsewhere. The script is the source text of `topzPage` and its helpers, so it is type-checked with
 * the rest; each of those functions stands alone (a coverage tool that instruments them would break
 * the page, as their text then calls its counters).
 */
export function renderPage(): Page {
  const lib = {
    formatBytes,
    formatAge,
    formatCpuTime,
    formatCommand,
    formatPressure,
    orderAsTree,
    drawChart,
    fillTable,
    fillHeader,
    showDetails,
    wireSignalForm,
  };
  const entries = Object.entries(lib).map(([name, fn]) => `${name}: ${fn.toString()}`);
  const script = `\n(${topzPage.toString()})({\n${entries.join(',\n')}\n});\n`;
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const policy = [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(pageStyle)}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>topz</title>
<style>${pageStyle}</style>
</head>
<body>
<header>
  <h1>topz</h1>
  <span id="summary">loading…</span>
  <span id="time"></span>
  <span id="status" role="status"></span>
</header>
<p id="limits"></p>
<p id="pressure"></p>
<section class="charts">
  <figure><figcaption>CPU <b id="cpu-now"></b> <small>(100% = one core)</small></figcaption>
    <svg id="cpu-chart" viewBox="0 0 100 30" preserveAspectRatio="none" role="img" aria-label="CPU history"></svg></figure>
  <figure><figcaption>Memory (RSS) <b id="mem-now"></b></figcaption>
    <svg id="mem-chart" viewBox="0 0 100 30" preserveAspectRatio="none" role="img" aria-label="memory history"></svg></figure>
</section>
<section id="details" hidden>
  <h2><span id="details-title"></span><button id="details-close" type="button" aria-label="close">×</button></h2>
  <div class="charts">
    <figure><figcaption>CPU %</figcaption><svg id="proc-cpu-chart" viewBox="0 0 100 30" preserveAspectRatio="none"></svg></figure>
    <figure><figcaption>RSS</figcaption><svg id="proc-mem-chart" viewBox="0 0 100 30" preserveAspectRatio="none"></svg></figure>
  </div>
  <dl id="details-fields"></dl>
  <form id="signal-form" hidden autocomplete="off">
    <select name="signal" aria-label="signal">${['TERM', 'INT', 'HUP', 'QUIT', 'USR1', 'USR2', 'KILL'].map((s) => `<option>${s}</option>`).join('')}</select>
    <input name="token" type="password" placeholder="signal token" aria-label="signal token" required>
    <button type="submit">send signal</button>
    <span id="signal-result" role="status"></span>
  </form>
  <h3>Threads <small id="threads-note"></small></h3>
  <table id="threads">
    <thead><tr><th>TID</th><th class="left">NAME</th><th class="left">S</th><th>CPU%</th><th>TIME+</th><th>CSW vol/invol</th></tr></thead>
    <tbody id="thread-rows"></tbody>
  </table>
</section>
<div class="controls">
  <input id="filter" type="search" placeholder="filter by pid, user or command" aria-label="filter">
  <label><input id="tree" type="checkbox"> tree</label>
  <button id="pause" type="button">pause</button>
  <span id="shown"></span>
</div>
<table>
  <thead id="head"></thead>
  <tbody id="rows"></tbody>
</table>
<script>${script}</script>
</body>
</html>
`;
  return { html, policy };
}
