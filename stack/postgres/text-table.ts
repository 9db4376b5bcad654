// A plain text table for a person at a terminal: a header, columns padded to their content, empty
// cells for missing values, numbers right-aligned, and never wider than the terminal's usual 120
// columns (the widest shrinkable column gives way first; a cut value ends in …).

export interface TableColumn {
  readonly header: string;
  readonly align?: 'left' | 'right';
  /** May be cut to fit (free text such as names); other columns keep their full width. */
  readonly shrinkable?: boolean;
}

const gap = '  ';

function cut(value: string, width: number): string {
  return value.length <= width ? value : `${value.slice(0, Math.max(0, width - 1))}…`;
}

/** Lines of the table; a cell that is undefined or null is empty. */
export function formatTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly (string | number | null | undefined)[])[],
  maxWidth = 120,
): string[] {
  const cells = rows.map((row) => columns.map((_, index) => String(row[index] ?? '')));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((row) => row[index]?.length ?? 0)),
  );
  const total = () =>
    widths.reduce((sum, width) => sum + width, 0) + gap.length * (widths.length - 1);
  while (total() > maxWidth) {
    // The widest column that may still give way, down to its header's width.
    let widest = -1;
    columns.forEach((column, index) => {
      const width = widths[index] ?? 0;
      if (column.shrinkable === true && width > Math.max(column.header.length, 4))
        if (widest === -1 || width > (widths[widest] ?? 0)) widest = index;
    });
    if (widest === -1) break; // nothing left to shrink: wider than asked, but every value whole
    widths[widest] = (widths[widest] ?? 1) - 1;
  }
  const line = (values: readonly string[]) =>
    columns
      .map((column, index) => {
        const width = widths[index] ?? 0;
        const value = cut(values[index] ?? '', width);
        return column.align === 'right' ? value.padStart(width) : value.padEnd(width);
      })
      .join(gap)
      .trimEnd();
  return [
    line(columns.map((column) => column.header)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
  ];
}
