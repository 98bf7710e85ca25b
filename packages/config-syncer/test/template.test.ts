import { describe, expect, it } from 'vitest';
import { createNameFilter, parseSourceSpec, renderTemplate, validateFile } from '../src/index.ts';

const ref = (expression: string) => `\${${expression}}`;

describe('renderTemplate', () => {
  const env = { HOST: 'db', EMPTY: '' };

  it('substitutes set variables and applies defaults like the shell', () => {
    const text = `host=${ref('HOST')} port=${ref('PORT:-5432')} empty=${ref('EMPTY:-x')} kept=${ref('EMPTY-x')}`;
    expect(renderTemplate(text, env, 'strict')).toEqual({
      text: 'host=db port=5432 empty=x kept=',
      missing: [],
    });
  });

  it('reports unset variables; tolerant mode leaves them as written', () => {
    const text = `a=${ref('NOPE')} b=${ref('NOPE')} c=$NOT_A_REFERENCE`;
    expect(renderTemplate(text, env, 'strict').missing).toEqual(['NOPE']);
    expect(renderTemplate(text, env, 'tolerant')).toEqual({ text, missing: ['NOPE'] });
  });

  it('treats $${NAME} as a literal', () => {
    expect(renderTemplate(`$${ref('HOST')}`, env, 'strict').text).toBe(ref('HOST'));
  });
});

describe('validateFile', () => {
  it.each([
    ['a.json', '{"a": [1, 2]}', undefined],
    ['a.json', '{"a": }', /JSON/],
    ['a.yaml', 'a: 1\n---\nb: 2\n', undefined],
    ['a.yml', 'a: 1\na: 2\n', /unique/i],
    ['a.yaml', '', undefined],
    ['a.toml', '[server]\nport = 8080\n', undefined],
    ['a.toml', '[server\nport = 8080\n', /.+/],
    ['a.conf', 'anything { goes', undefined],
  ])('%s %j', (name, content, expected) => {
    const problem = validateFile(name, Buffer.from(content));
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});

describe('option parsing helpers', () => {
  it('filters names with globs and always skips kubelet internals', () => {
    const accept = createNameFilter(['*.yaml', '*.json'], ['.*', '*~']);
    expect(['a.yaml', 'b.json', 'c.txt', '.d.yaml', 'e.yaml~', '..data'].filter(accept)).toEqual([
      'a.yaml',
      'b.json',
    ]);
    expect(createNameFilter([], [])('..2024_01_01')).toBe(false);
  });

  it('names URL sources after the path or NAME=, and keeps credentials out of the label', () => {
    expect(parseSourceSpec('https://u:p%40ss@cfg.example/v1/app.yaml?sig=1')).toMatchObject({
      kind: 'url',
      name: 'app.yaml',
      url: {
        href: 'https://cfg.example/v1/app.yaml?sig=1',
        label: 'https://cfg.example/v1/app.yaml',
        authorization: `Basic ${Buffer.from('u:p@ss').toString('base64')}`,
      },
    });
    expect(parseSourceSpec('main.toml=http://cfg/render')).toMatchObject({ kind: 'url', name: 'main.toml' });
    expect(() => parseSourceSpec('http://cfg/')).toThrow(/give it a name/);
    expect(parseSourceSpec('./conf')).toMatchObject({ kind: 'directory' });
  });
});
