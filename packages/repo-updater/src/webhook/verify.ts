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
  return verifyWithoutBody(headers, token) ?? signatureCheck(headers, token).verdict(body);
}

/** A GitHub signature's check, fed the body as it arrives (so it is never held), then judged. */
export interface SignatureCheck {
  update(chunk: Buffer): void;
  /** The verdict over what `update` was given, with `rest` (if any) appended. */
  verdict(rest?: Buffer): Verdict;
}

/**
 * The verdict that needs no body: all but a well-formed GitHub signature, which is checked over the
 * body (then undefined). So a request without the token, or with a malformed signature, is refused
 * before its body is read.
 */
export function verifyWithoutBody(headers: IncomingHttpHeaders, token: string): Verdict | undefined {
  const signature = single(headers['x-hub-signature-256']);
  if (signature === undefined) return verifyToken(headers, token);
  return signatureDigest(signature) ? undefined : { ok: false, reason: 'malformed X-Hub-Signature-256' };
}

/** For a request `verifyWithoutBody` left undecided: the HMAC of the body, computed as it arrives. */
export function signatureCheck(headers: IncomingHttpHeaders, token: string): SignatureCheck {
  const given = signatureDigest(single(headers['x-hub-signature-256']) ?? '');
  const hmac = createHmac('sha256', token);
  return {
    update: (chunk) => hmac.update(chunk),
    verdict: (rest) => {
      if (!given) return { ok: false, reason: 'malformed X-Hub-Signature-256' };
      if (rest) hmac.update(rest);
      return timingSafeEqual(hmac.digest(), given)
        ? { ok: true, via: 'github' }
        : { ok: false, reason: 'X-Hub-Signature-256 does not match the body' };
    },
  };
}

function signatureDigest(signature: string): Buffer | undefined {
  const match = signature.match(/^sha256=([0-9a-f]{64})$/i);
  return match ? Buffer.from(match[1]!, 'hex') : undefined;
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
