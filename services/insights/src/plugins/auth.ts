import type { DbHandle } from '@samtal/db';
import { ForbiddenProblem } from '@samtal/http';
import { type StaffPrincipal, staffAuth, staffOf } from '@samtal/staff-auth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export { SESSION_COOKIE } from '@samtal/staff-auth';
export type { StaffPrincipal };

/** Roles that may read indicators: the people who manage the service, never case handlers alone. */
export const INSIGHT_ROLES = ['manager', 'supervisor', 'admin'] as const;

/** Staff sessions as every service reads them (packages/staff-auth): cookie + CSRF, or bearer token. */
export const staffSessions = fp(
  async (app: FastifyInstance, opts: { db: DbHandle }) => {
    await app.register(staffAuth, { db: opts.db.db });
  },
  { name: 'insights-staff-sessions' },
);

/** 401 without a valid session, 403 without a manager, supervisor or admin role. */
export function requireInsightsRole(request: FastifyRequest): StaffPrincipal {
  const staff = staffOf(request);
  if (!staff.roles.some((r) => (INSIGHT_ROLES as readonly string[]).includes(r))) {
    throw new ForbiddenProblem('Indicators are for managers, supervisors and admins');
  }
  return staff;
}
