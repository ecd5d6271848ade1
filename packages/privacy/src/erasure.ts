import { type Database, type Executor, inTenantTransaction, schema, type Transaction } from '@samtal/db';
import { and, eq, inArray } from 'drizzle-orm';
import { type AnonymiseResult, anonymise } from './anonymise.ts';
import type { FileStore } from './files.ts';
import { findResident, type ResidentQuery, type Subjects, subjectLinks } from './subjects.ts';

export interface ErasureResult extends AnonymiseResult {
  cases: number;
  participations: number;
}

/**
 * Erases one resident's personal data on request (GDPR art. 17): every case and registered
 * participation found by their e-mail or phone is anonymised exactly as retention would, in one
 * transaction. `inTransaction` lets the caller add its audit row to the same transaction; it gets
 * counts only, never the erased data.
 */
export async function eraseResident(
  db: Database,
  tenantId: string,
  query: ResidentQuery,
  files: FileStore,
  inTransaction?: (tx: Transaction, result: ErasureResult) => Promise<void>,
  now: Date = new Date(),
): Promise<ErasureResult> {
  // As the tenant: row-level security confines the erasure to this municipality's rows.
  return inTenantTransaction(db, tenantId, async (tx) => {
    const subjects = await findResident(tx, tenantId, query);
    const anonymised = await anonymise(tx, tenantId, subjects, files, now);
    const result = {
      ...anonymised,
      cases: subjects.caseIds.length,
      participations: subjects.participationIds.length,
    };
    await inTransaction?.(tx, result);
    return result;
  });
}

/**
 * Withdrawal of consent to demographic data: the profiles are deleted, so the person leaves every
 * statistic computed from now on. The case or participation itself stays. Returns how many went.
 */
export async function withdrawConsent(tx: Executor, tenantId: string, subjects: Subjects): Promise<number> {
  const d = schema.demographicProfiles;
  const deleted = await tx
    .delete(d)
    .where(and(eq(d.tenantId, tenantId), subjectLinks.demographicProfiles!(subjects, tenantId)))
    .returning({ id: d.id });
  if (subjects.caseIds.length) {
    // Marks the cases changed, so the insights rollups recompute their days without the profile.
    const c = schema.cases;
    await tx
      .update(c)
      .set({ updatedAt: new Date() })
      .where(and(eq(c.tenantId, tenantId), inArray(c.id, subjects.caseIds)));
  }
  return deleted.length;
}
