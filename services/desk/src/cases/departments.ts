import { type Executor, schema } from '@samtal/db';
import { type FieldProblem, ValidationProblem } from '@samtal/http';
import { and, eq, inArray } from 'drizzle-orm';

/** The tenant's contact-centre departments (their queue is the agents' triage queue). */
export async function contactCentreIds(db: Executor, tenantId: string): Promise<string[]> {
  const rows = await db
    .select({ id: schema.departments.id })
    .from(schema.departments)
    .where(and(eq(schema.departments.tenantId, tenantId), eq(schema.departments.kind, 'contact_centre')));
  return rows.map((r) => r.id);
}

/** 400 naming each field whose department is not an active department of the tenant. */
export async function assertActiveDepartments(
  db: Executor,
  tenantId: string,
  fields: Record<string, string | null | undefined>,
): Promise<void> {
  const ids = [...new Set(Object.values(fields).filter((id): id is string => !!id))];
  if (!ids.length) return;
  const rows = await db
    .select({ id: schema.departments.id })
    .from(schema.departments)
    .where(
      and(
        eq(schema.departments.tenantId, tenantId),
        eq(schema.departments.active, true),
        inArray(schema.departments.id, ids),
      ),
    );
  const known = new Set(rows.map((r) => r.id));
  const problems: FieldProblem[] = Object.entries(fields)
    .filter(([, id]) => id && !known.has(id))
    .map(([field]) => ({ field, message: 'is not an active department of this municipality' }));
  if (problems.length) throw new ValidationProblem(problems);
}
