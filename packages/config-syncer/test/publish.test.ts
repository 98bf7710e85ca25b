import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Durability,
  hasChanges,
  manifestName,
  type Published,
  planChanges,
  publishPlan,
  readManifest,
} from '../src/index.ts';
import { makeTempDir } from './helpers.ts';

/** The target side of a syncer run: what it published, kept between publishes as the program does. */
class Target {
  readonly dir = makeTempDir();
  published: Published = new Map();
  readonly durability = new Durability(true, 'test');

  /** A new run: only the manifest's names survive, not the hashes. */
  async restart() {
    const { names } = await readManifest(this.dir);
    this.published = new Map([...names].map((name) => [name, '']));
  }

  async publish(desired: Record<string, string>, verify = false) {
    const files = new Map(Object.entries(desired).map(([name, text]) => [name, Buffer.from(text)]));
    const plan = planChanges(files, this.published, { dir: this.dir, mode: 0o640, owner: undefined, verify });
    this.published = await publishPlan(this.dir, plan, this.published, 0o640, undefined, this.durability);
    return plan;
  }
}

describe('publishing to the target directory', () => {
  it('writes with the mode, skips unchanged content, removes only what it wrote', async () => {
    const target = new Target();
    writeFileSync(join(target.dir, 'theirs.conf'), 'someone else');
    const first = await target.publish({ 'a.yaml': 'a', 'b.yaml': 'b' });
    expect(first.writes.map((w) => `${w.action} ${w.name}`)).toEqual(['create a.yaml', 'create b.yaml']);
    expect(statSync(join(target.dir, 'a.yaml')).mode & 0o777).toBe(0o640);
    expect(hasChanges(await target.publish({ 'a.yaml': 'a', 'b.yaml': 'b' }))).toBe(false);

    await target.restart();
    const next = await target.publish({ 'a.yaml': 'A' });
    expect(next.writes.map((w) => `${w.action} ${w.name}`)).toEqual(['update a.yaml']);
    expect(next.removals).toEqual(['b.yaml']);
    expect(readdirSync(target.dir).sort()).toEqual([manifestName, 'a.yaml', 'theirs.conf']);
    expect(readFileSync(join(target.dir, 'theirs.conf'), 'utf8')).toBe('someone else');
  });

  it('after a restart, files already right on disk are not rewritten', async () => {
    const target = new Target();
    await target.publish({ 'a.yaml': 'a' });
    await target.restart();
    expect(hasChanges(await target.publish({ 'a.yaml': 'a' }))).toBe(false);
  });

  it('a verifying pass repairs a target file edited by hand, and its mode', async () => {
    const target = new Target();
    await target.publish({ 'a.yaml': 'a' });
    writeFileSync(join(target.dir, 'a.yaml'), 'edited', { mode: 0o666 });
    expect(hasChanges(await target.publish({ 'a.yaml': 'a' }))).toBe(false);
    const repaired = await target.publish({ 'a.yaml': 'a' }, true);
    expect(repaired.writes.map((w) => w.name)).toEqual(['a.yaml']);
    expect(readFileSync(join(target.dir, 'a.yaml'), 'utf8')).toBe('a');
    expect(statSync(join(target.dir, 'a.yaml')).mode & 0o777).toBe(0o640);
  });

  it('leaves alone an identical file it did not write: not recorded, never removed', async () => {
    const target = new Target();
    mkdirSync(join(target.dir, 'sub'));
    writeFileSync(join(target.dir, 'same.yaml'), 'same', { mode: 0o640 });
    const found = await target.publish({ 'same.yaml': 'same', 'new.yaml': 'new' }, true);
    expect(found.writes.map((w) => w.name)).toEqual(['new.yaml']);
    expect((await readManifest(target.dir)).names).toEqual(new Set(['new.yaml']));
    const removed = await target.publish({});
    expect(removed.removals).toEqual(['new.yaml']);
    expect(readdirSync(target.dir).sort()).toEqual([manifestName, 'same.yaml', 'sub']);
  });
});
