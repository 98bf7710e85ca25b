import { generateKeyPairSync, type KeyObject, randomBytes, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createCa, issueCertificate, writePem } from '@toolkit/test-helpers';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { makeTempDir, RemoteRepo } from './helpers/git-fixture.ts';
import { GitHttpServer } from './helpers/git-http-server.ts';
import { Updater } from './helpers/program.ts';

const appId = '123456';
const installationId = '987';

/**
 * GitHub's side, on one HTTPS port: the token endpoint, which checks the app's JWT with its public key
 * and answers a new token (revoking the one before), and git over HTTP, which takes only the newest.
 */
class FakeGitHub {
  readonly server: GitHttpServer;
  readonly issued: string[] = [];
  readonly refusals: string[] = [];
  /** How long each new token lasts. */
  lifetimeMs = 3_600_000;
  readonly #publicKey: KeyObject;

  constructor(projectRoot: string, certificate: { cert: string; key: string }, publicKey: KeyObject) {
    this.#publicKey = publicKey;
    this.server = new GitHttpServer(projectRoot, { certificate, route: (req, res) => this.#route(req, res) });
  }

  #route(req: IncomingMessage, res: ServerResponse): boolean {
    if (!req.url?.startsWith('/api/v3/app/')) return false;
    const refuse = (why: string) => {
      this.refusals.push(why);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: why }));
    };
    if (req.method !== 'POST' || req.url !== `/api/v3/app/installations/${installationId}/access_tokens`) {
      refuse(`unexpected ${req.method} ${req.url}`);
      return true;
    }
    const why = this.#checkJwt(String(req.headers.authorization ?? ''));
    if (why) {
      refuse(why);
      return true;
    }
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    this.issued.push(token);
    this.server.credentials = { username: 'x-access-token', password: token };
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, expires_at: new Date(Date.now() + this.lifetimeMs).toISOString() }));
    return true;
  }

  #checkJwt(authorization: string): string | undefined {
    const match = authorization.match(/^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/);
    if (!match) return 'no JWT';
    const [, header, payload, signature] = match as unknown as [string, string, string, string];
    const signed = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      this.#publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!signed) return 'A JSON web token could not be decoded';
    if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'RS256') return 'not RS256';
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const now = Date.now() / 1000;
    if (claims.iss !== Number(appId)) return `wrong issuer ${claims.iss}`;
    if (!(claims.iat <= now && claims.exp > now && claims.exp - claims.iat <= 600)) return 'bad times';
    return undefined;
  }
}

let temp: ReturnType<typeof makeTempDir>;
let remote: RemoteRepo;
let github: FakeGitHub;
let caFile: string;
let keyFile: string;
const children: Updater[] = [];

beforeEach(async () => {
  temp = makeTempDir();
  remote = new RemoteRepo(temp.path);
  const ca = await createCa();
  caFile = writePem(temp.path, 'ca', ca).cert;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // As GitHub hands it out: PKCS#1, "BEGIN RSA PRIVATE KEY".
  keyFile = join(temp.path, 'app.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  github = new FakeGitHub(temp.path, await issueCertificate(ca, 'server'), publicKey);
  await github.server.start();
});
afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  await github.server.stop();
  temp.remove();
});

function start(extra: string[] = []): Updater {
  const child = new Updater([
    ...['--repo', github.server.url('remote.git'), '--root', join(temp.path, 'root')],
    ...['--github-app-id', appId, '--github-app-installation-id', installationId],
    ...['--github-app-private-key-file', keyFile, '--github-base-url', github.server.url('api/v3/')],
    ...['--ca-file', caFile, '--git-config', `http.sslCAInfo=${caFile}`, '--log-level', 'debug'],
    ...extra,
  ]);
  children.push(child);
  return child;
}

async function syncNow(admin: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${admin}/sync?wait`, {
    method: 'POST',
    headers: { authorization: 'Bearer sync-secret' },
    signal: AbortSignal.timeout(60_000),
  });
  return (await response.json()) as Record<string, unknown>;
}

describe('GitHub App authentication', () => {
  test('fetches with an installation token made from a signed JWT, replaced before it expires, never logged', async () => {
    const first = remote.commit({ 'a.txt': 'one' });
    // Four minutes: inside the five-minute margin, so the next sync needs a new one.
    github.lifetimeMs = 4 * 60_000;
    const child = start(['--period', '0s', '--sync-token', 'sync-secret']);
    const listening = await child.waitForLog((line) => line.msg === 'admin server listening', 60_000);
    const admin = `http://${listening.address}`;
    await child.waitForMessage('ready', 60_000);
    expect(github.issued).toHaveLength(1);

    const second = remote.commit({ 'a.txt': 'two' });
    github.lifetimeMs = 3_600_000;
    // The server took back the first token when it made the second: this fetch works only with the new one.
    expect(await syncNow(admin)).toMatchObject({ result: 'success', commit: second });
    expect(github.issued).toHaveLength(2);
    // An hour left: kept.
    expect(await syncNow(admin)).toMatchObject({ result: 'noop', commit: second });
    expect(github.issued).toHaveLength(2);
    expect(github.refusals).toEqual([]);
    expect(first).not.toBe(second);

    // git sent the token through the credential helper; neither it nor the JWT is in any log line
    // (git's arguments are logged at debug level).
    const sent = github.server.authorizations.map((header) =>
      Buffer.from(header.replace(/^Basic /, ''), 'base64').toString(),
    );
    expect(sent).toContain(`x-access-token:${github.issued[1]}`);
    for (const token of github.issued) expect(child.stderr).not.toContain(token);
    expect(child.stderr).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(child.logs.filter((line) => line.msg === 'GitHub App token made')).toHaveLength(2);
  }, 180_000);

  test('a key GitHub does not know fails the sync with CREDENTIALS_FAILED and what GitHub said', async () => {
    remote.commit({ 'a.txt': 'one' });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    writeFileSync(keyFile, other.export({ type: 'pkcs8', format: 'pem' }));
    const child = start(['--one-time']);
    expect(await child.exitCode(60_000)).toBe(1);
    expect(child.logs.find((line) => line.msg === 'sync failed')).toMatchObject({
      code: 'CREDENTIALS_FAILED',
      step: 'fetch',
      error: expect.stringMatching(
        /GitHub App token: POST https:\/\/127\.0\.0\.1:\d+\/api\/v3\/app\/installations\/987\/access_tokens answered 401: A JSON web token could not be decoded/,
      ),
    });
    expect(github.server.requests).toBe(0);
  }, 120_000);

  test('the three options go together, with a readable RSA key', async () => {
    const child = new Updater([
      ...['--repo', github.server.url('remote.git'), '--root', join(temp.path, 'root')],
      ...['--github-app-id', appId, '--github-app-private-key-file', keyFile],
    ]);
    children.push(child);
    expect(await child.exitCode(60_000)).toBe(2);
    expect(child.stderr).toContain(
      'GitHub App authentication needs all of --github-app-id, --github-app-installation-id and --github-app-private-key-file',
    );
  }, 120_000);
});
