import { type Executor, schema as s } from '@samtal/db';
import { outcomeResponse } from '@samtal/domain';
import { type FieldProblem, ValidationProblem } from '@samtal/http';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { DialogueRow, TenantInfo } from './common.ts';
import { localised } from './schemas.ts';

export const outcomeKind = z.enum(['decision', 'action']);

export const linkInput = z.object({
  contributionId: z.uuid(),
  response: outcomeResponse,
  /** Why it was only partly or not taken into account; required for not_taken. */
  reason: z.string().trim().min(1).max(4000).optional(),
});

export const outcomeBody = z.object({
  kind: outcomeKind,
  titles: localised,
  descriptions: localised.default({}),
  decidedAt: z.iso.datetime({ offset: true }).optional(),
  links: z.array(linkInput).max(1000).default([]),
});

export const linksBody = z.object({ links: z.array(linkInput).min(1).max(1000) });

export function checkTexts(texts: Record<string, Record<string, string>>, tenant: TenantInfo): void {
  const problems: FieldProblem[] = [];
  for (const [field, text] of Object.entries(texts)) {
    for (const language of Object.keys(text))
      if (!tenant.languages.includes(language))
        problems.push({ field: `${field}.${language}`, message: 'not one of the municipality’s languages' });
  }
  if (texts.titles && !texts.titles[tenant.defaultLanguage])
    problems.push({ field: `titles.${tenant.defaultLanguage}`, message: 'the default language is required' });
  if (problems.length) throw new ValidationProblem(problems);
}

/**
 * Checks links before anything is written: each contribution must belong to this dialogue (an
 * outcome answers what was said in its own dialogue), and "not taken" must say why.
 */
export async function checkLinks(
  tx: Executor,
  dialogue: DialogueRow,
  links: z.infer<typeof linkInput>[],
  field = 'links',
): Promise<void> {
  const problems: FieldProblem[] = [];
  const ids = [...new Set(links.map((l) => l.contributionId))];
  const found = ids.length
    ? await tx
        .select({ id: s.contributions.id })
        .from(s.contributions)
        .where(
          and(
            eq(s.contributions.tenantId, dialogue.tenantId),
            eq(s.contributions.dialogueId, dialogue.id),
            inArray(s.contributions.id, ids),
          ),
        )
    : [];
  const own = new Set(found.map((f) => f.id));
  const seen = new Set<string>();
  links.forEach((link, i) => {
    if (!own.has(link.contributionId))
      problems.push({
        field: `${field}.${i}.contributionId`,
        message: 'is not a contribution to this dialogue',
      });
    if (seen.has(link.contributionId))
      problems.push({ field: `${field}.${i}.contributionId`, message: 'is linked twice' });
    seen.add(link.contributionId);
    if (link.response === 'not_taken' && !link.reason)
      problems.push({ field: `${field}.${i}.reason`, message: 'say why it was not taken into account' });
  });
  if (problems.length) throw new ValidationProblem(problems);
}

export async function saveLinks(
  tx: Executor,
  tenantId: string,
  outcomeId: string,
  links: z.infer<typeof linkInput>[],
): Promise<void> {
  for (const link of links)
    await tx
      .insert(s.outcomeLinks)
      .values({ tenantId, outcomeId, ...link, reason: link.reason ?? null })
      .onConflictDoUpdate({
        target: [s.outcomeLinks.tenantId, s.outcomeLinks.outcomeId, s.outcomeLinks.contributionId],
        set: { response: link.response, reason: link.reason ?? null },
      });
}

export interface OutcomeView {
  id: string;
  kind: string;
  titles: Record<string, string>;
  descriptions: Record<string, string>;
  decidedAt: Date | null;
  createdAt: Date;
  links: {
    contributionId: string;
    response: z.infer<typeof outcomeResponse>;
    reason: string | null;
    contribution: { kind: string; body: string; themes: string[]; language: string | null };
  }[];
}

export async function outcomesOf(tx: Executor, tenantId: string, dialogueId: string): Promise<OutcomeView[]> {
  const outcomes = await tx
    .select()
    .from(s.outcomes)
    .where(and(eq(s.outcomes.tenantId, tenantId), eq(s.outcomes.dialogueId, dialogueId)))
    .orderBy(s.outcomes.createdAt);
  if (!outcomes.length) return [];
  const links = await tx
    .select({
      outcomeId: s.outcomeLinks.outcomeId,
      contributionId: s.outcomeLinks.contributionId,
      response: s.outcomeLinks.response,
      reason: s.outcomeLinks.reason,
      kind: s.contributions.kind,
      body: s.contributions.body,
      themes: s.contributions.themes,
      language: s.contributions.language,
      createdAt: s.contributions.createdAt,
    })
    .from(s.outcomeLinks)
    .innerJoin(
      s.contributions,
      and(
        eq(s.contributions.tenantId, s.outcomeLinks.tenantId),
        eq(s.contributions.id, s.outcomeLinks.contributionId),
      ),
    )
    .where(
      and(
        eq(s.outcomeLinks.tenantId, tenantId),
        inArray(
          s.outcomeLinks.outcomeId,
          outcomes.map((o) => o.id),
        ),
      ),
    )
    .orderBy(s.contributions.createdAt);
  return outcomes.map((o) => ({
    id: o.id,
    kind: o.kind,
    titles: o.titles,
    descriptions: o.descriptions,
    decidedAt: o.decidedAt,
    createdAt: o.createdAt,
    links: links
      .filter((l) => l.outcomeId === o.id)
      .map((l) => ({
        contributionId: l.contributionId,
        response: l.response as z.infer<typeof outcomeResponse>,
        reason: l.reason,
        contribution: { kind: l.kind, body: l.body, themes: l.themes, language: l.language },
      })),
  }));
}
