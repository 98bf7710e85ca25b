/** Accepted statuses, from codes such as `200` and classes such as `2xx`. */
export type StatusMatcher = (status: number) => boolean;

/** Undefined when a pattern is neither a status code nor a class, or when there are none. */
export function parseStatusMatcher(patterns: readonly string[]): StatusMatcher | undefined {
  const tests: StatusMatcher[] = [];
  for (const pattern of patterns) {
    if (/^[1-5]xx$/i.test(pattern)) {
      const hundred = Number(pattern[0]);
      tests.push((status) => Math.floor(status / 100) === hundred);
    } else if (/^[1-5]\d\d$/.test(pattern)) {
      const code = Number(pattern);
      tests.push((status) => status === code);
    } else return undefined;
  }
  return tests.length === 0 ? undefined : (status) => tests.some((test) => test(status));
}
