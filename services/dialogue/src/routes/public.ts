import { inTenantTransaction, schema as s } from '@samtal/db';
import { contributionKind, dialogueMethod, dialogueStatus, outcomeResponse } from '@samtal/domain';
import { NotFoundProblem } from '@samtal/http';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import {
  type DialogueRow,
  dialogueOf,
  dimensionsOf,
  pick,
  readerLanguage,
  statusOf,
  type TenantInfo,
  tenantBySlug,
  wrongStatus,
} from '../common.ts';
import { addContribution, publicContributionBody } from '../contributions.ts';
import { indicatorsResponse } from '../indicators.ts';
import { rules } from '../lifecycle.ts';
import { outcomesOf } from '../outcomes.ts';
import { participantByToken, registerIndividual, registrationBody } from '../participation.ts';
import { langQuery, problemResponse, publicDialogueParams, publicParams } from '../schemas.ts';
import {
  checkAnswers,
  groupNamesOf,
  optionsOf,
  questionKind,
  questionsOf,
  responseBody,
  saveResponse,
} from '../surveys.ts';
import { renderYouSaidWeDid } from '../you-said-we-did.ts';
import { indicatorsFor } from './indicators.ts';

const publicDialogue = z.object({
  id: z.uuid(),
  language: z.string().describe('the language the texts are in'),
  title: z.string(),
  question: z.string(),
  purpose: z.string(),
  method: dialogueMethod,
  status: dialogueStatus,
  languages: z.array(z.string()),
  sessions: z.array(z.object({ place: z.string(), startsAt: z.string(), endsAt: z.string().optional() })),
  partners: z.array(z.string()),
  canRegister: z.boolean(),
  canContribute: z.boolean(),
  outcomesPublished: z.boolean(),
});

function toPublic(d: DialogueRow, tenant: TenantInfo, language: string): z.infer<typeof publicDialogue> {
  // The reader's language if the dialogue has a translation, else the dialogue's own text.
  const t = d.translations[language] ?? {};
  const status = statusOf(d);
  return {
    id: d.id,
    language: t.title ? language : tenant.defaultLanguage,
    title: t.title ?? d.title,
    question: t.question ?? d.question,
    purpose: t.purpose ?? d.purpose,
    method: d.method as z.infer<typeof dialogueMethod>,
    status,
    languages: d.languages,
    sessions: d.sessions.map(({ place, startsAt, endsAt }) => ({
      place,
      startsAt,
      ...(endsAt ? { endsAt } : {}),
    })),
    partners: d.partners,
    canRegister: rules.register(status),
    canContribute: rules.contribute(status),
    outcomesPublished: status === 'reported',
  };
}

/** A published count, or null where it is suppressed. */
const shown = (value: number | { suppressed: true }) => (typeof value === 'number' ? value : null);

const youSaidWeDid = z.object({
  dialogue: publicDialogue,
  outcomes: z.array(
    z.object({
      kind: z.string(),
      title: z.string(),
      description: z.string(),
      decidedAt: z.string().nullable(),
      responses: z.array(
        z.object({
          response: outcomeResponse,
          reason: z.string().nullable(),
          contribution: z.object({
            kind: contributionKind,
            body: z.string(),
            themes: z.array(z.string()),
            language: z.string().nullable(),
          }),
        }),
      ),
    }),
  ),
  indicators: indicatorsResponse,
});

/** Residents: read a dialogue in their language, register, contribute, answer, read "you said, we did". */
export const publicRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, publicWriteLimit }) => {
  const tags = ['public'];

  /** A dialogue residents may see: any that is not a template (planned ones are announced for registration). */
  const visible = async (slug: string, dialogueId: string) => {
    const tenant = await tenantBySlug(db, slug);
    const dialogue = await dialogueOf(db, tenant.id, dialogueId);
    return { tenant, dialogue };
  };

  const youSaid = async (tenant: TenantInfo, dialogue: DialogueRow, language: string) => {
    if (dialogue.status !== 'reported')
      throw new NotFoundProblem('The outcomes of this dialogue are not published yet');
    const outcomes = await outcomesOf(db, tenant.id, dialogue.id);
    return {
      dialogue: toPublic(dialogue, tenant, language),
      outcomes: outcomes.map((o) => ({
        kind: o.kind,
        title: pick(o.titles, language, tenant.defaultLanguage),
        description: pick(o.descriptions, language, tenant.defaultLanguage),
        decidedAt: o.decidedAt?.toISOString() ?? null,
        responses: o.links.map((l) => ({
          response: l.response,
          reason: l.reason,
          contribution: { ...l.contribution, kind: l.contribution.kind as z.infer<typeof contributionKind> },
        })),
      })),
      indicators: await indicatorsFor(db, tenant, [dialogue], 'public'),
    };
  };

  app.get(
    '/v1/public/:tenantSlug/dialogues',
    {
      schema: {
        summary: 'Dialogues residents can join or read about',
        tags,
        params: publicParams,
        querystring: langQuery,
        response: {
          200: z.object({ language: z.string(), dialogues: z.array(publicDialogue) }),
          404: problemResponse,
        },
      },
    },
    async (request) => {
      const tenant = await tenantBySlug(db, request.params.tenantSlug);
      const language = readerLanguage(tenant, request.query.lang, request.headers['accept-language']);
      const rows = await db
        .select()
        .from(s.dialogues)
        .where(
          and(
            eq(s.dialogues.tenantId, tenant.id),
            eq(s.dialogues.isTemplate, false),
            inArray(s.dialogues.status, ['planned', 'open', 'closed', 'reported']),
          ),
        )
        .orderBy(desc(s.dialogues.createdAt));
      return { language, dialogues: rows.map((d) => toPublic(d, tenant, language)) };
    },
  );

  app.get(
    '/v1/public/:tenantSlug/dialogues/:dialogueId',
    {
      schema: {
        summary: 'One dialogue, in the reader’s language (lang or Accept-Language)',
        tags,
        params: publicDialogueParams,
        querystring: langQuery,
        response: { 200: publicDialogue, 404: problemResponse },
      },
    },
    async (request) => {
      const { tenant, dialogue } = await visible(request.params.tenantSlug, request.params.dialogueId);
      return toPublic(
        dialogue,
        tenant,
        readerLanguage(tenant, request.query.lang, request.headers['accept-language']),
      );
    },
  );

  app.post(
    '/v1/public/:tenantSlug/dialogues/:dialogueId/participants',
    {
      config: publicWriteLimit,
      schema: {
        summary: 'Register to take part (demographics are voluntary and need explicit consent)',
        description:
          'Returns a participant token: keep it to contribute and answer the survey as a registered participant.',
        tags,
        params: publicDialogueParams,
        body: registrationBody,
        response: {
          201: z.object({ participationId: z.uuid(), participantToken: z.string() }),
          400: problemResponse,
          429: problemResponse,
          404: problemResponse,
          409: problemResponse,
        },
      },
    },
    async (request, reply) => {
      const tenant = await tenantBySlug(db, request.params.tenantSlug);
      const dimensions = await dimensionsOf(db, tenant.id);
      const result = await inTenantTransaction(db, tenant.id, async (tx) => {
        const dialogue = await dialogueOf(tx, tenant.id, request.params.dialogueId, { lock: 'share' });
        if (!rules.register(statusOf(dialogue)))
          throw wrongStatus(dialogue.status, 'Registration is closed for this dialogue');
        return registerIndividual(tx, dialogue, dimensions, request.body, null);
      });
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/v1/public/:tenantSlug/dialogues/:dialogueId/contributions',
    {
      config: publicWriteLimit,
      schema: {
        summary: 'Contribute while the dialogue is open: as a registered participant (token) or anonymously',
        tags,
        params: publicDialogueParams,
        body: publicContributionBody,
        response: {
          201: z.object({ id: z.uuid() }),
          400: problemResponse,
          401: problemResponse,
          409: problemResponse,
        },
      },
    },
    async (request, reply) => {
      const tenant = await tenantBySlug(db, request.params.tenantSlug);
      const dimensions = await dimensionsOf(db, tenant.id);
      const { participantToken, ...body } = request.body;
      const id = await inTenantTransaction(db, tenant.id, async (tx) => {
        const dialogue = await dialogueOf(tx, tenant.id, request.params.dialogueId, { lock: 'share' });
        const participationId = participantToken
          ? await participantByToken(tx, dialogue, participantToken)
          : undefined;
        return addContribution(tx, dialogue, dimensions, {
          ...body,
          source: participationId ? 'participant' : 'anonymous',
          participationId,
        });
      });
      return reply.code(201).send({ id });
    },
  );

  app.get(
    '/v1/public/:tenantSlug/dialogues/:dialogueId/survey',
    {
      schema: {
        summary: 'The questionnaire, in the reader’s language',
        tags,
        params: publicDialogueParams,
        querystring: langQuery,
        response: {
          200: z.object({
            language: z.string(),
            questions: z.array(
              z.object({
                id: z.uuid(),
                position: z.number(),
                kind: questionKind,
                prompt: z.string(),
                options: z.array(z.object({ key: z.string(), label: z.string() })),
                scaleMin: z.number().nullable(),
                scaleMax: z.number().nullable(),
                required: z.boolean(),
                demographic: z.boolean().describe('voluntary; answered only with consent'),
              }),
            ),
          }),
          404: problemResponse,
        },
      },
    },
    async (request) => {
      const { tenant, dialogue } = await visible(request.params.tenantSlug, request.params.dialogueId);
      const language = readerLanguage(tenant, request.query.lang, request.headers['accept-language']);
      const dimensions = await dimensionsOf(db, tenant.id);
      const names = await groupNamesOf(db, tenant.id);
      const questions = await questionsOf(db, tenant.id, dialogue.id);
      return {
        language,
        questions: questions.map((q) => ({
          id: q.id,
          position: q.position,
          kind: q.kind as z.infer<typeof questionKind>,
          prompt: pick(q.prompts, language, tenant.defaultLanguage),
          options: optionsOf(q, dimensions, names).map((o) => ({
            key: o.key,
            label: pick(o.names, language, tenant.defaultLanguage),
          })),
          scaleMin: q.scaleMin,
          scaleMax: q.scaleMax,
          required: q.required,
          demographic: Boolean(q.demographicDimension),
        })),
      };
    },
  );

  app.post(
    '/v1/public/:tenantSlug/dialogues/:dialogueId/survey/responses',
    {
      config: publicWriteLimit,
      schema: {
        summary: 'Answer the survey while the dialogue is open',
        tags,
        params: publicDialogueParams,
        body: responseBody,
        response: {
          201: z.object({ id: z.uuid() }),
          400: problemResponse,
          401: problemResponse,
          409: problemResponse,
        },
      },
    },
    async (request, reply) => {
      const tenant = await tenantBySlug(db, request.params.tenantSlug);
      const dimensions = await dimensionsOf(db, tenant.id);
      const id = await inTenantTransaction(db, tenant.id, async (tx) => {
        const dialogue = await dialogueOf(tx, tenant.id, request.params.dialogueId, { lock: 'share' });
        if (!rules.contribute(statusOf(dialogue)))
          throw wrongStatus(dialogue.status, 'The survey takes answers only while the dialogue is open');
        const questions = await questionsOf(tx, tenant.id, dialogue.id);
        const checked = checkAnswers(request.body, questions, dimensions);
        const participationId = request.body.participantToken
          ? await participantByToken(tx, dialogue, request.body.participantToken)
          : null;
        return saveResponse(tx, dialogue, request.body, checked, participationId);
      });
      return reply.code(201).send({ id });
    },
  );

  app.get(
    '/v1/public/:tenantSlug/dialogues/:dialogueId/outcomes',
    {
      schema: {
        summary: '"You said, we did": the published outcomes and what they respond to',
        tags,
        params: publicDialogueParams,
        querystring: langQuery,
        response: { 200: youSaidWeDid, 404: problemResponse },
      },
    },
    async (request) => {
      const { tenant, dialogue } = await visible(request.params.tenantSlug, request.params.dialogueId);
      return youSaid(
        tenant,
        dialogue,
        readerLanguage(tenant, request.query.lang, request.headers['accept-language']),
      );
    },
  );

  app.get(
    '/public/:tenantSlug/dialogues/:dialogueId',
    {
      schema: {
        summary: '"You said, we did" as an accessible HTML page',
        tags,
        params: publicDialogueParams,
        querystring: langQuery,
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      const { tenant, dialogue } = await visible(request.params.tenantSlug, request.params.dialogueId);
      const language = readerLanguage(tenant, request.query.lang, request.headers['accept-language']);
      const page = await youSaid(tenant, dialogue, language);
      const html = renderYouSaidWeDid({
        municipality: tenant.name,
        language,
        languages: tenant.languages,
        dialogue: page.dialogue,
        participants: shown(page.indicators.participants),
        contributions: shown(page.indicators.contributions),
        outcomes: page.outcomes.map((o) => ({
          kind: o.kind,
          title: o.title,
          description: o.description,
          decidedAt: o.decidedAt,
          responses: o.responses.map((r) => ({
            response: r.response,
            reason: r.reason,
            said: r.contribution.body,
            saidIn: r.contribution.language,
          })),
        })),
        path: request.url.split('?')[0]!,
      });
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .header('content-language', language)
        .send(html);
    },
  );
};
