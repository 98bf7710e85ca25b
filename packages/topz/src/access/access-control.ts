import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

/**
 * Who may read topz's page, API and metrics: a bearer token, users with bcrypt-hashed passwords
 * (HTTP basic auth, as Prometheus exporters' web config has it), or either. /livez and /readyz stay
 * open; the signal endpoint checks its own token.
 */
export interface AccessControl {
  /** Whether an Authorization header passes. */
  allows(authorization: string | undefined): Promise<boolean>;
  /** The WWW-Authenticate header of a 401: Basic when users are set, so a browser asks for them. */
  challenge: string;
}

export interface AccessOptions {
  bearerToken?: string;
  /** User name → bcrypt hash. */
  users?: ReadonlyMap<string, string>;
}

/** A hash of nothing anyone can type: compared against when the user is unknown, so timing tells nothing. */
const unknownUserHash = '$2b$10$pvjMN25Jj3fqetNrLEybu.3FSSSGG/n4LeQqlf2Gf5ciCp1g0JVgS';
/** Successful logins remembered (sha256 of header and hash), as exporter-toolkit does: bcrypt costs ~0.1 s. */
const rememberedLogins = 64;

export function createAccessControl(options: AccessOptions): AccessControl | undefined {
  const { bearerToken, users } = options;
  if (bearerToken === undefined && (users === undefined || users.size === 0)) return undefined;
  const remembered = new Set<string>();
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const checkBasic = async (encoded: string): Promise<boolean> => {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || !users) return false;
    const user = decoded.slice(0, colon);
    const hash = users.get(user);
    const key = digest(`${decoded}\0${hash}`).toString('base64');
    if (hash !== undefined && remembered.has(key)) return true;
    const matches = await bcrypt.compare(decoded.slice(colon + 1), hash ?? unknownUserHash);
    if (!matches || hash === undefined) return false;
    if (remembered.size >= rememberedLogins) remembered.delete(remembered.values().next().value!);
    remembered.add(key);
    return true;
  };
  return {
    challenge: users && users.size > 0 ? 'Basic realm="topz", charset="UTF-8"' : 'Bearer realm="topz"',
    async allows(authorization) {
      const [scheme, credentials] = (authorization ?? '').trim().split(/\s+/, 2);
      if (!scheme || !credentials) return false;
      if (scheme.toLowerCase() === 'bearer' && bearerToken !== undefined)
        return timingSafeEqual(digest(credentials), digest(bearerToken));
      if (scheme.toLowerCase() === 'basic') return checkBasic(credentials);
      return false;
    },
  };
}

/**
 * A basic-auth users file: `user:hash` lines, the hash bcrypt's (`htpasswd -nbB user password`
 * writes them; `$2a$`, `$2b$` and `$2y$` all work), `#` comments and blank lines skipped. Throws,
 * naming the line, on anything else: a plain-text or MD5 password must not be taken for a hash.
 */
export function parseUsersFile(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (colon <= 0 || !/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) {
      throw new Error(`line ${index + 1}: expected user:bcrypt-hash (htpasswd -nbB user password)`);
    }
    users.set(user, hash);
  }
  return users;
}
