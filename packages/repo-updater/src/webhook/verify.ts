import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type Verdict = { ok: true; via: 'github' | 'gitlab' | 'bearer' } | { ok: false; reason: string };

/**
 * Checks that a POST /sync comes from someone holding the shared token, in the form its sender uses:
 * GitHub signs the body (`X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>`), GitLab sends the
 * token as `X-Gitlab-Token`, anything else (curl, Gitea, a CI job) `Authorization: Bearer <token>`.
 * A request that carries a signature is judged on it alone. Comparisons take constant time.
 */
export function verifySyncRequest(headers: IncomingHttpHeaders, body: Buffer, token: string): Verdict {
  return verifyWithoutBody(headers, token) ?? verifySignature(headers, body, token);
}

/**
 * The verdict that needs no body: all but a GitHub signature, which is checked over the body (then
 * undefined). So a request without the token is refused before its body is read.
 */
export function verifyWithoutBody(headers: IncomingHttpHeaders, token: string): Verdict | undefined {
  if (single(headers['x-hub-signature-256']) !== undefined) return undefined;
  return verifyToken(headers, token);
}

function verifySignature(headers: IncomingHttpHeaders, body: Buffer, token: string): Verdict {
  const signature = single(headers['x-hub-signature-256']);
  if (signature !== undefined) {
    const match = signature.match(/^sha256=([0-9a-f]{64})$/i);
    if (!match) return { ok: false, reason: 'malformed X-Hub-Signature-256' };
    const expected = createHmac('sha256', token).update(body).digest();
    const given = Buffer.from(match[1]!, 'hex');
    return timingSafeEqual(expected, given)
      ? { ok: true, via: 'github' }
      : { ok: false, reason: 'X-Hub-Signature-256 does not match the body' };
  }
  return verifyToken(headers, token);
}

function verifyToken(headers: IncomingHttpHeaders, token: string): Verdict {
  const gitlab = single(headers['x-gitlab-token']);
  if (gitlab !== undefined) {
    return sameSecret(gitlab, token)
      ? { ok: true, via: 'gitlab' }
      : { ok: false, reason: 'wrong X-Gitlab-Token' };
  }
  const bearer = single(headers.authorization)?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (bearer !== undefined) {
    return sameSecret(bearer.trim(), token)
      ? { ok: true, via: 'bearer' }
      : { ok: false, reason: 'wrong bearer token' };
  }
  return {
    ok: false,
    reason: 'no credentials: send Authorization: Bearer <token>, X-Gitlab-Token or X-Hub-Signature-256',
  };
}

/** Equal length digests, so neither the content nor the length of the token leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
