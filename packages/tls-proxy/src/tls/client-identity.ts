import type { PeerCertificate } from 'node:tls';

/** What a verified client certificate says about its holder. */
export interface ClientIdentity {
  commonNames: string[];
  dns: string[];
  uri: string[];
  /** RFC 2253 order: most specific first, e.g. `CN=web,O=shop`. */
  subject: string;
  /** SHA-256 of the DER certificate, lowercase hex without colons (as Envoy's XFCC `Hash`). */
  hash: string;
}

/** Allow-lists combined with OR; undefined when none is set (any verified client may connect). */
export interface AllowList {
  commonNames: ReadonlySet<string>;
  dns: RegExp[];
  uri: RegExp[];
}

export interface AllowListInput {
  allowCn: readonly string[];
  allowDns: readonly string[];
  allowUri: readonly string[];
}

export function compileAllowList(input: AllowListInput): AllowList | undefined {
  if (input.allowCn.length + input.allowDns.length + input.allowUri.length === 0) return undefined;
  return {
    commonNames: new Set(input.allowCn),
    dns: input.allowDns.map((pattern) => compileWildcard(pattern.toLowerCase(), '.')),
    uri: input.allowUri.map((pattern) => compileWildcard(pattern, '/')),
  };
}

/** `*` matches one DNS label or one URI path segment, `**` anything (as ghostunnel's --allow-uri). */
export function compileWildcard(pattern: string, separator: '.' | '/'): RegExp {
  const one = separator === '.' ? '[^.]+' : '[^/]+';
  const source = pattern
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
        .join(one),
    )
    .join('.*');
  return new RegExp(`^${source}$`);
}

export function isClientAllowed(identity: ClientIdentity, allow: AllowList | undefined): boolean {
  if (!allow) return true;
  return (
    identity.commonNames.some((cn) => allow.commonNames.has(cn)) ||
    identity.dns.some((name) => allow.dns.some((pattern) => pattern.test(name.toLowerCase()))) ||
    identity.uri.some((uri) => allow.uri.some((pattern) => pattern.test(uri)))
  );
}

export function readClientIdentity(cert: PeerCertificate): ClientIdentity {
  const sans = parseSubjectAltNames(cert.subjectaltname ?? '');
  const subjectEntries = Object.entries(cert.subject ?? {}).flatMap(([field, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => [field, String(v)] as const),
  );
  return {
    commonNames: subjectEntries.filter(([field]) => field === 'CN').map(([, value]) => value),
    dns: sans.filter((san) => san.type === 'DNS').map((san) => san.value),
    uri: sans.filter((san) => san.type === 'URI').map((san) => san.value),
    subject: subjectEntries
      .map(([field, value]) => `${field}=${value.replace(/([,+"\\<>;])/g, '\\$1')}`)
      .reverse()
      .join(','),
    hash: (cert.fingerprint256 ?? '').replace(/:/g, '').toLowerCase(),
  };
}

/** Node writes `DNS:a, URI:spiffe://x`, quoting a value as JSON when it holds a comma or quote. */
export function parseSubjectAltNames(text: string): { type: string; value: string }[] {
  const entries: { type: string; value: string }[] = [];
  for (const match of text.matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const raw = match[2]!;
    entries.push({ type: match[1]!, value: raw.startsWith('"') ? (JSON.parse(raw) as string) : raw });
  }
  return entries;
}

/** Envoy's `x-forwarded-client-cert` form, so apps and libraries that read it already work. */
export function formatClientCertHeader(identity: ClientIdentity): string {
  const quote = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [`Hash=${identity.hash}`, `Subject=${quote(identity.subject)}`];
  for (const uri of identity.uri) parts.push(`URI=${/[,;="]/.test(uri) ? quote(uri) : uri}`);
  for (const dns of identity.dns) parts.push(`DNS=${dns}`);
  return parts.join(';');
}
