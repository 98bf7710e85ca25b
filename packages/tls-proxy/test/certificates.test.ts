import { X509Certificate } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCa,
  issueServerCertificate,
  makeTempDir,
  type Pem,
  writePair,
} from './helpers/certificates.ts';
import { tryHandshake } from './helpers/client.ts';
import { runLoad } from './helpers/load.ts';
import { metricValue, servingArgs, startProxy } from './helpers/proxy.ts';
import { servedFingerprint } from './helpers/served-certificate.ts';
import { TestUpstream } from './helpers/upstream.ts';

const fingerprint = (pem: Pem) => new X509Certificate(pem.cert).fingerprint256;

/** Writes next to the file and renames over it, as an atomic writer would. */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** What the kubelet does with a Secret volume: files are symlinks through `..data` to a timestamped dir. */
class SecretVolume {
  readonly dir = makeTempDir('tls-proxy-secret-');
  #generation = 0;

  constructor(pem: Pem) {
    this.#publish(pem);
    symlinkSync('..data/tls.crt', join(this.dir, 'tls.crt'));
    symlinkSync('..data/tls.key', join(this.dir, 'tls.key'));
  }

  /** New timestamped dir, `..data_tmp` pointing at it, renamed over `..data`, old dir removed. */
  swap(pem: Pem): void {
    const old = `..gen_${this.#generation}`;
    this.#publish(pem);
    rmSync(join(this.dir, old), { recursive: true });
  }

  #publish(pem: Pem): void {
    this.#generation += 1;
    const name = `..gen_${this.#generation}`;
    mkdirSync(join(this.dir, name));
    writeFileSync(join(this.dir, name, 'tls.crt'), pem.cert);
    writeFileSync(join(this.dir, name, 'tls.key'), pem.key);
    symlinkSync(name, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
  }

  get paths() {
    return { cert: join(this.dir, 'tls.crt'), key: join(this.dir, 'tls.key') };
  }
}

describe('certificate reload', () => {
  const upstream = new TestUpstream();
  let ca: Pem;
  beforeAll(async () => {
    await upstream.start();
    ca = await createCa();
  });
  afterAll(() => upstream.stop());

  it('rotates under load without a failed request', async () => {
    const first = await issueServerCertificate(ca);
    const second = await issueServerCertificate(ca, 60);
    const files = writePair(makeTempDir(), first);
    const proxy = await startProxy([...servingArgs(upstream.url, files)]);
    try {
      let finish = () => {};
      const load = runLoad(
        `${proxy.url}/`,
        ca.cert,
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      replaceFile(files.key, second.key);
      replaceFile(files.cert, second.cert);
      await expect.poll(() => servedFingerprint(proxy.port), { timeout: 5000 }).toBe(fingerprint(second));
      await new Promise((resolve) => setTimeout(resolve, 300));
      finish();
      const result = await load;
      expect(result.failures).toEqual([]);
      expect(result.ok).toBeGreaterThan(20);
      expect(
        await metricValue(proxy.registry, 'tls_proxy_certificate_reloads_total', { result: 'success' }),
      ).toBe(1);
      const expiry = await metricValue(proxy.registry, 'tls_proxy_certificate_expiry_timestamp_seconds');
      expect(Math.round((expiry * 1000 - Date.now()) / 86_400_000)).toBe(60);
    } finally {
      await proxy.stop();
    }
  });

  it('follows a Secret volume ..data swap through the directory watch alone', async () => {
    const first = await issueServerCertificate(ca);
    const second = await issueServerCertificate(ca);
    const volume = new SecretVolume(first);
    const proxy = await startProxy([
      '--upstream',
      upstream.url,
      '--tls-cert',
      volume.paths.cert,
      '--tls-key',
      volume.paths.key,
      '--cert-check-interval',
      '0s',
    ]);
    try {
      expect(await servedFingerprint(proxy.port)).toBe(fingerprint(first));
      volume.swap(second);
      await expect.poll(() => servedFingerprint(proxy.port), { timeout: 5000 }).toBe(fingerprint(second));
      // And again: a watch on the old file path would have gone stale after the first swap.
      volume.swap(first);
      await expect.poll(() => servedFingerprint(proxy.port), { timeout: 5000 }).toBe(fingerprint(first));
    } finally {
      await proxy.stop();
    }
  });

  it('keeps the old pair when the new key does not match, and reports it once', async () => {
    const first = await issueServerCertificate(ca);
    const second = await issueServerCertificate(ca);
    const files = writePair(makeTempDir(), first);
    const proxy = await startProxy([...servingArgs(upstream.url, files), '--tls-min-version', 'TLSv1.3']);
    try {
      replaceFile(files.cert, second.cert); // key still the first one's
      await proxy.proxy.checkCertificate();
      await proxy.proxy.checkCertificate();
      expect(await servedFingerprint(proxy.port)).toBe(fingerprint(first));
      expect(
        await metricValue(proxy.registry, 'tls_proxy_certificate_reloads_total', { result: 'failure' }),
      ).toBe(1);

      replaceFile(files.key, second.key);
      await proxy.proxy.checkCertificate();
      expect(await servedFingerprint(proxy.port)).toBe(fingerprint(second));
      // The reload rebuilt the context with the whole policy, not Node's defaults.
      expect(await tryHandshake(proxy.port, { ca: ca.cert, maxVersion: 'TLSv1.2' })).toHaveProperty('error');
    } finally {
      await proxy.stop();
    }
  });

  it('refuses to start on a mismatched pair', async () => {
    const files = writePair(makeTempDir(), {
      cert: (await issueServerCertificate(ca)).cert,
      key: (await issueServerCertificate(ca)).key,
    });
    await expect(startProxy(servingArgs(upstream.url, files))).rejects.toThrow(/does not match/);
  });
});
