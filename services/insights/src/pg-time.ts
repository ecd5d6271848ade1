/**
 * Timestamps through the shared postgres.js client. Drizzle's postgres-js driver turns off
 * postgres.js's own timestamp (de)serialisers on the client it wraps, so raw queries on `db.sql`
 * get timestamps back as PostgreSQL text and must send them as strings. These two helpers do that.
 */
export function toPg(date: Date): string {
  return date.toISOString();
}

/** PostgreSQL timestamptz text ("2026-03-09 08:00:00.123+01") → Date. */
export function fromPg(value: string | Date): Date;
export function fromPg(value: string | Date | null): Date | null;
export function fromPg(value: string | Date | null): Date | null {
  if (value === null || value instanceof Date) return value;
  const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(iso);
}
