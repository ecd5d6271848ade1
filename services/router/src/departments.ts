import { type Executor, schema } from '@samtal/db';
import { and, asc, eq } from 'drizzle-orm';

export class NoTriageDepartmentError extends Error {
  override name = 'NoTriageDepartmentError';
  constructor(readonly tenantId: string) {
    super(`Tenant ${tenantId} has no active contact-centre department to triage unrouted cases`);
  }
}

/** The contact centre that triages whatever no rule routes (the first active one, by code). */
export async function triageDepartmentId(tx: Executor, tenantId: string): Promise<string> {
  const [row] = await tx
    .select({ id: schema.departments.id })
    .from(schema.departments)
    .where(
      and(
        eq(schema.departments.tenantId, tenantId),
        eq(schema.departments.kind, 'contact_centre'),
        eq(schema.departments.active, true),
      ),
    )
    .orderBy(asc(schema.departments.code))
    .limit(1);
  if (!row) throw new NoTriageDepartmentError(tenantId);
  return row.id;
}

export async function activeDepartment(
  tx: Executor,
  tenantId: string,
  departmentId: string,
): Promise<typeof schema.departments.$inferSelect | undefined> {
  const [row] = await tx
    .select()
    .from(schema.departments)
    .where(
      and(
        eq(schema.departments.tenantId, tenantId),
        eq(schema.departments.id, departmentId),
        eq(schema.departments.active, true),
      ),
    );
  return row;
}
