import { type CaseUnit, type CaseWriter, inCaseTransaction } from '@samtal/cases';
import { staffOf } from '@samtal/staff-auth';
import type { FastifyRequest } from 'fastify';
import { type AuditEntry, writeAudit } from '../audit/log.ts';
import { lockVisibleCase, type VisibleCase } from './access.ts';

/**
 * Runs a change to one case: locks it (404 unless visible to the staff member), runs `work`, and
 * writes the audit row — all in one transaction, so nothing is half-written.
 */
export async function changeCase<T>(
  writer: CaseWriter,
  request: FastifyRequest,
  caseId: string,
  action: string,
  work: (unit: CaseUnit, found: VisibleCase) => Promise<{ result: T; audit?: Record<string, unknown> }>,
): Promise<T> {
  const staff = staffOf(request);
  return inCaseTransaction(writer, staff.tenantId, async (unit) => {
    const found = await lockVisibleCase(unit.tx, request, caseId);
    const { result, audit } = await work(unit, found);
    const entry: AuditEntry = { action, entity: 'case', entityId: caseId, data: audit ?? {} };
    await writeAudit(unit.tx, request, entry);
    return result;
  });
}
