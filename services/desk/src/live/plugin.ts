import { type DbHandle, schema } from '@samtal/db';
import { ForbiddenProblem, UnauthorizedProblem } from '@samtal/http';
import { randomToken, sha256 } from '@samtal/security';
import { SESSION_COOKIE, type StaffPrincipal, staffOf } from '@samtal/staff-auth';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { liveTicketKey } from './channels.ts';
import { LiveHub } from './hub.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's live hub (sockets, pub/sub fan-out). */
    live: LiveHub;
  }
}

export interface LiveDeps {
  config: {
    LIVE_HEARTBEAT_MS?: number;
    LIVE_POLL_MS?: number;
    LIVE_MAX_BUFFERED_BYTES?: number;
    PRESENCE_OFFLINE_GRACE_MS?: number;
  };
  db: DbHandle;
  writer: { redis: Redis; prefix: string };
  subscriber: Redis;
}

const TICKET_TTL_S = 30;

/**
 * A browser's WebSocket cannot send headers, and a session token in a URL ends up in logs; so a
 * signed-in client asks for a one-time ticket (30 s) and connects with `?ticket=`.
 */
async function redeemTicket(deps: LiveDeps, ticket: string): Promise<StaffPrincipal | undefined> {
  const stored = await deps.writer.redis.getdel(liveTicketKey(deps.writer.prefix, sha256(ticket)));
  if (!stored) return undefined;
  const principal = JSON.parse(stored) as StaffPrincipal;
  // The session may have been signed out since the ticket was issued.
  const { staffSessions: s } = schema;
  const [session] = await deps.db.db
    .select({ id: s.id })
    .from(s)
    .where(and(eq(s.id, principal.sessionId), isNull(s.revokedAt), gt(s.expiresAt, new Date())));
  return session ? principal : undefined;
}

/** Cookie-authenticated upgrades must come from the desk's own origin or the tenant's allowed ones. */
async function originAllowed(deps: LiveDeps, request: FastifyRequest, principal: StaffPrincipal) {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    if (new URL(origin).host === request.headers.host) return true;
  } catch {
    return false;
  }
  const [tenant] = await deps.db.db
    .select({ corsOrigins: schema.tenants.corsOrigins })
    .from(schema.tenants)
    .where(eq(schema.tenants.id, principal.tenantId));
  return tenant?.corsOrigins.includes(origin) ?? false;
}

/** `GET /v1/live` (WebSocket) and `POST /v1/live/ticket`; decorates the app with its hub. */
export const liveUpdates = fp(
  async (app: FastifyInstance, deps: LiveDeps) => {
    const hub = new LiveHub({
      db: deps.db,
      subscriber: deps.subscriber,
      redis: deps.writer.redis,
      prefix: deps.writer.prefix,
      heartbeatMs: deps.config.LIVE_HEARTBEAT_MS ?? 30_000,
      maxBufferedBytes: deps.config.LIVE_MAX_BUFFERED_BYTES ?? 1024 * 1024,
      offlineGraceMs: deps.config.PRESENCE_OFFLINE_GRACE_MS ?? 5_000,
      pollMs: deps.config.LIVE_POLL_MS ?? 2_000,
      log: app.log,
    });
    app.decorate('live', hub);
    app.addHook('onReady', () => hub.start());
    app.addHook('onClose', () => hub.stop());

    app.post('/v1/live/ticket', async (request) => {
      const principal = staffOf(request);
      const ticket = randomToken(32);
      await deps.writer.redis.set(
        liveTicketKey(deps.writer.prefix, sha256(ticket)),
        JSON.stringify(principal),
        'EX',
        TICKET_TTL_S,
      );
      return { ticket, expiresInSeconds: TICKET_TTL_S };
    });

    const principals = new WeakMap<FastifyRequest, StaffPrincipal>();
    const query = z.object({ ticket: z.string().min(20).max(100).optional() });

    app.get(
      '/v1/live',
      {
        websocket: true,
        // Authenticated before the upgrade: a refused client gets a plain 401/403, never a socket.
        preValidation: async (request) => {
          const { ticket } = query.parse(request.query);
          let principal = request.staff;
          if (principal && !request.headers.authorization && request.cookies[SESSION_COOKIE]) {
            if (!(await originAllowed(deps, request, principal))) {
              throw new ForbiddenProblem('This origin may not open a live connection');
            }
          }
          if (!principal && ticket) principal = (await redeemTicket(deps, ticket)) ?? null;
          if (!principal) throw new UnauthorizedProblem('Sign in first (session, bearer token or ?ticket=)');
          principals.set(request, principal);
        },
      },
      (socket, request) => {
        // Listeners first, before anything awaits, so no error or close goes unheard.
        socket.on('error', (err) => request.log.debug({ err }, 'live socket error'));
        const client = hub.add(socket, principals.get(request)!);
        socket.on('pong', () => {
          client.alive = true;
        });
        // One message at a time per socket, so a subscribe and the unsubscribe after it keep their order.
        let previous: Promise<unknown> = Promise.resolve();
        socket.on('message', (data) => {
          client.alive = true;
          previous = hub.track(previous.then(() => hub.handleMessage(client, data.toString())));
        });
        socket.on('close', () => hub.remove(client));
      },
    );
  },
  { name: 'samtal-desk-live' },
);
