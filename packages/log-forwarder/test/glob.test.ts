import { describe, expect, it } from 'vitest';
import { createPathFilter, globBase, globDepth } from '../src/disk/glob.ts';

describe('globs', () => {
  it('finds the directory to watch and how deep', () => {
    expect(globBase('/logs/app/*.log')).toBe('/logs/app');
    expect(globBase('/logs/*/access.log')).toBe('/logs');
    expect(globDepth('/logs/*/access.log')).toBe(1);
    expect(globDepth('/logs/**/*.log')).toBeUndefined();
  });

  it('follows what an include matches and no exclude does; a bare exclude matches the name', () => {
    const filter = createPathFilter(['/logs/*.log', '/logs/**/*.txt'], ['*.1.log', '/logs/skip/**']);
    expect(filter.matches('/logs/app.log')).toBe(true);
    expect(filter.matches('/logs/app.1.log')).toBe(false);
    expect(filter.matches('/logs/deep/x.txt')).toBe(true);
    expect(filter.matches('/logs/skip/x.txt')).toBe(false);
    expect(filter.matches('/other/app.log')).toBe(false);
    expect(filter.mayContain('/logs/deep')).toBe(true);
    expect(filter.mayContain('/other')).toBe(false);
  });
});
