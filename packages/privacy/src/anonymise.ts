import { type Executor, type PersonalColumn, REDACTED, schema } from '@samtal/db';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { FileStore } from './files.ts';
import { columnName, columnsOf, residentColumnsOf, type TableKey, tableOf } from './map.ts';
import { fileKeyColumns, type Subjects, subjectLinks } from './subjects.ts';

export interface AnonymiseResult {
  /** Rows anonymised (updated) or deleted, per table of the personal data map. */
  rows: Partial<Record<TableKey, number>>;
  filesRemoved: number;
}

/** The new value of a column under its rule (`delete_row` and `keep` never get here). */
function replacement(key: string, rule: PersonalColumn, column: { columnType: string }): SQL {
  const name = sql.identifier(columnName(key));
  switch (rule.anonymise) {
    case 'null':
      return sql`${name} = null`;
    case 'redact':
      if (column.columnType === 'PgJsonb') {
        // Only the keys that hold free text; the other keys (ids, codes) stay for the metrics.
        if (!rule.keys?.length) throw new Error(`redacting JSON column ${key} needs its keys`);
        const keys = sql.join(
          rule.keys.map((k) => sql`${k}`),
          sql`, `,
        );
        return sql`${name} = case when jsonb_typeof(${name}) = 'object' then (
          select coalesce(jsonb_object_agg(e.key, case when e.key in (${keys}) then to_jsonb(${REDACTED}::text) else e.value end), '{}'::jsonb)
          from jsonb_each(${name}) e) else ${name} end`;
      }
      // Keeps "there was text here" (and NOT NULL columns valid) without the text.
      return sql`${name} = case when ${name} is null then null else ${REDACTED} end`;
    case 'empty':
      return column.columnType === 'PgArray' ? sql`${name} = '{}'` : sql`${name} = '{}'::jsonb`;
    default:
      throw new Error(`no replacement for rule ${rule.anonymise} of ${key}`);
  }
}

/**
 * Anonymises everything held about `subjects`, driven by the personal data map: each resident
 * column is set to null, redacted or emptied, and a row that exists only because of the person
 * (an attachment, a demographic profile, a survey answer) is deleted — with its file. The case
 * skeleton stays: category, district, status, timestamps, events, SLA facts and ratings, so
 * indicators for past periods do not change. Idempotent: anonymising twice changes nothing more.
 *
 * Files are removed before the transaction commits: if a removal fails the rows stay and the work
 * can be retried; removal of a file that is already gone succeeds.
 */
export async function anonymise(
  tx: Executor,
  tenantId: string,
  subjects: Subjects,
  files: FileStore,
  now: Date = new Date(),
): Promise<AnonymiseResult> {
  const rows: Partial<Record<TableKey, number>> = {};
  const fileKeys: string[] = [];
  if (!subjects.caseIds.length && !subjects.participationIds.length) return { rows, filesRemoved: 0 };
  for (const [table, link] of Object.entries(subjectLinks) as [
    TableKey,
    NonNullable<(typeof subjectLinks)[TableKey]>,
  ][]) {
    const rules = residentColumnsOf(table).filter(([, rule]) => rule.anonymise !== 'keep');
    if (!rules.length) continue;
    const target = tableOf(table);
    const columns = columnsOf(table);
    const where = and(eq(columns.tenantId!, tenantId), link(subjects, tenantId))!;
    if (rules.some(([, rule]) => rule.anonymise === 'delete_row')) {
      const fileColumn = fileKeyColumns[table];
      if (fileColumn) {
        const keys = await tx.select({ key: columns[fileColumn]! }).from(target).where(where);
        fileKeys.push(...keys.map((k) => String(k.key)));
      }
      const deleted = await tx.execute(sql`delete from ${target} where ${where}`);
      rows[table] = deleted.count;
    } else {
      const assignments = rules.map(([key, rule]) => replacement(key, rule, columns[key]!));
      const updated = await tx.execute(
        sql`update ${target} set ${sql.join(assignments, sql`, `)} where ${where}`,
      );
      rows[table] = updated.count;
    }
  }
  if (subjects.caseIds.length) {
    const c = schema.cases;
    await tx
      .update(c)
      // updated_at too: the insights rollups recompute the days of changed cases, and a deleted
      // demographic profile changes that day's equity numbers.
      .set({
        anonymisedAt: sql`coalesce(${c.anonymisedAt}, ${now.toISOString()}::timestamptz)`,
        updatedAt: now,
      })
      .where(and(eq(c.tenantId, tenantId), inArray(c.id, subjects.caseIds)));
  }
  for (const key of fileKeys) await files.remove(key);
  return { rows, filesRemoved: fileKeys.length };
}

/** Adds one result's counts to another's (for runs over many batches). */
export function addCounts(into: AnonymiseResult, from: AnonymiseResult): AnonymiseResult {
  for (const [table, n] of Object.entries(from.rows) as [TableKey, number][]) {
    into.rows[table] = (into.rows[table] ?? 0) + n;
  }
  into.filesRemoved += from.filesRemoved;
  return into;
}
