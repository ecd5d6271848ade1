import type { DbHandle } from '@samtal/db';
import { invalidField } from '@samtal/http';
import type { CaseFilters } from './queries.ts';

/** Turns the codes a manager types (department, category, district) into ids, or a 400 naming the field. */
export async function resolveFilters(
  db: DbHandle,
  tenantId: string,
  q: { channel?: string; department?: string; category?: string; district?: string; priority?: string },
): Promise<CaseFilters> {
  const { sql } = db;
  const one = async (table: 'departments' | 'categories' | 'districts', field: string, code?: string) => {
    if (code === undefined) return undefined;
    const [row] = await sql<{ id: string }[]>`
      select id from ${sql(table)} where tenant_id = ${tenantId} and code = ${code}`;
    if (!row) throw invalidField(field, `no ${field} with code "${code}" in this municipality`);
    return row.id;
  };
  return {
    channel: q.channel,
    departmentId: await one('departments', 'department', q.department),
    categoryId: await one('categories', 'category', q.category),
    districtId: await one('districts', 'district', q.district),
    priority: q.priority,
  };
}
