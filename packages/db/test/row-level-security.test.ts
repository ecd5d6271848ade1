import { useTestContext } from '@samtal/testing';
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDb,
  type DemoTenant,
  inTenantTransaction,
  schema,
  seedDemoMunicipality,
} from '../src/index.ts';

describe('row-level security', () => {
  const ctx = useTestContext();
  let vasteras: DemoTenant;
  let jinan: DemoTenant;
  let tables: string[];

  beforeAll(async () => {
    vasteras = await seedDemoMunicipality(ctx.database.db);
    jinan = await seedDemoMunicipality(ctx.database.db, {
      slug: 'jinan',
      open311Key: 'jinan-key-000000000000',
    });
    const rows = await ctx.database.sql<{ table_name: string }[]>`
      select table_name from information_schema.columns
      where table_schema = 'public' and column_name = 'tenant_id' order by table_name`;
    tables = rows.map((r) => r.table_name);
  });

  /** Row counts per tenant-owned table, read with a raw query inside `setup`'s transaction. */
  async function countsAs(setup: string): Promise<Record<string, number>> {
    return ctx.database.sql.begin(async (tx) => {
      await tx.unsafe(setup);
      const counts: Record<string, number> = {};
      for (const table of tables) {
        const [row] = await tx.unsafe(`select count(*)::int as n from "${table}"`);
        counts[table] = row!.n as number;
      }
      return counts;
    });
  }

  it('protects every tenant-owned table, and tenants itself, with a tenant_isolation policy', async () => {
    const rows = await ctx.database.sql<
      { relname: string; relrowsecurity: boolean; policy: string | null }[]
    >`
      select c.relname, c.relrowsecurity, p.polname as policy
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_policy p on p.polrelid = c.oid and p.polname = 'tenant_isolation'
      where n.nspname = 'public' and c.relkind = 'r' and c.relname <> '__drizzle_migrations'`;
    const unprotected = rows.filter((r) => !r.relrowsecurity || r.policy === null).map((r) => r.relname);
    expect(unprotected, 'call samtal_isolate_tenant_tables() in the migration that adds them').toEqual([]);
    expect(rows.length).toBe(tables.length + 1);
  });

  it('shows a raw query without a tenant setting nothing at all', async () => {
    const asOwner = await countsAs('select 1');
    expect(asOwner.cases! + asOwner.categories! + asOwner.staff_users!).toBeGreaterThan(0);
    const withoutTenant = await countsAs('set local role samtal_tenant');
    expect(Object.values(withoutTenant).every((n) => n === 0)).toBe(true);
    const [tenants] = await ctx.database.sql.begin(async (tx) => {
      await tx`set local role samtal_tenant`;
      return tx`select count(*)::int as n from tenants`;
    });
    expect(tenants!.n).toBe(0);
  });

  it('shows a tenant exactly its own rows in every table, even through a raw query', async () => {
    const mine = await countsAs(
      `set local role samtal_tenant; select set_config('samtal.tenant_id', '${jinan.tenantId}', true)`,
    );
    for (const table of tables) {
      const [row] = await ctx.database.sql.unsafe(
        `select count(*)::int as n from "${table}" where tenant_id = $1`,
        [jinan.tenantId],
      );
      expect(mine[table], table).toBe(row!.n);
    }
    expect(mine.categories).toBeGreaterThan(0);
  });

  it("rejects writing another tenant's rows and leaves them untouched", async () => {
    const { db } = ctx.database;
    await expect(
      inTenantTransaction(db, vasteras.tenantId, (tx) =>
        tx
          .insert(schema.departments)
          .values({ tenantId: jinan.tenantId, code: 'intruder', name: 'Intruder' }),
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/row-level security/) } });

    const renamed = await inTenantTransaction(db, vasteras.tenantId, (tx) =>
      tx
        .update(schema.departments)
        .set({ code: 'renamed' })
        .where(eq(schema.departments.tenantId, jinan.tenantId))
        .returning(),
    );
    expect(renamed).toEqual([]);
    const jinanHolidays = async () => {
      const [row] = await ctx.database.sql`
        select count(*)::int as n from calendar_holidays where tenant_id = ${jinan.tenantId}`;
      return row!.n as number;
    };
    const before = await jinanHolidays();
    expect(before).toBeGreaterThan(0);
    // A delete that forgot its where clause removes only the tenant's own rows.
    const deleted = await inTenantTransaction(db, vasteras.tenantId, (tx) =>
      tx
        .delete(schema.calendarHolidays)
        .where(sql`true`)
        .returning({ tenantId: schema.calendarHolidays.tenantId }),
    );
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.every((h) => h.tenantId === vasteras.tenantId)).toBe(true);
    expect(await jinanHolidays()).toBe(before);
    const [jinanDepartments] = await ctx.database.sql`
      select count(*)::int as n from departments where tenant_id = ${jinan.tenantId} and code in ('renamed', 'intruder')`;
    expect(jinanDepartments!.n).toBe(0);
  });

  it('ends the role and the tenant with the transaction, so a pooled connection carries neither on', async () => {
    const handle = createDb(ctx.databaseUrl, { max: 1 });
    try {
      const inside = await inTenantTransaction(handle.db, jinan.tenantId, async (tx) => {
        const rows = await tx.execute<{ role: string; tenant: string }>(
          sql`select current_user as role, current_setting('samtal.tenant_id', true) as tenant`,
        );
        return rows[0]!;
      });
      expect(inside).toEqual({ role: 'samtal_tenant', tenant: jinan.tenantId });
      const [after] = await handle.sql<{ role: string; tenant: string | null }[]>`
        select current_user as role, nullif(current_setting('samtal.tenant_id', true), '') as tenant`;
      expect(after).toEqual({ role: 'postgres', tenant: null });
      // A failed transaction rolls the settings back too.
      await expect(
        inTenantTransaction(handle.db, jinan.tenantId, async (tx) => {
          await tx.execute(sql`select 1/0`);
        }),
      ).rejects.toThrow();
      const [afterError] = await handle.sql`select current_user as role`;
      expect(afterError!.role).toBe('postgres');
    } finally {
      await handle.close();
    }
  });
});
