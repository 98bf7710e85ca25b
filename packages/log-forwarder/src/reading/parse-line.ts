/** Turns a line into fields, or undefined when it does not parse (the record then carries the line only). */
export type LineParser = (line: string) => Record<string, unknown> | undefined;

export type ParseMode = 'none' | 'json' | 'regex' | 'logfmt';

/** `json`: a line holding a JSON object; `regex`: the named groups of a match; `logfmt`: key=value pairs. */
export function createLineParser(mode: ParseMode, regex: RegExp | undefined): LineParser | undefined {
  if (mode === 'json') return parseJsonLine;
  if (mode === 'logfmt') return parseLogfmt;
  if (mode === 'regex' && regex) return (line) => parseByRegex(regex, line);
  return undefined;
}

export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  // Most non-JSON lines fail this cheap test, which spares the exception a failed JSON.parse throws.
  if (line.charCodeAt(0) !== 123 /* { */) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function parseByRegex(regex: RegExp, line: string): Record<string, unknown> | undefined {
  const groups = regex.exec(line)?.groups;
  if (!groups) return undefined;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(groups)) if (value !== undefined) fields[key] = value;
  return fields;
}

/**
 * logfmt (`level=info msg="user logged in" took=12ms`), as Go's kr/logfmt and Loki read it: values are
 * strings (bare or quoted with `\"` and `\\` escapes), a key without `=` gets an empty value. A line
 * with no `key=value` pair is not logfmt. Written here rather than taken from npm: the `logfmt` package
 * brings stream dependencies and turns values into booleans, and the loop is this short.
 */
export function parseLogfmt(line: string): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  let pairs = 0;
  let at = 0;
  const length = line.length;
  while (at < length) {
    while (at < length && line.charCodeAt(at) <= 32) at++;
    const keyStart = at;
    while (at < length) {
      const c = line.charCodeAt(at);
      if (c <= 32 || c === 61 /* = */ || c === 34 /* " */) break;
      at++;
    }
    if (at === keyStart) {
      // A stray `=` or quote: skip to the next space.
      while (at < length && line.charCodeAt(at) > 32) at++;
      continue;
    }
    const key = line.slice(keyStart, at);
    if (line.charCodeAt(at) !== 61) {
      fields[key] = '';
      continue;
    }
    at++;
    pairs++;
    if (line.charCodeAt(at) === 34) {
      let value = '';
      let from = ++at;
      while (at < length && line.charCodeAt(at) !== 34) {
        if (line.charCodeAt(at) === 92 /* \\ */ && at + 1 < length) {
          const next = line[at + 1]!;
          value += line.slice(from, at) + (next === 'n' ? '\n' : next === 't' ? '\t' : next);
          at += 2;
          from = at;
        } else at++;
      }
      fields[key] = value + line.slice(from, at);
      at++;
    } else {
      const valueStart = at;
      while (at < length && line.charCodeAt(at) > 32) at++;
      fields[key] = line.slice(valueStart, at);
    }
  }
  return pairs > 0 ? fields : undefined;
}
