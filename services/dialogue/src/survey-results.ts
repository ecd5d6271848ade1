import { type Executor, schema as s } from '@samtal/db';
import { UNKNOWN_GROUP } from '@samtal/domain';
import { type MaybeSuppressed, suppressTable1D, suppressTable2D } from '@samtal/indicators';
import { and, eq, inArray, or } from 'drizzle-orm';
import { z } from 'zod';
import type { DialogueRow, Dimensions, TenantInfo } from './common.ts';
import { questionsOf } from './surveys.ts';

export const cell = z.union([z.number(), z.object({ suppressed: z.literal(true) })]);

const table = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.object({ group: z.string(), cells: z.array(cell), total: cell })),
  columnTotals: z.array(cell),
  total: cell,
});

export const surveyResultsResponse = z.object({
  dimension: z.string(),
  smallCellK: z.number(),
  responses: z.number(),
  respondents: z.array(z.object({ group: z.string(), count: cell })),
  questions: z.array(
    z.object({
      id: z.uuid(),
      position: z.number(),
      kind: z.string(),
      prompts: z.record(z.string(), z.string()),
      answered: z.number(),
      /** Overall answers per option (or per scale step), not broken down by group. */
      counts: z.array(z.object({ key: z.string(), count: z.number() })),
      mean: z.number().nullable(),
      /** Per group: a group × option table with small cells suppressed (choice and scale questions). */
      byGroup: table.nullable(),
      /** Per-group means of a scale question; null where the group is too small to show. */
      meanByGroup: z.array(z.object({ group: z.string(), mean: z.number().nullable() })).nullable(),
      freeText: z.array(z.string()).optional(),
    }),
  ),
});
export type SurveyResults = z.infer<typeof surveyResultsResponse>;

const asCell = (v: MaybeSuppressed<number>) => v;

/**
 * Results of a dialogue's survey: overall counts per option, and per group of one dimension as
 * tables whose small cells are suppressed (with secondary suppression, @samtal/indicators).
 * A respondent's group comes from the demographic questions they answered, else from their
 * registration, else "unknown".
 */
export async function surveyResults(
  db: Executor,
  tenant: TenantInfo,
  dialogue: DialogueRow,
  dimensions: Dimensions,
  dimension: string,
  options: { freeText: boolean },
): Promise<SurveyResults> {
  const k = tenant.smallCellK;
  const questions = await questionsOf(db, tenant.id, dialogue.id);
  const responses = await db
    .select({
      id: s.surveyResponses.id,
      participationId: s.surveyResponses.participationId,
    })
    .from(s.surveyResponses)
    .where(and(eq(s.surveyResponses.tenantId, tenant.id), eq(s.surveyResponses.dialogueId, dialogue.id)));
  // Only the profiles of this survey's respondents: by response, or by their registration.
  const responseIds = responses.map((r) => r.id);
  const participationIds = responses.flatMap((r) => (r.participationId ? [r.participationId] : []));
  const profiles =
    responseIds.length || participationIds.length
      ? await db
          .select({
            surveyResponseId: s.demographicProfiles.surveyResponseId,
            participationId: s.demographicProfiles.participationId,
            groups: s.demographicProfiles.groups,
          })
          .from(s.demographicProfiles)
          .where(
            and(
              eq(s.demographicProfiles.tenantId, tenant.id),
              or(
                responseIds.length ? inArray(s.demographicProfiles.surveyResponseId, responseIds) : undefined,
                participationIds.length
                  ? inArray(s.demographicProfiles.participationId, participationIds)
                  : undefined,
              ),
            ),
          )
      : [];
  const byResponse = new Map(
    profiles.filter((p) => p.surveyResponseId).map((p) => [p.surveyResponseId!, p.groups]),
  );
  const byParticipation = new Map(
    profiles.filter((p) => p.participationId).map((p) => [p.participationId!, p.groups]),
  );
  const groups = [...(dimensions.get(dimension)?.groups ?? []), UNKNOWN_GROUP];
  const groupOf = new Map<string, string>();
  for (const r of responses) {
    const own = byResponse.get(r.id)?.[dimension];
    const registered = r.participationId ? byParticipation.get(r.participationId)?.[dimension] : undefined;
    const group = own ?? registered;
    groupOf.set(r.id, group && groups.includes(group) ? group : UNKNOWN_GROUP);
  }
  const respondents = suppressTable1D(
    groups.map((g) => ({ group: g, count: [...groupOf.values()].filter((x) => x === g).length })),
    k,
  );

  const answers = responses.length
    ? await db
        .select({
          responseId: s.surveyAnswers.responseId,
          questionId: s.surveyAnswers.questionId,
          value: s.surveyAnswers.value,
        })
        .from(s.surveyAnswers)
        .innerJoin(
          s.surveyResponses,
          and(
            eq(s.surveyResponses.tenantId, s.surveyAnswers.tenantId),
            eq(s.surveyResponses.id, s.surveyAnswers.responseId),
          ),
        )
        .where(and(eq(s.surveyAnswers.tenantId, tenant.id), eq(s.surveyResponses.dialogueId, dialogue.id)))
    : [];

  return {
    dimension,
    smallCellK: k,
    responses: responses.length,
    respondents: respondents.cells.map((c) => ({ group: c.group, count: asCell(c.count) })),
    questions: questions
      .filter((q) => !q.demographicDimension)
      .map((q) => {
        const mine = answers.filter((a) => a.questionId === q.id);
        const keys =
          q.kind === 'scale'
            ? Array.from({ length: q.scaleMax! - q.scaleMin! + 1 }, (_, i) => String(q.scaleMin! + i))
            : q.options.map((o) => o.key);
        const chosen = (value: unknown): string[] =>
          Array.isArray(value) ? value.map(String) : q.kind === 'free_text' ? [] : [String(value)];
        const counts = keys.map((key) => ({
          key,
          count: mine.filter((a) => chosen(a.value).includes(key)).length,
        }));
        const numbers = q.kind === 'scale' ? mine.map((a) => Number(a.value)) : [];
        const mean = numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null;
        let byGroup: SurveyResults['questions'][number]['byGroup'] = null;
        let meanByGroup: SurveyResults['questions'][number]['meanByGroup'] = null;
        if (q.kind !== 'free_text') {
          const matrix = groups.map((g) =>
            keys.map(
              (key) =>
                mine.filter((a) => groupOf.get(a.responseId) === g && chosen(a.value).includes(key)).length,
            ),
          );
          const suppressed = suppressTable2D(groups, keys, matrix, k);
          byGroup = {
            columns: keys,
            rows: groups.map((g, i) => ({
              group: g,
              cells: suppressed.cells[i]!,
              total: suppressed.rowTotals[i]!,
            })),
            columnTotals: suppressed.columnTotals,
            total: suppressed.total,
          };
          if (q.kind === 'scale')
            meanByGroup = groups.map((g, i) => {
              const values = mine.filter((a) => groupOf.get(a.responseId) === g).map((a) => Number(a.value));
              const visible = typeof suppressed.rowTotals[i] === 'number';
              return {
                group: g,
                mean: visible && values.length ? values.reduce((a, b) => a + b, 0) / values.length : null,
              };
            });
        }
        return {
          id: q.id,
          position: q.position,
          kind: q.kind,
          prompts: q.prompts,
          answered: mine.length,
          counts,
          mean,
          byGroup,
          meanByGroup,
          ...(options.freeText && q.kind === 'free_text'
            ? { freeText: mine.map((a) => String(a.value)) }
            : {}),
        };
      }),
  };
}
