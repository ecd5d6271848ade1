import { schema } from '@samtal/db';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../app.ts';
import { asStaffTenant, guarded } from '../common.ts';

const auditQuery = z.object({
  actorId: z.uuid().optional(),
  action: z.string().max(100).optional(),
  entity: z.string().max(100).optional(),
  entityId: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Inclusive'),
  to: z.iso.datetime({ offset: true }).optional().describe('Exclusive'),
  /** Newest first; pass the previous page's `nextBefore` to get the page after it. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const auditEntry = z.object({
  id: z.number().int(),
  actorKind: z.string(),
  actorId: z.uuid().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});

/** The audit log, for administrators: newest first, filtered, paged by id. */
export const auditRoutes: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const a = schema.auditLog;
  app.get(
    '/v1/audit',
    {
      onRequest: requirePermission('audit.read'),
      schema: {
        summary: 'Who did what to which record, when and from where',
        tags: ['audit'],
        querystring: auditQuery,
        response: {
          200: z.object({ items: z.array(auditEntry), nextBefore: z.number().int().nullable() }),
          ...guarded,
        },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const q = request.query;
      const where: SQL[] = [eq(a.tenantId, staff.tenantId)];
      if (q.actorId) where.push(eq(a.actorId, q.actorId));
      if (q.action) where.push(eq(a.action, q.action));
      if (q.entity) where.push(eq(a.entity, q.entity));
      if (q.entityId) where.push(eq(a.entityId, q.entityId));
      if (q.from) where.push(gte(a.createdAt, new Date(q.from)));
      if (q.to) where.push(lt(a.createdAt, new Date(q.to)));
      if (q.before) where.push(lt(a.id, q.before));
      const rows = await asStaffTenant(deps.db.db, request, (tx) =>
        tx
          .select()
          .from(a)
          .where(and(...where))
          .orderBy(desc(a.id))
          .limit(q.limit + 1),
      );
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((r) => ({
          id: r.id,
          actorKind: r.actorKind,
          actorId: r.actorId,
          action: r.action,
          entity: r.entity,
          entityId: r.entityId,
          ip: r.ip,
          userAgent: r.userAgent,
          data: r.data,
          createdAt: r.createdAt.toISOString(),
        })),
        nextBefore: rows.length > q.limit ? page[page.length - 1]!.id : null,
      };
    },
  );
};
