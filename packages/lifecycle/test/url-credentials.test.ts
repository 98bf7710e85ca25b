import { describe, expect, test } from 'vitest';
import { splitUrlCredentials } from '../src/index.ts';

const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

describe('splitUrlCredentials: user:password@ in a URL becomes Basic auth, never part of the URL or its label', () => {
  test.each([
    ['http://app:3000/-/reload', { href: 'http://app:3000/-/reload', label: 'http://app:3000/-/reload' }],
    [
      'https://bob:s3cret@hooks.example/x?token=t',
      {
        href: 'https://hooks.example/x?token=t',
        label: 'https://hooks.example/x',
        authorization: basic('bob:s3cret'),
      },
    ],
    // Percent-encoded as URLs need them: decoded before encoding as base64.
    [
      'https://b%40b:p%3Aw%2Fd@h.example/',
      { href: 'https://h.example/', label: 'https://h.example/', authorization: basic('b@b:p:w/d') },
    ],
    [
      'https://token@h.example/',
      { href: 'https://h.example/', label: 'https://h.example/', authorization: basic('token:') },
    ],
  ])('%s', (raw, expected) => {
    expect(splitUrlCredentials(raw)).toEqual(expected);
  });

  test('not a URL: a TypeError', () => {
    expect(() => splitUrlCredentials('/-/reload')).toThrow(TypeError);
  });
});
