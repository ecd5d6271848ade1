import { schema } from '@samtal/db';
import { randomToken, sha256 } from '@samtal/security';
import { staffOf } from '@samtal/staff-auth';
import { and, desc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../../app.ts';
import { writeAudit } from '../../audit/log.ts';
import { asStaffTenant, guarded, idParam, iso } from '../../common.ts';
import { found } from './shared.ts';

const apiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  /** The first characters of the key, to tell keys apart; the key itself is never shown again. */
  keyPrefix: z.string(),
  active: z.boolean(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
});

const view = (k: typeof schema.apiClients.$inferSelect) => ({
  id: k.id,
  name: k.name,
  keyPrefix: k.keyPrefix,
  active: k.active,
  createdAt: k.createdAt.toISOString(),
  revokedAt: iso(k.revokedAt),
});

/** Open311 API keys: shown once when created, stored as SHA-256, revoked (never deleted: cases refer to them). */
export const apiKeyAdmin: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const db = deps.db.db;
  const k = schema.apiClients;

  app.get(
    '/v1/admin/api-keys',
    {
      schema: {
        tags: ['admin'],
        summary: 'Open311 API keys',
        response: { 200: z.array(apiKey), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const rows = await db.select().from(k).where(eq(k.tenantId, staff.tenantId)).orderBy(desc(k.createdAt));
      return rows.map(view);
    },
  );

  app.post(
    '/v1/admin/api-keys',
    {
      schema: {
        tags: ['admin'],
        summary: 'Issue an Open311 API key (the response is the only time the key is shown)',
        body: z.object({ name: z.string().trim().min(1).max(200) }),
        response: { 201: apiKey.extend({ key: z.string() }), ...guarded },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const key = `s311_${randomToken(32)}`;
      const row = await asStaffTenant(db, request, async (tx) => {
        const [row] = await tx
          .insert(k)
          .values({
            tenantId: staff.tenantId,
            name: request.body.name,
            keyHash: sha256(key),
            keyPrefix: key.slice(0, 9),
          })
          .returning();
        await writeAudit(tx, request, {
          action: 'admin.api_key.create',
          entity: 'api_client',
          entityId: row!.id,
          data: { name: request.body.name, keyPrefix: row!.keyPrefix },
        });
        return row!;
      });
      return reply.code(201).send({ ...view(row), key });
    },
  );

  app.delete(
    '/v1/admin/api-keys/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Revoke an Open311 API key',
        params: idParam,
        response: { 200: apiKey, ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      return asStaffTenant(db, request, async (tx) => {
        const [row] = await tx
          .update(k)
          .set({ active: false, revokedAt: new Date() })
          .where(and(eq(k.tenantId, staff.tenantId), eq(k.id, request.params.id)))
          .returning();
        found(row, 'API key');
        await writeAudit(tx, request, {
          action: 'admin.api_key.revoke',
          entity: 'api_client',
          entityId: row!.id,
        });
        return view(row!);
      });
    },
  );
};
