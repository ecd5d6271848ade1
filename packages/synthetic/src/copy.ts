import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type postgres from 'postgres';

/**
 * Streams rows into one table with `COPY … FROM STDIN` (text format) on a connection of its own.
 * Rows are buffered into chunks of ~256 kB; `write` returns a promise only when the socket pushes
 * back, so the generator runs as fast as PostgreSQL takes the rows and never holds a table in memory.
 */
export class CopySink {
  private chunk = '';
  private stream: Writable | undefined;
  rows = 0;

  private constructor(
    readonly table: string,
    private readonly columns: readonly string[],
  ) {}

  static async open(sql: postgres.Sql, table: string, columns: readonly string[]): Promise<CopySink> {
    const sink = new CopySink(table, columns);
    const list = columns.map((c) => `"${c}"`).join(', ');
    sink.stream = await sql.unsafe(`copy "${table}" (${list}) from stdin`).writable();
    return sink;
  }

  /** One row; values already encoded with `field`/`text`/`json`/`array` (null → \N). */
  row(values: string): Promise<void> | undefined {
    this.chunk += values;
    this.chunk += '\n';
    this.rows++;
    if (this.chunk.length < 256 * 1024) return undefined;
    return this.flush();
  }

  flush(): Promise<void> | undefined {
    if (!this.chunk || !this.stream) return undefined;
    const ok = this.stream.write(this.chunk);
    this.chunk = '';
    return ok ? undefined : once(this.stream, 'drain').then(() => undefined);
  }

  async end(): Promise<number> {
    await this.flush();
    const stream = this.stream!;
    const finished = new Promise<void>((resolve, reject) => {
      stream.once('finish', resolve);
      stream.once('error', reject);
    });
    stream.end();
    await finished;
    return this.rows;
  }

  get columnCount(): number {
    return this.columns.length;
  }
}

const NULL = '\\N';

/** Escapes a text value for COPY's text format. */
export function text(value: string | null | undefined): string {
  if (value === null || value === undefined) return NULL;
  // Fast path: generated values rarely hold characters that need escaping.
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

export function json(value: unknown): string {
  return text(JSON.stringify(value));
}

const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let cachedDay = Number.NaN;
let cachedDate = '';

/**
 * A UTC timestamp for COPY ("2026-11-20 09:15:00.123+00"). `toISOString` was the generator's
 * hottest function; the date part is cached per day and the time part built from tables.
 */
export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return NULL;
  const t = Math.floor(ms);
  const day = Math.floor(t / 86_400_000);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
  }
  let rest = t - day * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  return `${cachedDate} ${PAD2[h]}:${PAD2[m]}:${PAD2[sec]}.${PAD3[rest - sec * 1000]}+00`;
}

export function num(value: number | null | undefined): string {
  return value === null || value === undefined ? NULL : String(value);
}

export function bool(value: boolean): string {
  return value ? 't' : 'f';
}

/** A text[] literal of simple words (no quotes, commas or braces in the elements). */
export function words(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

export function line(fields: string[]): string {
  return fields.join('\t');
}
