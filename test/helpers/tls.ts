import { chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandResult, runCommand } from './docker.ts';

/** A throwaway CA and a server certificate it signed, as PEM files in one temporary directory. */
export interface TestCertificates {
  dir: string;
  /** The CA certificate, for `curl --cacert`. */
  ca: string;
  /** The names the server certificate is for: DNS localhost, IP 127.0.0.1. */
  cert: string;
  key: string;
  /** Signs a new server certificate with the same CA and puts it in place of cert and key, atomically. */
  renew(commonName: string): Promise<void>;
  remove(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const result = await runCommand('openssl', args, { timeoutMs: 20_000 });
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')} (in ${cwd}) failed: ${result.stderr}`);
}

/**
 * Makes a CA and a server certificate for localhost/127.0.0.1 (P-256, one day) with openssl in a new
 * temporary directory named tls.crt/tls.key like a Kubernetes TLS Secret. Directory and files are
 * readable by any uid, so a container running as 65532 can read the bind mount: test keys only.
 */
export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'toolkit-tls-'));
  await chmod(dir, 0o755);
  const path = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      path('ca.key'),
      '-out',
      path('ca.crt'),
      '-days',
      '1',
      '-subj',
      '/CN=toolkit test CA',
    ],
    dir,
  );

  const sign = async (commonName: string, certOut: string, keyOut: string) => {
    const csr = path(`${commonName}.csr`);
    const ext = path(`${commonName}.ext`);
    await writeFile(
      ext,
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' +
        'subjectAltName=DNS:localhost,IP:127.0.0.1\n',
    );
    await openssl(['req', ...ec, '-keyout', keyOut, '-out', csr, '-subj', `/CN=${commonName}`], dir);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        path('ca.crt'),
        '-CAkey',
        path('ca.key'),
        '-CAcreateserial',
        '-days',
        '1',
        '-extfile',
        ext,
        '-out',
        certOut,
      ],
      dir,
    );
    await chmod(keyOut, 0o644);
    await chmod(certOut, 0o644);
  };

  await sign('localhost', path('tls.crt'), path('tls.key'));
  return {
    dir,
    ca: path('ca.crt'),
    cert: path('tls.crt'),
    key: path('tls.key'),
    async renew(commonName) {
      await sign(commonName, path('next.crt'), path('next.key'));
      // Key first: the proxy takes a new pair only once the key matches the certificate.
      await rename(path('next.key'), path('tls.key'));
      await rename(path('next.crt'), path('tls.crt'));
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** `curl` of an HTTPS URL on loopback (only), with a time limit; the body on stdout. */
export function curlHttps(url: string, args: readonly string[] = []): Promise<CommandResult> {
  if (!/^https:\/\/(127\.0\.0\.1|localhost):\d+\//.test(url)) {
    throw new Error(`refusing a non-loopback URL: ${url}`);
  }
  return runCommand('curl', ['--silent', '--show-error', '--max-time', '5', ...args, url], {
    timeoutMs: 10_000,
  });
}
