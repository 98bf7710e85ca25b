// The size table printed after a build.
export interface BuiltImage {
  program: string;
  tags: string[];
  base: string;
  /** Bytes, as `docker image inspect` counts them. */
  size: number;
  /** Bytes our layers add on top of the base. */
  added: number;
}

export function formatSizeReport(images: readonly BuiltImage[]): string {
  const mb = (bytes: number) => (Number.isNaN(bytes) ? '?' : `${(bytes / 1e6).toFixed(1)} MB`);
  const rows = [
    ['image', 'size', 'ours', 'base'],
    ...images.map((image) => [image.tags.at(-1)!, mb(image.size), `+${mb(image.added)}`, image.base]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
