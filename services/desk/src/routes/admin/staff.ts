import { type Executor, schema } from '@samtal/db';
import { staffRole } from '@samtal/domain';
import { ConflictProblem, invalidField } from '@samtal/http';
import { hashPassword, passwordProblem } from '@samtal/security';
import { signOutEverywhere, staffOf } from '@samtal/staff-auth';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../../app.ts';
import { writeAudit } from '../../audit/log.ts';
import { asStaffTenant, guarded, idParam, iso, problems } from '../../common.ts';
import { found, nonEmpty, saving } from './shared.ts';

const staffMember = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  active: z.boolean(),
  lockedUntil: z.iso.datetime().nullable(),
  departmentIds: z.array(z.uuid()),
  createdAt: z.iso.datetime(),
});
const roles = z
  .array(staffRole)
  .min(1)
  .max(6)
  .refine((r) => new Set(r).size === r.length, 'must not repeat a role');
const password = z.string().superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const createFields = z.object({
  email: z.email().max(320),
  displayName: z.string().trim().min(1).max(200),
  roles,
  password,
  departmentIds: z.array(z.uuid()).max(50).default([]),
});
const changeFields = z.object({
  displayName: z.string().trim().min(1).max(200).optional(),
  roles: roles.optional(),
  active: z.boolean().optional(),
  /** Sets a new password and signs the member out everywhere. */
  password: password.optional(),
  /** Lifts a lockout after repeated failed sign-ins. */
  unlock: z.literal(true).optional(),
});

async function departmentsOf(db: Executor, tenantId: string, userIds: string[]) {
  const m = schema.departmentMemberships;
  if (!userIds.length) return new Map<string, string[]>();
  const rows = await db
    .select()
    .from(m)
    .where(and(eq(m.tenantId, tenantId), inArray(m.userId, userIds)));
  const map = new Map<string, string[]>();
  for (const row of rows) map.set(row.userId, [...(map.get(row.userId) ?? []), row.departmentId]);
  return map;
}

/** Replaces a member's departments; 400 naming any department the tenant does not have. */
async function setDepartments(tx: Executor, tenantId: string, userId: string, departmentIds: string[]) {
  const ids = [...new Set(departmentIds)];
  const d = schema.departments;
  const known = ids.length
    ? new Set(
        (
          await tx
            .select({ id: d.id })
            .from(d)
            .where(and(eq(d.tenantId, tenantId), inArray(d.id, ids)))
        ).map((r) => r.id),
      )
    : new Set<string>();
  const bad = departmentIds.findIndex((id) => !known.has(id));
  if (bad >= 0) throw invalidField(`departmentIds.${bad}`, 'is not a department of this municipality');
  const m = schema.departmentMemberships;
  await tx.delete(m).where(and(eq(m.tenantId, tenantId), eq(m.userId, userId)));
  if (ids.length) await tx.insert(m).values(ids.map((departmentId) => ({ tenantId, userId, departmentId })));
}

const view = (u: typeof schema.staffUsers.$inferSelect, departmentIds: string[]) => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  roles: u.roles,
  active: u.active,
  lockedUntil: iso(u.lockedUntil),
  departmentIds,
  createdAt: u.createdAt.toISOString(),
});

/** Staff accounts, their roles and department memberships. Passwords are never returned. */
export const staffAdmin: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const db = deps.db.db;
  const u = schema.staffUsers;

  app.get(
    '/v1/admin/staff',
    {
      schema: {
        tags: ['admin'],
        summary: 'Staff accounts',
        response: { 200: z.array(staffMember), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const rows = await db.select().from(u).where(eq(u.tenantId, staff.tenantId)).orderBy(asc(u.email));
      const departments = await departmentsOf(
        db,
        staff.tenantId,
        rows.map((r) => r.id),
      );
      return rows.map((r) => view(r, departments.get(r.id) ?? []));
    },
  );

  app.post(
    '/v1/admin/staff',
    {
      schema: {
        tags: ['admin'],
        summary: 'Add a staff member',
        body: createFields,
        response: { 201: staffMember, ...guarded, ...problems(409) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const { password: plain, departmentIds, ...fields } = request.body;
      const passwordHash = await hashPassword(plain);
      const row = await asStaffTenant(db, request, async (tx) => {
        const [row] = await saving(
          () =>
            tx
              .insert(u)
              .values({ ...fields, passwordHash, tenantId: staff.tenantId, passwordChangedAt: new Date() })
              .returning(),
          'email',
        );
        await setDepartments(tx, staff.tenantId, row!.id, departmentIds);
        await writeAudit(tx, request, {
          action: 'admin.staff.create',
          entity: 'staff_user',
          entityId: row!.id,
          data: { ...fields, departmentIds },
        });
        return row!;
      });
      return reply.code(201).send(view(row, [...new Set(departmentIds)]));
    },
  );

  app.patch(
    '/v1/admin/staff/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change roles, name or password; deactivate; lift a lockout',
        params: idParam,
        body: changeFields,
        response: { 200: staffMember, ...guarded, ...problems(409) },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const { password: plain, unlock, ...fields } = nonEmpty(request.body);
      const self = request.params.id === staff.userId;
      if (self && (fields.active === false || (fields.roles && !fields.roles.includes('admin')))) {
        throw new ConflictProblem('Administrators cannot lock themselves out; ask another administrator');
      }
      const passwordHash = plain ? await hashPassword(plain) : undefined;
      const row = await asStaffTenant(db, request, async (tx) => {
        const [row] = await tx
          .update(u)
          .set({
            ...fields,
            ...(passwordHash ? { passwordHash, passwordChangedAt: new Date() } : {}),
            ...(unlock ? { lockedUntil: null, failedSignIns: 0 } : {}),
          })
          .where(and(eq(u.tenantId, staff.tenantId), eq(u.id, request.params.id)))
          .returning();
        found(row, 'staff member');
        await writeAudit(tx, request, {
          action: 'admin.staff.update',
          entity: 'staff_user',
          entityId: row!.id,
          data: { ...fields, passwordChanged: !!plain, unlocked: !!unlock },
        });
        return row!;
      });
      // A new password or a deactivation ends every open session of the member.
      if (plain || fields.active === false) await signOutEverywhere(db, row.id);
      const departments = await departmentsOf(db, staff.tenantId, [row.id]);
      return view(row, departments.get(row.id) ?? []);
    },
  );

  app.put(
    '/v1/admin/staff/:id/departments',
    {
      schema: {
        tags: ['admin'],
        summary: 'Set the departments a staff member belongs to',
        params: idParam,
        body: z.object({ departmentIds: z.array(z.uuid()).max(50) }),
        response: { 200: staffMember, ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      return asStaffTenant(db, request, async (tx) => {
        const [row] = await tx
          .select()
          .from(u)
          .where(and(eq(u.tenantId, staff.tenantId), eq(u.id, request.params.id)));
        found(row, 'staff member');
        await setDepartments(tx, staff.tenantId, row!.id, request.body.departmentIds);
        await writeAudit(tx, request, {
          action: 'admin.staff.departments',
          entity: 'staff_user',
          entityId: row!.id,
          data: { departmentIds: request.body.departmentIds },
        });
        return view(row!, [...new Set(request.body.departmentIds)]);
      });
    },
  );
};
