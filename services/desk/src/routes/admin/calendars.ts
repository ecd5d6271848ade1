import { type BusinessCalendar, validateCalendar } from '@samtal/business-time';
import { schema } from '@samtal/db';
import { ValidationProblem } from '@samtal/http';
import { staffOf } from '@samtal/staff-auth';
import { and, asc, eq, ne } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../../app.ts';
import { writeAudit } from '../../audit/log.ts';
import { asStaffTenant, guarded, idParam, noContent, problems } from '../../common.ts';
import { found, nonEmpty, saving } from './shared.ts';

const interval = z.object({ open: z.string(), close: z.string() });
const openingHours = z.record(z.string(), z.array(interval).max(10));
const calendar = z.object({
  id: z.uuid(),
  name: z.string(),
  timeZone: z.string(),
  openingHours,
  isDefault: z.boolean(),
});
const calendarFields = z.object({
  name: z.string().trim().min(1).max(200),
  timeZone: z.string().min(1).max(100),
  openingHours,
  isDefault: z.boolean().optional(),
});
const holiday = z.object({ day: z.iso.date(), name: z.string() });
const holidayParams = idParam.extend({ day: z.iso.date() });

/** 400 naming each problem `validateCalendar` finds (its messages start with the field). */
function checkCalendar(value: Pick<BusinessCalendar, 'timeZone' | 'openingHours'>) {
  const found = validateCalendar({ ...value, holidays: [] });
  if (found.length) {
    throw new ValidationProblem(
      found.map((message) => {
        const [field, ...rest] = message.split(': ');
        return { field: field!, message: rest.join(': ') };
      }),
    );
  }
}

const view = (c: typeof schema.businessCalendars.$inferSelect) => ({
  id: c.id,
  name: c.name,
  timeZone: c.timeZone,
  openingHours: c.openingHours,
  isDefault: c.isDefault,
});

/** Business calendars (opening hours in a time zone) and their holidays. */
export const calendarAdmin: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const db = deps.db.db;
  const t = schema.businessCalendars;
  const h = schema.calendarHolidays;

  app.get(
    '/v1/admin/calendars',
    {
      schema: {
        tags: ['admin'],
        summary: 'Business calendars',
        response: { 200: z.array(calendar), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const rows = await db.select().from(t).where(eq(t.tenantId, staff.tenantId)).orderBy(asc(t.name));
      return rows.map(view);
    },
  );

  app.post(
    '/v1/admin/calendars',
    {
      schema: {
        tags: ['admin'],
        summary: 'Add a business calendar',
        body: calendarFields,
        response: { 201: calendar, ...guarded },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      checkCalendar(request.body);
      const row = await asStaffTenant(db, request, async (tx) => {
        // One default calendar per tenant.
        if (request.body.isDefault)
          await tx.update(t).set({ isDefault: false }).where(eq(t.tenantId, staff.tenantId));
        const [row] = await tx
          .insert(t)
          .values({ ...request.body, tenantId: staff.tenantId })
          .returning();
        await writeAudit(tx, request, {
          action: 'admin.calendar.create',
          entity: 'calendar',
          entityId: row!.id,
          data: request.body,
        });
        return row!;
      });
      return reply.code(201).send(view(row));
    },
  );

  app.patch(
    '/v1/admin/calendars/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change a business calendar',
        params: idParam,
        body: calendarFields.partial(),
        response: { 200: calendar, ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const body = nonEmpty(request.body);
      return asStaffTenant(db, request, async (tx) => {
        const where = and(eq(t.tenantId, staff.tenantId), eq(t.id, request.params.id));
        const [current] = await tx.select().from(t).where(where).for('update');
        found(current, 'calendar');
        checkCalendar({
          timeZone: body.timeZone ?? current!.timeZone,
          openingHours: body.openingHours ?? current!.openingHours,
        });
        if (body.isDefault) {
          await tx
            .update(t)
            .set({ isDefault: false })
            .where(and(eq(t.tenantId, staff.tenantId), ne(t.id, current!.id)));
        }
        const [row] = await tx.update(t).set(body).where(where).returning();
        await writeAudit(tx, request, {
          action: 'admin.calendar.update',
          entity: 'calendar',
          entityId: row!.id,
          data: body,
        });
        return view(row!);
      });
    },
  );

  app.delete(
    '/v1/admin/calendars/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Delete a calendar no department or SLA policy uses',
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
        found(row, 'calendar');
        await writeAudit(tx, request, {
          action: 'admin.calendar.delete',
          entity: 'calendar',
          entityId: row!.id,
          data: { name: row!.name },
        });
      });
      return reply.code(204).send(null);
    },
  );

  const ownCalendar = async (tenantId: string, id: string) => {
    const [row] = await db
      .select({ id: t.id })
      .from(t)
      .where(and(eq(t.tenantId, tenantId), eq(t.id, id)));
    found(row, 'calendar');
  };

  app.get(
    '/v1/admin/calendars/:id/holidays',
    {
      schema: {
        tags: ['admin'],
        summary: 'Holidays of a calendar',
        params: idParam,
        response: { 200: z.array(holiday), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      await ownCalendar(staff.tenantId, request.params.id);
      return db
        .select({ day: h.day, name: h.name })
        .from(h)
        .where(and(eq(h.tenantId, staff.tenantId), eq(h.calendarId, request.params.id)))
        .orderBy(asc(h.day));
    },
  );

  app.put(
    '/v1/admin/calendars/:id/holidays/:day',
    {
      schema: {
        tags: ['admin'],
        summary: 'Add or rename a holiday (closed all day)',
        params: holidayParams,
        body: z.object({ name: z.string().trim().min(1).max(200) }),
        response: { 200: holiday, ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      await ownCalendar(staff.tenantId, request.params.id);
      const { id, day } = request.params;
      return asStaffTenant(db, request, async (tx) => {
        await tx
          .insert(h)
          .values({ tenantId: staff.tenantId, calendarId: id, day, name: request.body.name })
          .onConflictDoUpdate({
            target: [h.tenantId, h.calendarId, h.day],
            set: { name: request.body.name },
          });
        await writeAudit(tx, request, {
          action: 'admin.holiday.put',
          entity: 'calendar',
          entityId: id,
          data: { day, name: request.body.name },
        });
        return { day, name: request.body.name };
      });
    },
  );

  app.delete(
    '/v1/admin/calendars/:id/holidays/:day',
    {
      schema: {
        tags: ['admin'],
        summary: 'Remove a holiday',
        params: holidayParams,
        response: { 204: noContent, ...guarded },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const { id, day } = request.params;
      await asStaffTenant(db, request, async (tx) => {
        const [row] = await tx
          .delete(h)
          .where(and(eq(h.tenantId, staff.tenantId), eq(h.calendarId, id), eq(h.day, day)))
          .returning();
        found(row, 'holiday');
        await writeAudit(tx, request, {
          action: 'admin.holiday.delete',
          entity: 'calendar',
          entityId: id,
          data: { day },
        });
      });
      return reply.code(204).send(null);
    },
  );
};
