import { type Executor, schema as s } from '@samtal/db';
import { demographicSelfReport, languageTag, UNKNOWN_GROUP } from '@samtal/domain';
import { type FieldProblem, ValidationProblem } from '@samtal/http';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DialogueRow, Dimensions } from './common.ts';
import { localised } from './schemas.ts';

export const questionKind = z.enum(['single_choice', 'multiple_choice', 'scale', 'free_text']);
export type QuestionRow = typeof s.surveyQuestions.$inferSelect;

export const questionBody = z.object({
  kind: questionKind,
  prompts: localised,
  options: z
    .array(
      z.object({
        key: z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'letters, digits, _ and - only'),
        names: localised,
      }),
    )
    .max(50)
    .default([]),
  scaleMin: z.int().min(-100).max(100).optional(),
  scaleMax: z.int().min(-100).max(100).optional(),
  required: z.boolean().default(false),
  /** A voluntary demographic question: its answer goes to a demographic profile (with consent). */
  demographicDimension: z.string().min(1).max(40).optional(),
});
export type QuestionInput = z.infer<typeof questionBody>;

/** Checks a new question and fills in what follows from its kind; returns the row to insert. */
export function prepareQuestion(
  input: QuestionInput,
  dimensions: Dimensions,
  defaultLanguage: string,
): Omit<typeof s.surveyQuestions.$inferInsert, 'tenantId' | 'dialogueId' | 'position'> {
  const problems: FieldProblem[] = [];
  if (!input.prompts[defaultLanguage])
    problems.push({ field: `prompts.${defaultLanguage}`, message: 'the default language is required' });
  let options = input.options;
  let scaleMin: number | null = null;
  let scaleMax: number | null = null;
  if (input.demographicDimension) {
    const dimension = dimensions.get(input.demographicDimension);
    if (!dimension)
      problems.push({
        field: 'demographicDimension',
        message: `unknown dimension "${input.demographicDimension}"`,
      });
    else if (input.kind !== 'single_choice')
      problems.push({ field: 'kind', message: 'a demographic question is single_choice' });
    else if (!options.length)
      // The options are the dimension's groups; "prefer not to say" is always offered.
      options = [];
    else {
      for (const [i, o] of options.entries())
        if (o.key !== UNKNOWN_GROUP && !dimension.groups.includes(o.key))
          problems.push({
            field: `options.${i}.key`,
            message: `not a group of ${input.demographicDimension}`,
          });
    }
  } else if (input.kind === 'single_choice' || input.kind === 'multiple_choice') {
    if (options.length < 2)
      problems.push({ field: 'options', message: 'a choice question needs at least two options' });
    const keys = new Set<string>();
    for (const [i, o] of options.entries()) {
      if (keys.has(o.key)) problems.push({ field: `options.${i}.key`, message: 'is used twice' });
      keys.add(o.key);
    }
  } else if (input.kind === 'scale') {
    scaleMin = input.scaleMin ?? 1;
    scaleMax = input.scaleMax ?? 5;
    if (scaleMax <= scaleMin) problems.push({ field: 'scaleMax', message: 'must be greater than scaleMin' });
    if (scaleMax - scaleMin > 20)
      problems.push({ field: 'scaleMax', message: 'a scale has at most 21 steps' });
    if (options.length) problems.push({ field: 'options', message: 'a scale has no options' });
  } else if (options.length)
    problems.push({ field: 'options', message: 'a free-text question has no options' });
  if (problems.length) throw new ValidationProblem(problems);
  return {
    kind: input.kind,
    prompts: input.prompts,
    options,
    scaleMin,
    scaleMax,
    required: input.required,
    demographicDimension: input.demographicDimension ?? null,
  };
}

/** The options a resident sees: for a demographic question, the dimension's groups plus "prefer not to say". */
export function optionsOf(
  question: QuestionRow,
  dimensions: Dimensions,
  dimensionGroupNames: Map<string, Map<string, Record<string, string>>>,
): { key: string; names: Record<string, string> }[] {
  if (!question.demographicDimension || question.options.length) return question.options;
  const dimension = dimensions.get(question.demographicDimension);
  const names = dimensionGroupNames.get(question.demographicDimension);
  return [
    ...(dimension?.groups ?? []).map((g) => ({ key: g, names: names?.get(g) ?? { en: g } })),
    { key: UNKNOWN_GROUP, names: { sv: 'Vill inte svara', en: 'Prefer not to say', 'zh-CN': '不愿回答' } },
  ];
}

export async function groupNamesOf(db: Executor, tenantId: string) {
  const rows = await db
    .select({ code: s.demographicDimensions.code, groups: s.demographicDimensions.groups })
    .from(s.demographicDimensions)
    .where(eq(s.demographicDimensions.tenantId, tenantId));
  return new Map(rows.map((r) => [r.code, new Map(r.groups.map((g) => [g.code, g.names]))]));
}

export async function questionsOf(
  db: Executor,
  tenantId: string,
  dialogueId: string,
): Promise<QuestionRow[]> {
  return db
    .select()
    .from(s.surveyQuestions)
    .where(and(eq(s.surveyQuestions.tenantId, tenantId), eq(s.surveyQuestions.dialogueId, dialogueId)))
    .orderBy(s.surveyQuestions.position);
}

export const answerValue = z.union([z.string().max(5000), z.number(), z.array(z.string().max(40)).max(50)]);

export const responseBody = z.object({
  participantToken: z.string().min(10).max(200).optional(),
  language: languageTag.optional(),
  answers: z.array(z.object({ questionId: z.uuid(), value: answerValue })).max(200),
  /** Needed when any demographic question is answered: consent to store those answers. */
  demographicsConsent: demographicSelfReport.pick({ consent: true, consentTextVersion: true }).optional(),
});
export type ResponseInput = z.infer<typeof responseBody>;

/** What is wrong with one answer (field relative to the answer), or undefined when it fits its question. */
function answerProblem(
  input: ResponseInput,
  question: QuestionRow | undefined,
  value: z.infer<typeof answerValue>,
  seen: Set<string>,
  dimensions: Dimensions,
): { field: string; message: string } | undefined {
  if (!question) return { field: 'questionId', message: 'not a question of this survey' };
  if (seen.has(question.id)) return { field: 'questionId', message: 'answered twice' };
  const wrong = (message: string) => ({ field: 'value', message });
  if (question.demographicDimension) {
    const allowed = [...(dimensions.get(question.demographicDimension)?.groups ?? []), UNKNOWN_GROUP];
    if (typeof value !== 'string' || !allowed.includes(value))
      return wrong(`must be one of ${allowed.join(', ')}`);
    if (!input.demographicsConsent)
      return { field: 'value', message: 'a demographic answer needs demographicsConsent (explicit consent)' };
    return undefined;
  }
  const keys = question.options.map((o) => o.key);
  switch (question.kind) {
    case 'single_choice':
      return typeof value === 'string' && keys.includes(value)
        ? undefined
        : wrong(`must be one option key: ${keys.join(', ')}`);
    case 'multiple_choice':
      if (!Array.isArray(value) || value.some((v) => !keys.includes(v)))
        return wrong(`must be a list of option keys: ${keys.join(', ')}`);
      if (new Set(value).size !== value.length) return wrong('lists an option twice');
      if (question.required && !value.length) return wrong('choose at least one');
      return undefined;
    case 'scale':
      return typeof value === 'number' &&
        Number.isInteger(value) &&
        value >= question.scaleMin! &&
        value <= question.scaleMax!
        ? undefined
        : wrong(`must be a whole number from ${question.scaleMin} to ${question.scaleMax}`);
    default:
      return typeof value === 'string' && value.trim() ? undefined : wrong('must be text');
  }
}

/**
 * Validates answers by their question's type and splits them into survey answers and demographic
 * groups. Throws one ValidationProblem naming every wrong field.
 */
export function checkAnswers(
  input: ResponseInput,
  questions: QuestionRow[],
  dimensions: Dimensions,
): { answers: { questionId: string; value: string | number | string[] }[]; groups: Record<string, string> } {
  const problems: FieldProblem[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  const seen = new Set<string>();
  const answers: { questionId: string; value: string | number | string[] }[] = [];
  const groups: Record<string, string> = {};
  for (const [i, { questionId, value }] of input.answers.entries()) {
    const problem = answerProblem(input, byId.get(questionId), value, seen, dimensions);
    seen.add(questionId);
    if (problem) {
      problems.push({ field: `answers.${i}.${problem.field}`, message: problem.message });
      continue;
    }
    const question = byId.get(questionId)!;
    if (question.demographicDimension) {
      if (value !== UNKNOWN_GROUP) groups[question.demographicDimension] = value as string;
    } else answers.push({ questionId, value: typeof value === 'string' ? value.trim() : value });
  }
  for (const q of questions)
    if (q.required && !seen.has(q.id))
      problems.push({ field: 'answers', message: `question ${q.position} (${q.id}) is required` });
  if (problems.length) throw new ValidationProblem(problems);
  return { answers, groups };
}

/** Saves a checked response: answers, and the demographic answers as a profile of the response. */
export async function saveResponse(
  tx: Executor,
  dialogue: DialogueRow,
  input: ResponseInput,
  checked: ReturnType<typeof checkAnswers>,
  participationId: string | null,
): Promise<string> {
  const [response] = await tx
    .insert(s.surveyResponses)
    .values({
      tenantId: dialogue.tenantId,
      dialogueId: dialogue.id,
      participationId,
      language: input.language ?? null,
    })
    .returning({ id: s.surveyResponses.id });
  if (checked.answers.length)
    await tx
      .insert(s.surveyAnswers)
      .values(checked.answers.map((a) => ({ tenantId: dialogue.tenantId, responseId: response!.id, ...a })));
  if (input.demographicsConsent && Object.keys(checked.groups).length)
    await tx.insert(s.demographicProfiles).values({
      tenantId: dialogue.tenantId,
      surveyResponseId: response!.id,
      groups: checked.groups,
      consentAt: new Date(),
      consentTextVersion: input.demographicsConsent.consentTextVersion,
    });
  return response!.id;
}
