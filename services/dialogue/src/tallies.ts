import { type Executor, schema as s } from '@samtal/db';
import { UNKNOWN_GROUP } from '@samtal/domain';
import { and, eq, inArray } from 'drizzle-orm';
import type { Dimensions } from './common.ts';

/**
 * Raw tallies of one dialogue, before any suppression. Every person is counted exactly once in the
 * total: a registered individual is one row with count 1; a sign-in sheet row is `count` people who
 * share the groups it names (people not on any row are not counted; groups it does not name are
 * "unknown" for those people). Per dimension the groups therefore always add up to the total.
 */
export interface ParticipationTally {
  total: number;
  registered: number;
  counted: number;
  /** dimension → group (including "unknown") → people */
  byDimension: Record<string, Record<string, number>>;
}

function emptyByDimension(dimensions: Dimensions): Record<string, Record<string, number>> {
  return Object.fromEntries(
    [...dimensions].map(([code, d]) => [
      code,
      Object.fromEntries([...d.groups, UNKNOWN_GROUP].map((g) => [g, 0])),
    ]),
  );
}

function add(
  byDimension: Record<string, Record<string, number>>,
  groups: Record<string, string>,
  n: number,
): void {
  for (const [dimension, tally] of Object.entries(byDimension)) {
    const group = groups[dimension];
    const key = group && group in tally ? group : UNKNOWN_GROUP;
    tally[key] = (tally[key] ?? 0) + n;
  }
}

export async function participationTally(
  db: Executor,
  tenantId: string,
  dialogueIds: string[],
  dimensions: Dimensions,
): Promise<ParticipationTally> {
  const rows = dialogueIds.length
    ? await db
        .select({
          kind: s.participations.kind,
          count: s.participations.count,
          sheetGroups: s.participations.groups,
          profileGroups: s.demographicProfiles.groups,
        })
        .from(s.participations)
        .leftJoin(
          s.demographicProfiles,
          and(
            eq(s.demographicProfiles.tenantId, s.participations.tenantId),
            eq(s.demographicProfiles.participationId, s.participations.id),
          ),
        )
        .where(
          and(eq(s.participations.tenantId, tenantId), inArray(s.participations.dialogueId, dialogueIds)),
        )
    : [];
  const tally: ParticipationTally = {
    total: 0,
    registered: 0,
    counted: 0,
    byDimension: emptyByDimension(dimensions),
  };
  for (const row of rows) {
    if (row.kind === 'individual') {
      tally.registered += 1;
      add(tally.byDimension, row.profileGroups ?? {}, 1);
    } else {
      tally.counted += row.count;
      add(tally.byDimension, row.sheetGroups, row.count);
    }
  }
  tally.total = tally.registered + tally.counted;
  return tally;
}

export interface ContributionFacts {
  id: string;
  dialogueId: string;
  source: string;
  kind: string;
  body: string;
  themes: string[];
  language: string | null;
  speakingSeconds: number | null;
  createdAt: Date;
  /** The contributor's groups: a registered participant's profile, else the self-reported groups. */
  groups: Record<string, string>;
  /** The strongest response any outcome gave it: taken > partly > not_taken; null when none yet. */
  response: 'taken' | 'partly' | 'not_taken' | null;
}

const strength = { taken: 3, partly: 2, not_taken: 1 } as const;

export async function contributionFacts(
  db: Executor,
  tenantId: string,
  dialogueIds: string[],
): Promise<ContributionFacts[]> {
  if (!dialogueIds.length) return [];
  const rows = await db
    .select({
      id: s.contributions.id,
      dialogueId: s.contributions.dialogueId,
      source: s.contributions.source,
      kind: s.contributions.kind,
      body: s.contributions.body,
      themes: s.contributions.themes,
      language: s.contributions.language,
      speakingSeconds: s.contributions.speakingSeconds,
      createdAt: s.contributions.createdAt,
      ownGroups: s.contributions.groups,
      profileGroups: s.demographicProfiles.groups,
    })
    .from(s.contributions)
    .leftJoin(
      s.demographicProfiles,
      and(
        eq(s.demographicProfiles.tenantId, s.contributions.tenantId),
        eq(s.demographicProfiles.participationId, s.contributions.participationId),
      ),
    )
    .where(and(eq(s.contributions.tenantId, tenantId), inArray(s.contributions.dialogueId, dialogueIds)))
    .orderBy(s.contributions.createdAt);
  const links = await db
    .select({ contributionId: s.outcomeLinks.contributionId, response: s.outcomeLinks.response })
    .from(s.outcomeLinks)
    .innerJoin(
      s.outcomes,
      and(eq(s.outcomes.tenantId, s.outcomeLinks.tenantId), eq(s.outcomes.id, s.outcomeLinks.outcomeId)),
    )
    .where(and(eq(s.outcomeLinks.tenantId, tenantId), inArray(s.outcomes.dialogueId, dialogueIds)));
  const best = new Map<string, ContributionFacts['response']>();
  for (const link of links) {
    const response = link.response as keyof typeof strength;
    const current = best.get(link.contributionId);
    if (!current || strength[response] > strength[current]) best.set(link.contributionId, response);
  }
  return rows.map(({ ownGroups, profileGroups, ...row }) => ({
    ...row,
    groups: profileGroups ?? ownGroups,
    response: best.get(row.id) ?? null,
  }));
}
