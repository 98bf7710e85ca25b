// What a PromQL expression selects, read without a PromQL parser: good enough for the rules we write.

// Keywords, and aggregations (which may be written `sum by (x) (...)`, so not followed by a parenthesis).
const keywords = new Set(
  (
    'by without on ignoring group_left group_right and or unless offset bool inf nan ' +
    'sum min max avg group stddev stdvar count count_values bottomk topk quantile'
  ).split(' '),
);

/**
 * The metric names an expression selects: identifiers that are not functions (followed by `(`),
 * keywords, label names (inside `{}` or a `by (...)` list) or durations.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1') // label lists
    .replace(/\boffset\s+\w+/g, ''); // offset durations
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*(\(?))/g)) {
    const [name] = match;
    if (match[1] === '(' || keywords.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names].sort();
}
