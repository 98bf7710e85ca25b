import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
import { describe, expect, it } from 'vitest';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

const lines = (child: Child) => child.stderr.split('\n').filter((line) => line.includes('"msg":"line"'));

// A buffered logger gathers lines in memory: each way a process ends must still write every one out.
describe('a buffered logger', () => {
  it.each([
    ['process.exit', 'exit', 3],
    ['an uncaught error', 'throw', 1],
    ['the event loop running out', 'idle', 0],
  ])('loses no line on %s', async (_name, how, code) => {
    const child = new Child(fixture('buffered-log.ts'), [how, '1000']);
    expect((await child.exited).code).toBe(code);
    const written = lines(child);
    expect(written).toHaveLength(1000);
    expect(JSON.parse(written.at(-1)!).i).toBe(999);
  });

  it('loses no line when SIGTERM comes right after the last one', async () => {
    const child = new Child(fixture('buffered-log.ts'), ['wait', '10']);
    await new Promise<void>((resolve) => child.process.stdout!.once('data', () => resolve()));
    // Ten short lines stay under the buffer size: they are only in memory when the signal comes.
    expect(lines(child)).toHaveLength(0);
    child.process.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    expect(lines(child)).toHaveLength(10);
  });

  it('writes what it gathered within a quarter second when nothing else happens', async () => {
    const child = new Child(fixture('buffered-log.ts'), ['wait', '3']);
    await new Promise<void>((resolve) => child.process.stdout!.once('data', () => resolve()));
    await expect.poll(() => lines(child).length, { timeout: 2000 }).toBe(3);
    child.process.kill('SIGTERM');
    await child.exited;
  });
});
