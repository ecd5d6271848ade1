import type postgres from 'postgres';

/** What `dropIndexes` removed, with the definitions to put it back. */
export interface SavedIndexes {
  /** Primary keys and unique constraints of the loaded tables, then foreign keys touching them. */
  constraints: { table: string; name: string; definition: string; kind: string }[];
  /** Plain indexes (not behind a constraint). */
  indexes: { name: string; definition: string }[];
}

/**
 * Drops every index, primary key, unique and foreign key of `tables` (and foreign keys of other
 * tables that point at them), remembering their definitions: building an index once over ten
 * million rows is far cheaper than maintaining it row by row. For scratch databases only — a
 * crash before `restoreIndexes` leaves the tables without keys.
 */
export async function dropIndexes(sql: postgres.Sql, tables: string[]): Promise<SavedIndexes> {
  const constraints = await sql<{ table: string; name: string; definition: string; kind: string }[]>`
    select c.conrelid::regclass::text as table, c.conname as name,
           pg_get_constraintdef(c.oid) as definition, c.contype::text as kind
      from pg_constraint c
     where c.contype in ('p', 'u', 'f')
       and (c.conrelid in (select oid from pg_class where relname in ${sql(tables)} and relnamespace = 'public'::regnamespace)
         or (c.contype = 'f' and c.confrelid in (select oid from pg_class where relname in ${sql(tables)} and relnamespace = 'public'::regnamespace)))
     order by case c.contype when 'f' then 0 else 1 end, c.conname`;
  const indexes = await sql<{ name: string; definition: string }[]>`
    select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
      from pg_index i
     where i.indrelid in (select oid from pg_class where relname in ${sql(tables)} and relnamespace = 'public'::regnamespace)
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`;
  // Foreign keys first (they depend on the keys they reference), then keys, then plain indexes.
  for (const c of constraints) await sql.unsafe(`alter table ${c.table} drop constraint "${c.name}"`);
  for (const i of indexes) await sql.unsafe(`drop index ${i.name}`);
  return { constraints, indexes };
}

/** Rebuilds what `dropIndexes` removed: keys and indexes first, foreign keys last. */
export async function restoreIndexes(
  sql: postgres.Sql,
  saved: SavedIndexes,
  log: (message: string) => void = () => {},
): Promise<void> {
  await sql.unsafe(`set maintenance_work_mem = '512MB'`);
  const timed = async (what: string, statement: string) => {
    const t = performance.now();
    await sql.unsafe(statement);
    log(`${what} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  for (const c of saved.constraints.filter((c) => c.kind !== 'f'))
    await timed(`key ${c.name}`, `alter table ${c.table} add constraint "${c.name}" ${c.definition}`);
  for (const i of saved.indexes) await timed(`index ${i.name}`, i.definition);
  for (const c of saved.constraints.filter((c) => c.kind === 'f'))
    await timed(`foreign key ${c.name}`, `alter table ${c.table} add constraint "${c.name}" ${c.definition}`);
}
