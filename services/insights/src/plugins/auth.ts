import cookie from '@fastify/cookie';
import type { DbHandle } from '@samtal/db';
import { ForbiddenProblem, UnauthorizedProblem } from '@samtal/http';
import { sha256 } from '@samtal/security';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** The staff member behind a request, as far as insights needs to know. */
export interface StaffPrincipal {
  userId: string;
  tenantId: string;
  roles: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    staff: StaffPrincipal | null;
  }
}

export const SESSION_COOKIE = 'samtal_session';

/** Roles that may read indicators: the people who manage the service, never case handlers alone. */
export const INSIGHT_ROLES = ['manager', 'supervisor', 'admin'] as const;

/**
 * Resolves the staff session from the `samtal_session` cookie the desk sets: the cookie holds a
 * random token whose SHA-256 is `staff_sessions.token_hash`. A session counts while it is not
 * expired or revoked, its user is active, and it was issued after the user's last "sign out
 * everywhere". Routes call `requireInsightsRole(request)`.
 */
export const staffSessions = fp(
  async (app: FastifyInstance, opts: { db: DbHandle }) => {
    await app.register(cookie);
    app.decorateRequest('staff', null);
    app.addHook('onRequest', async (request) => {
      const token = request.cookies[SESSION_COOKIE];
      if (!token || token.length > 512) return;
      const [row] = await opts.db.sql<{ user_id: string; tenant_id: string; roles: string[] }[]>`
        select s.user_id, s.tenant_id, u.roles
          from staff_sessions s
          join staff_users u on u.id = s.user_id and u.tenant_id = s.tenant_id
         where s.token_hash = ${sha256(token)} and s.expires_at > now() and s.revoked_at is null
           and u.active and (u.sessions_valid_after is null or s.created_at > u.sessions_valid_after)`;
      if (row) request.staff = { userId: row.user_id, tenantId: row.tenant_id, roles: row.roles };
    });
  },
  { name: 'insights-staff-sessions' },
);

/** 401 without a valid session, 403 without a manager, supervisor or admin role. */
export function requireInsightsRole(request: FastifyRequest): StaffPrincipal {
  const staff = request.staff;
  if (!staff) throw new UnauthorizedProblem('Sign in as staff to see indicators');
  if (!staff.roles.some((r) => (INSIGHT_ROLES as readonly string[]).includes(r))) {
    throw new ForbiddenProblem('Indicators are for managers, supervisors and admins');
  }
  return staff;
}
