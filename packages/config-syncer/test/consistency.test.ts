import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { adminUrl, makeTempDir, saveLikeEditor, startSyncer, waitForNthLog, waitUntil } from './helpers.ts';

/** A template reference, `${NAME}`, written so it is not mistaken for a JS placeholder. */
const ref = (expression: string) => `\${${expression}}`;

/** A config big enough that a non-atomic write would be caught half-way by a reader. */
function bigConfig(version: number): string {
  const items = Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `item-${i}-${version}` }));
  return JSON.stringify({ version, items });
}

describe('what a reader of the target sees', () => {
  it('every read parses while the source changes under a reader hammering the target', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    const target = join(dir, 'target');
    mkdirSync(source);
    writeFileSync(join(source, 'big.json'), bigConfig(0));
    const child = startSyncer(['--source', source, '--target', target, '--debounce', '0s']);
    await waitForNthLog(child, 'published', 1);

    let reads = 0;
    const seen = new Set<number>();
    let stop = false;
    onTestFinished(() => {
      stop = true;
    });
    // The reader runs beside the writer (the syncer is another process) and parses every read.
    const reader = (async () => {
      while (!stop) {
        const parsed = JSON.parse(readFileSync(join(target, 'big.json'), 'utf8')) as { version: number };
        seen.add(parsed.version);
        reads += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const changes = 30;
    for (let version = 1; version <= changes; version++) {
      if (version % 2) saveLikeEditor(join(source, 'big.json'), bigConfig(version));
      // Half the changes are written in place: the syncer may read them half-written, so validation
      // must hold them back until the write completes.
      else writeFileSync(join(source, 'big.json'), bigConfig(version));
      await waitUntil(() => seen.has(version) || seen.has(version + 1), 10_000, `version ${version}`);
    }
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(changes);
    expect(seen.has(changes)).toBe(true);
    expect(readdirSync(target).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('an invalid config is never published; the last good one stays and the failure is counted', async () => {
    const dir = makeTempDir();
    const source = join(dir, 'src');
    const target = join(dir, 'target');
    mkdirSync(source);
    writeFileSync(join(source, 'app.yaml'), 'replicas: 1\n');
    writeFileSync(join(source, 'db.json'), '{"pool": 1}');
    const child = startSyncer(
      [
        '--source',
        source,
        '--target',
        target,
        '--template',
        'strict',
        '--check-command',
        "grep -q '^replicas:' app.yaml",
      ],
      { REGION: 'eu' },
    );
    const admin = await adminUrl(child);
    await waitForNthLog(child, 'published', 1);
    const contents: string[] = [];
    let stop = false;
    onTestFinished(() => {
      stop = true;
    });
    const reader = (async () => {
      while (!stop) {
        contents.push(
          readFileSync(join(target, 'app.yaml'), 'utf8'),
          readFileSync(join(target, 'db.json'), 'utf8'),
        );
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();

    const rejected = (n: number) =>
      waitForNthLog(child, 'config rejected; the last good config stays published', n);
    writeFileSync(join(source, 'app.yaml'), 'replicas: [1\n');
    expect((await rejected(1)).reason).toBe('syntax');
    writeFileSync(join(source, 'app.yaml'), `replicas: 2\nregion: ${ref('REGION')}\nzone: ${ref('ZONE')}\n`);
    expect((await rejected(2)).reason).toBe('template');
    writeFileSync(join(source, 'app.yaml'), 'no-replicas: 2\n');
    expect((await rejected(3)).reason).toBe('check');
    // The whole set is held back: a good db.json next to a bad app.yaml is not published either.
    writeFileSync(join(source, 'app.yaml'), 'replicas: 3\nreplicas: 4\n');
    writeFileSync(join(source, 'db.json'), '{"pool": 2}');
    expect((await rejected(4)).reason).toBe('syntax');

    writeFileSync(
      join(source, 'app.yaml'),
      `replicas: 4\nregion: ${ref('REGION')}\nzone: ${ref('ZONE:-a')}\n`,
    );
    await waitForNthLog(child, 'published', 2);
    stop = true;
    await reader;
    expect(readFileSync(join(target, 'app.yaml'), 'utf8')).toBe('replicas: 4\nregion: eu\nzone: a\n');
    // Each file is atomic on its own (two files are renamed one after the other, so a reader may see
    // the new app.yaml beside the old db.json for a moment).
    const good = ['replicas: 1\n', '{"pool": 1}', 'replicas: 4\nregion: eu\nzone: a\n', '{"pool": 2}'];
    expect(contents.length).toBeGreaterThan(10);
    expect(contents.filter((content) => !good.includes(content))).toEqual([]);
    expect(readFileSync(join(target, 'db.json'), 'utf8')).toBe('{"pool": 2}');
    for (const content of contents) expect(() => parseYaml(content)).not.toThrow();

    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toMatch(/config_syncer_validation_failures_total\{reason="syntax"\} 2/);
    expect(metrics).toMatch(/config_syncer_validation_failures_total\{reason="template"\} 1/);
    expect(metrics).toMatch(/config_syncer_validation_failures_total\{reason="check"\} 1/);
    expect(metrics).toMatch(/config_syncer_last_sync_successful 1/);
  });
});
