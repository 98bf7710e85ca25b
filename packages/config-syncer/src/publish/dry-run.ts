import type { Plan } from './plan.ts';

/**
 * What a publish would do, one line per file, for `--dry-run`. Names, sizes and hashes only, never
 * content: the source may be a Secret and this goes to stdout, which often ends up in CI logs.
 */
export function describePlan(plan: Plan, current: ReadonlyMap<string, string>): string[] {
  const lines = plan.writes.map((write) => {
    const before = current.get(write.name);
    const change = before && write.action === 'update' ? `sha256 ${before.slice(0, 12)} → ` : 'sha256 ';
    return `would ${write.action} ${write.name} (${write.content.length} bytes, ${change}${write.hash.slice(0, 12)})`;
  });
  for (const name of plan.removals) lines.push(`would remove ${name}`);
  if (lines.length === 0) lines.push(`no change (${plan.unchanged} files up to date)`);
  return lines;
}
