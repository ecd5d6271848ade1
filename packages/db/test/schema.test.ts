import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useTestContext } from '@samtal/testing';
import { describe, expect, it } from 'vitest';
import {
  isDatabaseEmpty,
  migrationsFolder,
  personalData,
  residentColumns,
  seedDemoMunicipality,
} from '../src/index.ts';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('schema and migrations', () => {
  const ctx = useTestContext();

  it('agree: generating a migration from the schema yields nothing new', async () => {
    // drizzle-kit wants an --out relative to the working directory.
    const out = mkdtempSync(join(packageDir, '.migration-check-'));
    try {
      cpSync(migrationsFolder, out, { recursive: true });
      const before = readdirSync(out).length;
      const { stdout } = await run(
        'pnpm',
        [
          'exec',
          'drizzle-kit',
          'generate',
          '--dialect',
          'postgresql',
          '--schema',
          './src/schema.ts',
          '--out',
          relative(packageDir, out),
          '--casing',
          'snake_case',
        ],
        { cwd: packageDir },
      );
      expect(stdout).toContain('No schema changes');
      expect(readdirSync(out).length).toBe(before);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('gives every tenant-owned table a tenant_id, and every index on it starts with tenant_id', async () => {
    const tables = await ctx.database.sql<{ table_name: string; has_tenant: boolean }[]>`
      select t.table_name,
             exists (select 1 from information_schema.columns c
                     where c.table_name = t.table_name and c.column_name = 'tenant_id') as has_tenant
      from information_schema.tables t
      where t.table_schema = 'public' and t.table_type = 'BASE TABLE'`;
    const withoutTenant = tables.filter((t) => !t.has_tenant).map((t) => t.table_name);
    expect(withoutTenant).toEqual(['tenants']);

    const indexes = await ctx.database.sql<{ indexname: string; first_column: string }[]>`
      select i.relname as indexname, a.attname as first_column
      from pg_index x
      join pg_class i on i.oid = x.indexrelid
      join pg_class t on t.oid = x.indrelid
      join pg_namespace n on n.oid = t.relnamespace
      left join pg_attribute a on a.attrelid = t.oid and a.attnum = x.indkey[0]
      where n.nspname = 'public' and t.relname <> 'tenants' and not x.indisprimary
        and i.relname not like '%_unique' and i.relname not like '%_key'`;
    const offenders = indexes.filter((i) => i.first_column !== 'tenant_id').map((i) => i.indexname);
    // The relay sweeps unsent outbox rows of every tenant; documented in the schema.
    expect(offenders).toEqual(['outbox_unsent_idx']);
  });

  it('seeds the demo municipality once, into an empty database', async () => {
    expect(await isDatabaseEmpty(ctx.database.db)).toBe(true);
    const demo = await seedDemoMunicipality(ctx.database.db);
    expect(demo.slug).toBe('vasteras');
    expect(Object.keys(demo.categories)).toContain('pothole');
    expect(demo.staff.map((s) => s.roles[0])).toEqual(
      expect.arrayContaining(['agent', 'department_officer', 'manager', 'admin', 'dialogue_facilitator']),
    );
    expect(await isDatabaseEmpty(ctx.database.db)).toBe(false);
    // A second tenant with its own slug lives beside it.
    const other = await seedDemoMunicipality(ctx.database.db, {
      slug: 'jinan',
      open311Key: 'jinan-key-000000000000',
    });
    expect(other.tenantId).not.toBe(demo.tenantId);
  });
});

describe('the personal data map', () => {
  const ctx = useTestContext();

  it('classifies every column of every table in the migrated database', async () => {
    const columns = await ctx.database.sql<{ table_name: string; column_name: string }[]>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and table_name <> '__drizzle_migrations'`;
    const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const mapped = new Set(
      Object.entries(personalData).flatMap(([table, cols]) =>
        Object.keys(cols).map((c) => `${snake(table)}.${snake(c)}`),
      ),
    );
    const missing = columns.map((c) => `${c.table_name}.${c.column_name}`).filter((c) => !mapped.has(c));
    expect(missing, 'add these columns to packages/db/src/personal-data.ts').toEqual([]);
  });

  it('says for every resident column how it is anonymised and why it is kept', () => {
    const columns = residentColumns();
    expect(columns.length).toBeGreaterThan(10);
    for (const [, , c] of columns) {
      expect(c.why.length).toBeGreaterThan(5);
      expect(['null', 'redact', 'empty', 'delete_row']).toContain(c.anonymise);
    }
  });
});
