/** The result table: one row per case, ratio against the direct work and the target next to it. */

export interface Row {
  name: string;
  gateway: string;
  direct: string;
  /** gateway / direct (latencies) or gateway / direct (throughput), see `target.better`. */
  ratio: number;
  target: { better: 'lower' | 'higher'; value: number };
  /** Printed under the table. */
  detail?: string;
}

export function ms(value: number | null): string {
  return value === null || Number.isNaN(value) ? '– ms' : `${value.toFixed(1)} ms`;
}

export function perSecond(value: number): string {
  return `${value.toFixed(value < 100 ? 1 : 0)}/s`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatTable(rows: Row[]): string {
  const cells = rows.map((row) => {
    const met = row.target.better === 'lower' ? row.ratio <= row.target.value : row.ratio >= row.target.value;
    return [
      row.name,
      row.gateway,
      row.direct,
      `${row.ratio.toFixed(2)}×`,
      `${row.target.better === 'lower' ? '≤' : '≥'} ${row.target.value.toFixed(2)}×`,
      met ? '✓ met' : '✗ missed',
    ];
  });
  const header = ['case', 'gateway', 'direct', 'ratio', 'target', ''];
  const details = rows.filter((row) => row.detail).map((row) => `  ${row.name.split(' ')[0]}: ${row.detail}`);
  return [formatColumns(header, cells), '', ...details].join('\n');
}

/** Columns padded to their widest cell; the first left-aligned, the others right-aligned. */
export function formatColumns(header: string[], cells: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((text, i) => (i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
