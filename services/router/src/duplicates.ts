import { type Executor, schema } from '@samtal/db';
import { openStatuses } from '@samtal/domain';
import { and, between, eq, gte, inArray, isNotNull, lte, ne } from 'drizzle-orm';
import { distanceMetres } from './geo.ts';

type CaseRow = typeof schema.cases.$inferSelect;

export interface LikelyDuplicate {
  caseId: string;
  distanceMetres: number;
}

/**
 * An older open case of the same category within the tenant's duplicate radius and time window;
 * the nearest wins, and a case that is not itself a duplicate is preferred as the parent.
 */
export async function findLikelyDuplicate(
  tx: Executor,
  row: CaseRow,
  tenant: { duplicateRadiusMetres: number; duplicateWindowHours: number },
): Promise<LikelyDuplicate | undefined> {
  if (row.latitude == null || row.longitude == null) return undefined;
  const { cases: c } = schema;
  // A bounding box first (index-friendly), then the exact great-circle distance.
  const dLat = tenant.duplicateRadiusMetres / 111_000;
  const dLon = dLat / Math.max(0.01, Math.cos((row.latitude * Math.PI) / 180));
  const since = new Date(row.createdAt.getTime() - tenant.duplicateWindowHours * 3600_000);
  const candidates = await tx
    .select({
      id: c.id,
      latitude: c.latitude,
      longitude: c.longitude,
      duplicateOfCaseId: c.duplicateOfCaseId,
    })
    .from(c)
    .where(
      and(
        eq(c.tenantId, row.tenantId),
        eq(c.categoryId, row.categoryId),
        ne(c.id, row.id),
        inArray(c.status, [...openStatuses]),
        gte(c.createdAt, since),
        lte(c.createdAt, row.createdAt),
        isNotNull(c.latitude),
        between(c.latitude, row.latitude - dLat, row.latitude + dLat),
        between(c.longitude, row.longitude - dLon, row.longitude + dLon),
      ),
    )
    .limit(200);
  const near = candidates
    .map((candidate) => ({
      candidate,
      metres: distanceMetres(
        { latitude: row.latitude!, longitude: row.longitude! },
        { latitude: candidate.latitude!, longitude: candidate.longitude! },
      ),
    }))
    .filter((x) => x.metres <= tenant.duplicateRadiusMetres)
    .sort(
      (a, b) =>
        Number(a.candidate.duplicateOfCaseId != null) - Number(b.candidate.duplicateOfCaseId != null) ||
        a.metres - b.metres,
    );
  const best = near[0];
  return best ? { caseId: best.candidate.id, distanceMetres: Math.round(best.metres) } : undefined;
}
