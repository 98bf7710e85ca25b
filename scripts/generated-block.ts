// Generated text inside a hand-written file: the lines between a begin and an end marker line, rewritten
// by `pnpm run docs` (scripts/docs.ts) and checked by `pnpm check`.

/** Replaces what stands between the line `begin` and the line `end` with `body` (the markers stay). */
export function replaceBlock(text: string, file: string, begin: string, end: string, body: string): string {
  const from = text.indexOf(`${begin}\n`);
  const to = text.indexOf(`\n${end}`, from);
  if (from < 0 || to < 0) throw new Error(`${file} has no ${begin} … ${end} block`);
  return `${text.slice(0, from + begin.length)}\n${body}${text.slice(to)}`;
}
