/**
 * A tiny table printer for the benchmarks: one table model, rendered either as
 * aligned plain text for the terminal or as a GitHub-flavoured Markdown table.
 */

export interface Column {
  header: string;
  /** Numbers read best right-aligned; text defaults to the left. */
  align?: 'left' | 'right';
}

export interface Table {
  title: string;
  columns: Column[];
  rows: string[][];
  /** Lines printed under the table (how it was measured, caveats). */
  notes?: string[];
}

/** Plain text: the title, a header row, a rule, the rows, then the notes. */
export function renderText(table: Table): string {
  const widths = table.columns.map((column, i) =>
    Math.max(column.header.length, ...table.rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    table.columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [
    table.title,
    '',
    line(table.columns.map((column) => column.header)),
    rule,
    ...table.rows.map(line),
    ...(table.notes?.length ? ['', ...table.notes] : []),
  ].join('\n');
}

/** Markdown: a `####` title, the table, then the notes as a paragraph each. */
export function renderMarkdown(table: Table): string {
  const escapeCell = (cell: string) => cell.replaceAll('|', '\\|').replaceAll('<', '&lt;');
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${table.columns.map((column) => (column.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
  return [
    `#### ${table.title}`,
    '',
    line(table.columns.map((column) => column.header)),
    rule,
    ...table.rows.map((row) => line(table.columns.map((_, i) => row[i] ?? ''))),
    ...(table.notes?.length ? ['', table.notes.join(' ')] : []),
  ].join('\n');
}
