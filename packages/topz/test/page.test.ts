import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Children, waitFor, waitForExec } from './helpers/children.ts';

// The web page in a real browser: Debian's Chromium (scripts/ensure-chromium.sh installs it). Missing,
// the test is skipped, except on CI, where that is a failure.
const executablePath = '/usr/bin/chromium';
const skip = !existsSync(executablePath) && process.env.CI !== 'true';
const token = 'page-test-token-0123456789abcdef';

describe.skipIf(skip)('the web page, in Chromium', () => {
  const children = new Children();
  const profile = mkdtempSync(join(tmpdir(), 'topz-chromium-'));
  let topz: ChildProcess;
  let base = '';
  let browser: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    let stderr = '';
    const main = join(import.meta.dirname, '../src/main.ts');
    topz = spawn(
      process.execPath,
      [main, '--addr=127.0.0.1:0', '--interval', '300ms', '--allow-signals', '--signal-token', token],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
    );
    topz.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const address = await waitFor(
      () => /"address":"([\d.]+:\d+)"/.exec(stderr)?.[1],
      10_000,
      'topz listening',
    );
    base = `http://${address}`;
    browser = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) problems.push(`request elsewhere: ${request.url()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    topz?.kill('SIGTERM');
    await children.killAll();
    rmSync(profile, { recursive: true, force: true });
  });

  const row = (pid: number) => page.locator(`#rows tr[data-pid="${pid}"]`);
  const column = async (index: number) =>
    page.$$eval(`#rows tr td:nth-child(${index})`, (cells) => cells.map((cell) => cell.textContent ?? ''));

  it('shows the processes, keeps updating, sorts, filters, draws a tree, and signals', async () => {
    const marker = children.spawn('sleep', ['136']);
    await waitForExec(marker.pid!, 'sleep');
    await page.goto(base);
    await row(marker.pid!).waitFor({ timeout: 10_000 });
    expect(await row(marker.pid!).locator('td').last().textContent()).toBe('sleep 136');
    expect(await row(marker.pid!).locator('td').nth(1).textContent()).toBe(String(process.pid));

    // Live: the sample time moves on and the history charts gain points.
    const firstTime = await page.textContent('#time');
    await page.waitForFunction(
      (before) => document.getElementById('time')?.textContent !== before,
      firstTime,
    );
    await page.waitForFunction(() => Number(document.getElementById('cpu-chart')?.dataset.points) >= 2);
    expect(await page.getAttribute('#mem-chart path.line', 'd')).toMatch(/^M[\d.]+,[\d.]+ L/);
    expect(await page.textContent('#summary')).toMatch(/\d+ processes .*100% = one core/);

    // Sort by PID (ascending), then CPU% (descending: the default for numbers).
    await page.click('th[data-key="pid"] button');
    expect(await page.getAttribute('th[data-key="pid"]', 'aria-sort')).toBe('ascending');
    const pids = (await column(1)).map(Number);
    expect(pids).toEqual([...pids].sort((a, b) => a - b));
    await page.click('th[data-key="cpuPercent"] button');
    expect(await page.getAttribute('th[data-key="cpuPercent"]', 'aria-sort')).toBe('descending');
    const cpus = (await column(6)).map(Number);
    expect(cpus).toEqual([...cpus].sort((a, b) => b - a));

    // Filter: only matching rows stay.
    await page.fill('#filter', 'sleep 136');
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length <= 2);
    for (const command of await column(15)) expect(command).toContain('sleep 136');
    expect(await row(marker.pid!).count()).toBe(1);

    // Tree: the marker sits under this test process, indented.
    await page.fill('#filter', '');
    await page.check('#tree');
    const order = (await column(1)).map(Number);
    expect(order.indexOf(marker.pid!)).toBeGreaterThan(order.indexOf(process.pid));
    expect(await row(marker.pid!).locator('td').last().textContent()).toBe('└ sleep 136');

    // Details and the signal form: TERM really reaches the process.
    await row(marker.pid!).click();
    await expect.poll(() => page.textContent('#details-title')).toBe(`PID ${marker.pid} · sleep`);
    expect(await page.isVisible('#signal-form')).toBe(true);
    // The new fields, and the process expanded into its threads (sleep has one: itself).
    const fields = (await page.textContent('#details-fields')) ?? '';
    expect(fields).toMatch(/Open fds\d+ of \d+ allowed \(RLIMIT_NOFILE/);
    expect(fields).toMatch(/Context switches\d+ voluntary, \d+ involuntary/);
    expect(fields).toMatch(/PSS, swapPSS [\d.]+[KM], swap 0B/);
    const threadCells = (column: number) =>
      page.$$eval(`#thread-rows tr td:nth-child(${column})`, (cells) => cells.map((c) => c.textContent));
    await expect.poll(() => threadCells(1), { timeout: 5000 }).toEqual([String(marker.pid)]);
    expect(await threadCells(2)).toEqual(['sleep']);
    expect(await page.textContent('#threads-note')).toMatch(/^1 threads; CPU% over/);
    const exited = new Promise((resolve) => marker.once('exit', (_, signal) => resolve(signal)));
    await page.selectOption('#signal-form select', 'TERM');
    await page.fill('#signal-form input[name="token"]', token);
    await page.click('#signal-form button');
    await expect.poll(() => page.textContent('#signal-result')).toBe(`sent SIGTERM to ${marker.pid}`);
    expect(await exited).toBe('SIGTERM');
    await row(marker.pid!).waitFor({ state: 'detached', timeout: 5000 });
    expect(await page.textContent('#details-title')).toBe(`PID ${marker.pid} has exited`);

    expect(problems).toEqual([]);
  }, 60_000);
});
