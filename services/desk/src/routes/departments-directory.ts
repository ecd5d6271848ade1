import { schema } from '@samtal/db';
import { staffOf } from '@samtal/staff-auth';
import { asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../app.ts';
import { guarded, requireAnyPermission } from '../common.ts';

const entry = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(['department', 'contact_centre']),
  active: z.boolean(),
});

/**
 * The municipality's departments by name, for everyone who works cases (routing targets, queue
 * names, who leads a case). Read-only; the admin API changes them.
 */
export const departmentDirectory: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const db = deps.db.db;
  const d = schema.departments;
  app.get(
    '/v1/departments',
    {
      preHandler: requireAnyPermission('cases.read', 'admin.configure'),
      schema: {
        tags: ['departments'],
        summary: 'Departments (names, kinds, whether active)',
        response: { 200: z.array(entry), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const rows = await db
        .select({ id: d.id, code: d.code, name: d.name, kind: d.kind, active: d.active })
        .from(d)
        .where(eq(d.tenantId, staff.tenantId))
        .orderBy(asc(d.name));
      return rows.map((r) => ({ ...r, kind: r.kind as 'department' | 'contact_centre' }));
    },
  );
};
