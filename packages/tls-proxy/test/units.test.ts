import type { IncomingHttpHeaders } from 'node:http';
import { availableParallelism, totalmem } from 'node:os';
import { parseOptions, programOptions } from '@toolkit/lifecycle';
import { describe, expect, it } from 'vitest';
import { definition } from '../src/definition.ts';
import { setForwardedHeaders } from '../src/http/forwarded-headers.ts';
import { stripRequestHopByHop } from '../src/http/hop-by-hop.ts';
import { isTrusted, normalizeAddress, parseTrustedProxies } from '../src/http/trusted-proxies.ts';
import { classifyUpstreamError, isSafeToRetry } from '../src/proxy/upstream-errors.ts';
import {
  autoWorkers,
  deriveSettings,
  maxAutoWorkers,
  memoryPerWorker,
  type TlsProxyConfig,
} from '../src/settings.ts';
import {
  compileAllowList,
  formatClientCertHeader,
  isClientAllowed,
  parseSubjectAltNames,
} from '../src/tls/client-identity.ts';
import { classifyHandshakeError } from '../src/tls/handshake-failures.ts';

describe('allow-lists', () => {
  const identity = (over: Partial<Parameters<typeof isClientAllowed>[0]>) => ({
    commonNames: [],
    dns: [],
    uri: [],
    subject: '',
    hash: 'ab',
    ...over,
  });
  const allow = compileAllowList({
    allowCn: ['billing'],
    allowDns: ['*.shop.internal'],
    allowUri: ['spiffe://cluster.local/ns/shop/sa/*', 'spiffe://cluster.local/ns/ops/**'],
  });

  it('matches one label or segment with *, anything with **, exact CNs', () => {
    expect(isClientAllowed(identity({ commonNames: ['billing'] }), allow)).toBe(true);
    expect(isClientAllowed(identity({ commonNames: ['billing2'] }), allow)).toBe(false);
    expect(isClientAllowed(identity({ dns: ['API.shop.internal'] }), allow)).toBe(true);
    expect(isClientAllowed(identity({ dns: ['a.b.shop.internal'] }), allow)).toBe(false);
    expect(isClientAllowed(identity({ dns: ['shop.internal'] }), allow)).toBe(false);
    expect(isClientAllowed(identity({ uri: ['spiffe://cluster.local/ns/shop/sa/web'] }), allow)).toBe(true);
    expect(isClientAllowed(identity({ uri: ['spiffe://cluster.local/ns/shop/sa/web/x'] }), allow)).toBe(
      false,
    );
    expect(isClientAllowed(identity({ uri: ['spiffe://cluster.local/ns/ops/sa/a/b'] }), allow)).toBe(true);
    expect(isClientAllowed(identity({ uri: ['spiffe://cluster.local/ns/shopx/sa/web'] }), allow)).toBe(false);
    expect(isClientAllowed(identity({}), undefined)).toBe(true);
  });

  it('reads Node SAN strings, quoted values included, and writes XFCC', () => {
    expect(
      parseSubjectAltNames('DNS:a.example, URI:spiffe://x/y, IP Address:127.0.0.1, URI:"http://q/a,b"'),
    ).toEqual([
      { type: 'DNS', value: 'a.example' },
      { type: 'URI', value: 'spiffe://x/y' },
      { type: 'IP Address', value: '127.0.0.1' },
      { type: 'URI', value: 'http://q/a,b' },
    ]);
    expect(
      formatClientCertHeader(identity({ subject: 'CN=a "b"', uri: ['spiffe://x/y'], dns: ['d.example'] })),
    ).toBe('Hash=ab;Subject="CN=a \\"b\\"";URI=spiffe://x/y;DNS=d.example');
  });
});

describe('forwarded headers', () => {
  it('quotes IPv6 in Forwarded and never trusts a peer outside the list', () => {
    const headers: IncomingHttpHeaders = { host: 'shop.example', 'x-forwarded-for': '1.2.3.4' };
    setForwardedHeaders(headers, { client: '2001:db8::1', port: 8443, proto: 'https', trusted: false });
    expect(headers).toMatchObject({
      'x-forwarded-for': '2001:db8::1',
      forwarded: 'for="[2001:db8::1]";proto=https;host=shop.example',
    });
  });

  it('parses trusted proxies and rejects junk', () => {
    const list = parseTrustedProxies(['10.0.0.0/8', 'fd00::/8', '192.168.1.7']);
    expect(isTrusted(list, '10.1.2.3')).toBe(true);
    expect(isTrusted(list, normalizeAddress('::ffff:10.1.2.3'))).toBe(true);
    expect(isTrusted(list, 'fd12::1')).toBe(true);
    expect(isTrusted(list, '192.168.1.8')).toBe(false);
    expect(isTrusted(undefined, '10.1.2.3')).toBe(false);
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '10.0.0.0/x']) {
      expect(() => parseTrustedProxies([bad]), bad).toThrow(/not an IP address or CIDR/);
    }
  });

  it('keeps the framing headers a client names in Connection', () => {
    const headers: IncomingHttpHeaders = {
      connection: 'transfer-encoding, host, x-a',
      'transfer-encoding': 'chunked',
      host: 'h',
      'x-a': '1',
    };
    stripRequestHopByHop(headers);
    expect(headers).toEqual({ 'transfer-encoding': 'chunked', host: 'h' });
  });
});

describe('error classification', () => {
  it('maps upstream errors to 502/504 and handshake errors to a closed set', () => {
    expect(classifyUpstreamError(Object.assign(new Error(), { code: 'ECONNREFUSED' }))).toEqual({
      reason: 'refused',
      status: 502,
    });
    expect(classifyUpstreamError(Object.assign(new Error(), { code: 'ECONNECT_TIMEOUT' }))).toEqual({
      reason: 'connect_timeout',
      status: 504,
    });
    expect(classifyHandshakeError(Object.assign(new Error(), { code: 'ERR_SSL_SOMETHING_NEW' }))).toBe(
      'other',
    );
    expect(classifyHandshakeError(Object.assign(new Error(), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }))).toBe(
      'protocol_version',
    );
  });

  it('retries only idempotent, bodiless requests reset on a reused connection', () => {
    const reset = Object.assign(new Error(), { code: 'ECONNRESET' });
    expect(isSafeToRetry(reset, 'GET', false, true)).toBe(true);
    expect(isSafeToRetry(reset, 'GET', false, false)).toBe(false);
    expect(isSafeToRetry(reset, 'POST', false, true)).toBe(false);
    expect(isSafeToRetry(reset, 'GET', true, true)).toBe(false);
  });
});

describe('--workers', () => {
  it('0 takes one per usable CPU, within the cap and the memory budget', () => {
    const auto = autoWorkers();
    expect(auto).toBeGreaterThanOrEqual(1);
    expect(auto).toBeLessThanOrEqual(Math.min(availableParallelism(), maxAutoWorkers));
    const memory = Math.min(process.constrainedMemory() || Number.POSITIVE_INFINITY, totalmem());
    expect(auto).toBeLessThanOrEqual(Math.max(1, Math.floor(memory / memoryPerWorker)));
  });
});

describe('--mode tcp --upstream', () => {
  const settingsOf = (upstream: string) => {
    const { config } = parseOptions(
      'tls-proxy',
      programOptions(definition),
      ['--mode', 'tcp', '--upstream', upstream],
      {},
    );
    return deriveSettings(config as unknown as TlsProxyConfig);
  };

  it.each([
    ['tcp://127.0.0.1:3000', { host: '127.0.0.1', port: 3000 }],
    ['tcp://[::1]:50051', { host: '::1', port: 50051 }],
    ['tcp://app.internal:443', { host: 'app.internal', port: 443 }],
    ['http://127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['http://127.0.0.1', { host: '127.0.0.1', port: 80 }],
    ['/run/app.sock', { path: '/run/app.sock' }],
    ['unix:/run/app.sock', { path: '/run/app.sock' }],
  ])('%s connects to %j', (upstream, target) => {
    expect(settingsOf(upstream).tcpTarget).toEqual(target);
  });

  it.each([
    'tcp://127.0.0.1',
    'udp://127.0.0.1:53',
    'http://127.0.0.1:8080/app',
    'app.sock',
    'tcp://h:1?x=1',
  ])('refuses %s, naming the option', (upstream) => {
    expect(() => settingsOf(upstream)).toThrow(/^--upstream: with --mode tcp, expected tcp:\/\/HOST:PORT/);
  });
});
