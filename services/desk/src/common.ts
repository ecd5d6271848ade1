import { type Database, type Executor, inTenantTransaction, type Transaction } from '@samtal/db';
import { ForbiddenProblem, UnauthorizedProblem } from '@samtal/http';
import { can, type Permission, staffOf } from '@samtal/staff-auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** RFC 9457 problem body, as every 4xx of the desk sends it (extra members allowed). */
export const problem = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  requestId: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

/** Response schemas for the problems a route can answer with, one per status code. */
export function problems<const C extends readonly number[]>(...codes: C): Record<C[number], typeof problem> {
  return Object.fromEntries(codes.map((code) => [code, problem])) as Record<C[number], typeof problem>;
}

/** The problems every signed-in route can answer with. */
export const guarded = problems(400, 401, 403, 404);

export const idParam = z.object({ id: z.uuid() });
export const noContent = z.null().describe('No content');

/** preHandler: signed in with at least one of the permissions. */
export function requireAnyPermission(...permissions: Permission[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!request.staff) throw new UnauthorizedProblem('Sign in first');
    if (!permissions.some((p) => can(request.staff!.roles, p))) {
      throw new ForbiddenProblem(`Your role may not ${permissions.join(' or ')}`);
    }
  };
}

/** Pages through lists: `limit` (1–200, default 50) and `offset`. */
export const paging = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** A Postgres unique violation on `constraint` (driver errors are wrapped by drizzle as `cause`). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = ((error as { cause?: unknown }).cause ?? error) as { code?: string; constraint_name?: string };
  return e.code === '23505' && (!constraint || e.constraint_name === constraint);
}

/** A Postgres foreign-key violation (the row is still referred to, or refers to nothing). */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = ((error as { cause?: unknown }).cause ?? error) as { code?: string };
  return e.code === '23503';
}

export type { Executor };

/**
 * Runs a request's database work as the signed-in staff member's tenant, in one transaction:
 * row-level security then confines every query inside to that tenant, beneath the
 * `where tenant_id = …` each query states anyway.
 */
export function asStaffTenant<T>(
  db: Database,
  request: FastifyRequest,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  return inTenantTransaction(db, staffOf(request).tenantId, work);
}
