import { schema } from '@samtal/db';
import { staffOf } from '@samtal/staff-auth';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../../app.ts';
import { writeAudit } from '../../audit/log.ts';
import { asStaffTenant, guarded, idParam, noContent, problems } from '../../common.ts';
import { assertOwned, code, found, nonEmpty, saving } from './shared.ts';

const department = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(['department', 'contact_centre']),
  email: z.string().nullable(),
  calendarId: z.uuid().nullable(),
  active: z.boolean(),
});
const fields = z.object({
  code,
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['department', 'contact_centre']).optional(),
  email: z.email().max(320).nullable().optional(),
  calendarId: z.uuid().nullable().optional(),
  active: z.boolean().optional(),
});

const view = (d: typeof schema.departments.$inferSelect) => ({
  id: d.id,
  code: d.code,
  name: d.name,
  kind: d.kind as 'department' | 'contact_centre',
  email: d.email,
  calendarId: d.calendarId,
  active: d.active,
});

export const departmentAdmin: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const db = deps.db.db;
  const t = schema.departments;

  app.get(
    '/v1/admin/departments',
    {
      schema: { tags: ['admin'], summary: 'Departments', response: { 200: z.array(department), ...guarded } },
    },
    async (request) => {
      const staff = staffOf(request);
      const rows = await db.select().from(t).where(eq(t.tenantId, staff.tenantId)).orderBy(asc(t.code));
      return rows.map(view);
    },
  );

  app.post(
    '/v1/admin/departments',
    {
      schema: {
        tags: ['admin'],
        summary: 'Add a department',
        body: fields,
        response: { 201: department, ...guarded, ...problems(409) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const row = await asStaffTenant(db, request, async (tx) => {
        await assertOwned(tx, staff.tenantId, [
          { field: 'calendarId', kind: 'calendar', id: request.body.calendarId },
        ]);
        const [row] = await saving(
          () =>
            tx
              .insert(t)
              .values({ ...request.body, tenantId: staff.tenantId })
              .returning(),
          'code',
        );
        await writeAudit(tx, request, {
          action: 'admin.department.create',
          entity: 'department',
          entityId: row!.id,
          data: request.body,
        });
        return row!;
      });
      return reply.code(201).send(view(row));
    },
  );

  app.patch(
    '/v1/admin/departments/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change a department',
        params: idParam,
        body: fields.partial(),
        response: { 200: department, ...guarded, ...problems(409) },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const body = nonEmpty(request.body);
      return asStaffTenant(db, request, async (tx) => {
        await assertOwned(tx, staff.tenantId, [
          { field: 'calendarId', kind: 'calendar', id: body.calendarId },
        ]);
        const [row] = await saving(
          () =>
            tx
              .update(t)
              .set(body)
              .where(and(eq(t.tenantId, staff.tenantId), eq(t.id, request.params.id)))
              .returning(),
          'code',
        );
        found(row, 'department');
        await writeAudit(tx, request, {
          action: 'admin.department.update',
          entity: 'department',
          entityId: row!.id,
          data: body,
        });
        return view(row!);
      });
    },
  );

  app.delete(
    '/v1/admin/departments/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Delete a department no case, rule or category refers to (else deactivate it)',
        params: idParam,
        response: { 204: noContent, ...guarded, ...problems(409) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await asStaffTenant(db, request, async (tx) => {
        const [row] = await saving(
          () =>
            tx
              .delete(t)
              .where(and(eq(t.tenantId, staff.tenantId), eq(t.id, request.params.id)))
              .returning(),
          'id',
        );
        found(row, 'department');
        await writeAudit(tx, request, {
          action: 'admin.department.delete',
          entity: 'department',
          entityId: row!.id,
          data: { code: row!.code },
        });
      });
      return reply.code(204).send(null);
    },
  );
};
