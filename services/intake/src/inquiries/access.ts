import type { CaseRow } from '@samtal/cases';
import { schema } from '@samtal/db';
import { NotFoundProblem, UnauthorizedProblem } from '@samtal/http';
import { normaliseTrackingCode, safeEqual, sha256, TRACKING_CODE_PATTERN } from '@samtal/security';
import { and, eq } from 'drizzle-orm';
import type { IntakeContext } from '../context.ts';
import type { Tenant } from '../tenants.ts';

/** Compared against when no case has the code, so an unknown code costs what a wrong token costs. */
const DUMMY_HASH = sha256('samtal: no case has this tracking code');

export const NO_SUCH_INQUIRY = 'No inquiry with this tracking code and access token';

export function bearerToken(header: string | undefined): string {
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!token) {
    throw Object.assign(
      new UnauthorizedProblem('The access token is required: Authorization: Bearer <token>'),
      {},
    );
  }
  return token;
}

/**
 * Finds the case a resident may see. An unknown tracking code and a wrong token give the same 404
 * after the same work (one indexed read, one constant-time comparison), so a caller learns nothing
 * about which codes exist.
 */
export async function authorisedCase(
  ctx: IntakeContext,
  tenant: Tenant,
  rawCode: string,
  token: string,
): Promise<CaseRow> {
  const code = normaliseTrackingCode(rawCode);
  const [row] = TRACKING_CODE_PATTERN.test(code)
    ? await ctx.db.db
        .select()
        .from(schema.cases)
        .where(and(eq(schema.cases.tenantId, tenant.id), eq(schema.cases.trackingCode, code)))
    : [];
  const matches = safeEqual(sha256(token), row?.accessTokenHash ?? DUMMY_HASH);
  if (!row || !matches) throw new NotFoundProblem(NO_SUCH_INQUIRY);
  return row;
}
