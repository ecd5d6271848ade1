import fastifyCookie from '@fastify/cookie';
import type { Database } from '@samtal/db';
import { ForbiddenProblem, UnauthorizedProblem } from '@samtal/http';
import { safeEqual } from '@samtal/security';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { can, type Permission } from './permissions.ts';
import { type StaffPrincipal, verifySession } from './sessions.ts';

export const SESSION_COOKIE = 'samtal_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in staff member, or null for anonymous requests. */
    staff: StaffPrincipal | null;
  }
}

export interface StaffAuthOptions {
  db: Database;
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads the staff session from the `samtal_session` cookie (browsers) or an
 * `Authorization: Bearer` header (API clients, WebSocket upgrades from tools). Cookie-authenticated
 * requests that change something must echo the session's CSRF token in `x-csrf-token`.
 */
export const staffAuth = fp(
  async (app: FastifyInstance, options: StaffAuthOptions) => {
    if (!app.hasDecorator('parseCookie')) await app.register(fastifyCookie);
    app.decorateRequest('staff', null);
    app.addHook('onRequest', async (request) => {
      const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
      const cookie = request.cookies[SESSION_COOKIE];
      const token = bearer ?? cookie;
      if (!token) return;
      const principal = await verifySession(options.db, token);
      if (!principal) return;
      if (!bearer && unsafeMethods.has(request.method)) {
        const sent = request.headers[CSRF_HEADER];
        if (typeof sent !== 'string' || !safeEqual(sent, principal.csrfToken)) {
          throw new ForbiddenProblem('Missing or wrong CSRF token (send the x-csrf-token header)');
        }
      }
      request.staff = principal;
    });
  },
  { name: 'samtal-staff-auth' },
);

/** preHandler: the request must come from a signed-in staff member with this permission. */
export function requirePermission(permission: Permission) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!request.staff) throw new UnauthorizedProblem('Sign in first');
    if (!can(request.staff.roles, permission)) throw new ForbiddenProblem(`Your role may not ${permission}`);
  };
}

/** The signed-in staff member; for handlers behind `requirePermission`. */
export function staffOf(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw new UnauthorizedProblem('Sign in first');
  return request.staff;
}
