/** A URL ready for fetch() (which refuses URLs that carry credentials), and what to log of it. */
export interface UrlWithoutCredentials {
  /** The URL without user and password. */
  href: string;
  /** `Basic …` built from the URL's `user:password@`, if it had them. */
  authorization?: string;
  /** For logs and metric labels: no credentials, no query string (it may hold a token). */
  label: string;
}

/**
 * Takes `user:password@` out of a URL and turns it into a Basic Authorization value, so the secret
 * reaches the server as a header and never a log line. Throws TypeError for a string that is not a URL.
 */
export function splitUrlCredentials(raw: string): UrlWithoutCredentials {
  const url = new URL(raw);
  let authorization: string | undefined;
  if (url.username || url.password) {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return {
    href: url.href,
    label: `${url.origin}${url.pathname}`,
    ...(authorization ? { authorization } : {}),
  };
}
