import type { Database } from '@samtal/db';
import { presenceStatus } from '@samtal/domain';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { currentPresence, setPresence } from '../live/presence-store.ts';

export interface PresenceRouteDeps {
  db: { db: Database };
  writer: { redis: Redis; prefix: string };
}

const presenceState = z.object({
  userId: z.uuid(),
  displayName: z.string(),
  status: presenceStatus,
  since: z.string().nullable(),
});

/**
 * Presence: available / busy / away / offline, kept as intervals in `staff_presence` (occupancy)
 * and used to offer chats. Each member sets their own; supervisors see everyone's (also live,
 * topic `presence`). The live hub sets a member offline when their last socket closes.
 */
export async function presenceRoutes(fastify: FastifyInstance, deps: PresenceRouteDeps) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const store = { db: deps.db.db, redis: deps.writer.redis, prefix: deps.writer.prefix };

  app.get('/v1/presence/me', { schema: { response: { 200: presenceState } } }, async (request) => {
    const me = staffOf(request);
    const [state] = await currentPresence(store.db, me.tenantId, [me.userId]);
    return state!;
  });

  app.put(
    '/v1/presence/me',
    {
      schema: {
        body: z.object({ status: presenceStatus }),
        response: { 200: presenceState.extend({ changed: z.boolean() }) },
      },
    },
    async (request) => {
      const me = staffOf(request);
      const { state, changed } = await setPresence(store, me, request.body.status);
      return { ...state, changed };
    },
  );

  app.get(
    '/v1/presence',
    {
      preHandler: requirePermission('presence.read'),
      schema: { response: { 200: z.object({ staff: z.array(presenceState) }) } },
    },
    async (request) => ({ staff: await currentPresence(store.db, staffOf(request).tenantId) }),
  );
}
