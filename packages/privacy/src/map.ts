import { type PersonalColumn, type PersonalDataMap, personalData, schema } from '@samtal/db';
import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

export type TableKey = keyof PersonalDataMap;

/** The drizzle table behind a key of the personal data map. */
export function tableOf(key: TableKey): PgTable {
  return (schema as unknown as Record<string, PgTable>)[key]!;
}

export function columnsOf(key: TableKey): Record<string, PgColumn> {
  return getTableColumns(tableOf(key)) as Record<string, PgColumn>;
}

/** The resident columns of one table with their classification. */
export function residentColumnsOf(key: TableKey): [string, PersonalColumn][] {
  return Object.entries(personalData[key] as Record<string, PersonalColumn | '-'>).filter(
    (entry): entry is [string, PersonalColumn] => entry[1] !== '-' && entry[1].subject === 'resident',
  );
}

/** camelCase key → snake_case column name (the client and drizzle-kit use `casing: 'snake_case'`). */
export function columnName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
