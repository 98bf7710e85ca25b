/** Turns a line into fields, or undefined when it does not parse (the record then carries the line only). */
export type LineParser = (line: string) => Record<string, unknown> | undefined;

/** `json`: a line holding a JSON object; `regex`: the named groups of a match. */
export function createLineParser(
  mode: 'none' | 'json' | 'regex',
  regex: RegExp | undefined,
): LineParser | undefined {
  if (mode === 'json') return parseJsonLine;
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
