import { type Executor, schema } from '@samtal/db';
import type { FastifyRequest } from 'fastify';

export interface AuditEntry {
  /** Dotted verb, e.g. `case.claim`, `admin.category.update`. */
  action: string;
  /** The kind of record acted on: `case`, `category`, `staff_user` … */
  entity: string;
  entityId?: string | null;
  /** What changed (never passwords, tokens or demographic data). */
  data?: Record<string, unknown>;
}

/**
 * Appends to the audit log who did what to which record, when and from where. Called inside the
 * transaction of the change itself, so a change is never without its audit row (and vice versa).
 */
export async function writeAudit(
  db: Executor,
  request: FastifyRequest,
  entries: AuditEntry | AuditEntry[],
): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (!list.length) return;
  const staff = request.staff;
  if (!staff) throw new Error('writeAudit needs a signed-in staff member');
  const userAgent = request.headers['user-agent'];
  await db.insert(schema.auditLog).values(
    list.map((entry) => ({
      tenantId: staff.tenantId,
      actorKind: 'staff',
      actorId: staff.userId,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId ?? null,
      ip: request.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 300) : null,
      data: entry.data ?? {},
    })),
  );
}
