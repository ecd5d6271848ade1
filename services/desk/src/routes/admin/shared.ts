import { type Executor, schema } from '@samtal/db';
import {
  ConflictProblem,
  type FieldProblem,
  invalidField,
  NotFoundProblem,
  ValidationProblem,
} from '@samtal/http';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { isForeignKeyViolation, isUniqueViolation } from '../../common.ts';

export const localised = z
  .record(
    z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'keys must be language tags'),
    z.string().max(2000),
  )
  .refine((v) => Object.keys(v).length > 0, 'needs at least one language');

export const code = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,59}$/, 'lower-case letters, digits, _ . - (max 60)');

/** A PATCH must change something. */
export function nonEmpty<T extends object>(body: T): T {
  if (!Object.values(body).some((v) => v !== undefined)) {
    throw invalidField('(body)', 'name at least one field to change');
  }
  return body;
}

const tables = {
  department: schema.departments,
  calendar: schema.businessCalendars,
  slaPolicy: schema.slaPolicies,
  category: schema.categories,
} as const;

/** 400 naming each field that refers to a record this tenant does not have. */
export async function assertOwned(
  db: Executor,
  tenantId: string,
  refs: { field: string; kind: keyof typeof tables; id: string | null | undefined }[],
): Promise<void> {
  const problems: FieldProblem[] = [];
  for (const ref of refs) {
    if (!ref.id) continue;
    const table = tables[ref.kind];
    const [row] = await db
      .select({ id: table.id })
      .from(table)
      .where(and(eq(table.tenantId, tenantId), eq(table.id, ref.id)));
    if (!row) problems.push({ field: ref.field, message: `is not a ${ref.kind} of this municipality` });
  }
  if (problems.length) throw new ValidationProblem(problems);
}

/** 400 naming every category code this tenant does not have. */
export async function assertCategoryCodes(db: Executor, tenantId: string, codes: string[], field: string) {
  if (!codes.length) return;
  const rows = await db
    .select({ code: schema.categories.code })
    .from(schema.categories)
    .where(and(eq(schema.categories.tenantId, tenantId), inArray(schema.categories.code, codes)));
  const known = new Set(rows.map((r) => r.code));
  const problems = codes
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => !known.has(c))
    .map(({ i }) => ({ field: `${field}.${i}`, message: 'is not a category code of this municipality' }));
  if (problems.length) throw new ValidationProblem(problems);
}

/** Maps database constraint errors to problems that name the field. */
export async function saving<T>(work: () => Promise<T>, uniqueField: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictProblem(`${uniqueField} is already taken`, {
        errors: [{ field: uniqueField, message: 'is already taken' }],
      });
    }
    if (isForeignKeyViolation(error)) {
      throw new ConflictProblem('Other records still refer to this one; deactivate it instead');
    }
    throw error;
  }
}

export function found<T>(row: T | undefined, what: string): T {
  if (!row) throw new NotFoundProblem(`No such ${what}`);
  return row;
}
