import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Dispatcher, Logger } from '@toolkit/lifecycle';

export interface GitHubAppSettings {
  /** The app's ID or client ID: the JWT's issuer. */
  appId: string;
  installationId: string;
  /** The app's private key (PEM), read again at each new token so a rotated key is used. */
  privateKeyFile: string;
  /** GitHub's REST API, `https://api.github.com/` or a GitHub Enterprise Server's `/api/v3/`. */
  baseUrl: string;
  /**
   * Where the current token is written (mode 0600) for the credential helper to read at each fetch:
   * the token goes from this file to git's stdin, never into argv or the environment.
   */
  tokenFile: string;
  /** A token with less than this left is replaced before the next fetch (it lasts an hour). */
  refreshMarginMs: number;
  dispatcher?: Dispatcher | undefined;
  log: Logger;
  now?: () => number;
}

/** The user name git sends with an installation token (GitHub ignores it, but one is needed). */
export const gitHubAppUsername = 'x-access-token';

/**
 * GitHub App installation tokens for git over https: a JWT signed with the app's key (RS256, from
 * node:crypto) buys a token from `POST /app/installations/ID/access_tokens`, kept in `tokenFile` and
 * replaced when less than `refreshMarginMs` of its hour is left. Neither the JWT nor the token is logged.
 */
export class GitHubAppToken {
  readonly #settings: GitHubAppSettings;
  readonly #now: () => number;
  #expiresAt = 0;
  #token: string | undefined;

  constructor(settings: GitHubAppSettings) {
    this.#settings = settings;
    this.#now = settings.now ?? Date.now;
  }

  /** The current token, for redaction. */
  get token(): string | undefined {
    return this.#token;
  }

  /** Makes sure `tokenFile` holds a token with at least the margin left. */
  async refresh(signal?: AbortSignal): Promise<void> {
    if (this.#token && this.#now() < this.#expiresAt - this.#settings.refreshMarginMs) return;
    const { token, expiresAt } = await this.#request(signal);
    const temporary = `${this.#settings.tokenFile}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, token, { mode: 0o600 });
      await rename(temporary, this.#settings.tokenFile);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    this.#token = token;
    this.#expiresAt = expiresAt;
    this.#settings.log.info(
      { installation: this.#settings.installationId, expiresAt: new Date(expiresAt).toISOString() },
      'GitHub App token made',
    );
  }

  async #request(signal?: AbortSignal): Promise<{ token: string; expiresAt: number }> {
    const { appId, installationId, privateKeyFile, baseUrl, dispatcher } = this.#settings;
    const url = new URL(
      `app/installations/${encodeURIComponent(installationId)}/access_tokens`,
      withSlash(baseUrl),
    );
    const key = createPrivateKey(await readFile(privateKeyFile));
    const jwt = createAppJwt(appId, key, this.#now());
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${jwt}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'repo-updater',
        },
        ...(signal ? { signal } : {}),
        ...(dispatcher ? { dispatcher } : {}),
      } as RequestInit);
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new Error(`GitHub App token: POST ${url.href} failed: ${cause}`);
    }
    const text = await response.text();
    if (response.status !== 201 && response.status !== 200) {
      const message = parseJson(text)?.message ?? text.slice(0, 200);
      throw new Error(`GitHub App token: POST ${url.href} answered ${response.status}: ${message}`);
    }
    const body = parseJson(text);
    const expiresAt = Date.parse(String(body?.expires_at));
    if (typeof body?.token !== 'string' || body.token === '' || Number.isNaN(expiresAt)) {
      throw new Error(`GitHub App token: POST ${url.href} answered without a token and expires_at`);
    }
    return { token: body.token, expiresAt };
  }
}

/**
 * The app's JWT: issued a minute in the past (GitHub's advice against clock drift) and valid for ten
 * minutes from then, the most GitHub takes. A numeric ID is sent as a number, a client ID as a string.
 */
export function createAppJwt(appId: string, key: KeyObject, nowMs: number): string {
  const issuedAt = Math.floor(nowMs / 1000) - 60;
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = { iat: issuedAt, exp: issuedAt + 600, iss: /^\d+$/.test(appId) ? Number(appId) : appId };
  const payload = base64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
