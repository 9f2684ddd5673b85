/**
 * CSV that Excel on a Chinese Windows opens right: UTF-8 with a byte-order mark (without it Excel guesses
 * GBK and shows mojibake), CRLF line ends and RFC 4180 quoting.
 */
export const BOM = '\uFEFF';

/**
 * A text cell starting with = + - @ (or a tab / carriage return) would be run as a formula when the file is
 * opened in a spreadsheet; a leading single quote makes it plain text (OWASP "CSV injection").
 */
export function neutralizeFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? "'" + s : s;
}

export type CellValue = string | number | null | undefined;

/** One field: numbers as they are, text guarded against formulas and quoted when it holds , " CR or LF. */
export function csvCell(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = neutralizeFormula(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function csvLine(values: readonly CellValue[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
