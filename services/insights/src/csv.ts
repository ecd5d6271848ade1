/**
 * CSV in and out. Out: RFC 4180 quoting, CRLF line ends and a UTF-8 byte-order mark so Excel
 * opens å, ä, ö and 中文 correctly; nested values are flattened to dotted column names and a
 * suppressed cell reads "suppressed" (never 0 or empty). In: a small RFC 4180 parser that keeps
 * line numbers so an import can name the line of every rejected row.
 */

const BOM = '\uFEFF';

type Scalar = string | number | boolean | null | undefined;

function isSuppressedCell(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as { suppressed?: unknown }).suppressed === true
  );
}

/** Flattens nested objects to dotted keys: `{ a: { b: 1 } }` → `{ 'a.b': 1 }`. Arrays are joined. */
export function flatten(value: Record<string, unknown>, prefix = '', out: Record<string, Scalar> = {}) {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isSuppressedCell(v)) out[name] = 'suppressed';
    else if (Array.isArray(v))
      out[name] = v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join('; ');
    else if (v instanceof Date) out[name] = v.toISOString();
    else if (typeof v === 'object' && v !== null) flatten(v as Record<string, unknown>, name, out);
    else out[name] = v as Scalar;
  }
  return out;
}

function quote(value: Scalar): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote anything with a separator, quote or line break; also a leading =, +, - or @ is
  // neutralised with a ' so a spreadsheet does not run a cell as a formula (CSV injection).
  const safe = /^[=+@\t\r]/.test(text) || (/^-/.test(text) && Number.isNaN(Number(text))) ? `'${text}` : text;
  return /[",\r\n;]/.test(safe) || safe !== text ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Rows (possibly nested) → CSV text with a BOM, header from the union of keys in first-seen order. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const flat = rows.map((r) => flatten(r));
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of flat) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const lines = [columns.map(quote).join(',')];
  for (const row of flat) lines.push(columns.map((c) => quote(row[c])).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

export interface CsvRecord {
  /** 1-based line number in the file where the record starts. */
  line: number;
  values: Record<string, string>;
  /** Set when the row cannot be read as a record (wrong number of fields). */
  problem?: string;
}

export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Parses CSV with a header row (RFC 4180: quoted fields, doubled quotes, line breaks inside
 * quotes). Accepts `,` or `;` as separator (whichever the header uses), CRLF or LF, and a BOM.
 * Header names are trimmed and lower-cased; empty lines are skipped.
 */
export function parseCsv(text: string): { header: string[]; records: CsvRecord[] } {
  const input = text.startsWith(BOM) ? text.slice(1) : text;
  const firstLine = input.slice(0, input.search(/\r?\n|$/));
  const separator = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowStart = 1;
  let inQuotes = false;
  let quotedField = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (field.length > 0) throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
      inQuotes = true;
      quotedField = true;
    } else if (ch === separator) {
      fields.push(field);
      field = '';
      quotedField = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && input[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.length > 1 || fields[0] !== '' || quotedField) rows.push({ line: rowStart, fields });
      fields = [];
      field = '';
      quotedField = false;
      line++;
      rowStart = line;
    } else {
      field += ch;
    }
  }
  if (inQuotes) throw new CsvSyntaxError(rowStart, 'a quoted field is not closed');
  if (field !== '' || fields.length > 0 || quotedField) {
    fields.push(field);
    rows.push({ line: rowStart, fields });
  }
  const [head, ...body] = rows;
  if (!head) return { header: [], records: [] };
  const header = head.fields.map((h) => h.trim().toLowerCase());
  const records = body.map((r) => {
    const values = Object.fromEntries(header.map((h, i) => [h, (r.fields[i] ?? '').trim()]));
    return r.fields.length === header.length
      ? { line: r.line, values }
      : { line: r.line, values, problem: `has ${r.fields.length} fields, the header has ${header.length}` };
  });
  return { header, records };
}
