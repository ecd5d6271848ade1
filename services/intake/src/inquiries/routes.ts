import { createHash } from 'node:crypto';
import type { MultipartFile } from '@fastify/multipart';
import { schema } from '@samtal/db';
import {
  type App,
  type FieldProblem,
  NotFoundProblem,
  ProblemError,
  ValidationProblem,
  zodFieldProblems,
} from '@samtal/http';
import { withdrawConsent } from '@samtal/privacy';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { checkAttributes } from '../attributes.ts';
import { localised } from '../catalog.ts';
import type { IntakeContext } from '../context.ts';
import { requestHash } from '../idempotency.ts';
import { sniffImageType } from '../media.ts';
import type { Tenant } from '../tenants.ts';
import { authorisedCase, bearerToken } from './access.ts';
import { createInquiry, demographicProblems, type NewInquiry, type StoredPhoto } from './create.ts';
import { residentFeedback, residentMessage } from './follow-up.ts';
import {
  authorisedHeaders,
  demographicQuestion,
  feedbackInput,
  feedbackResponse,
  type InquiryInput,
  inquiryInput,
  inquiryView as inquiryViewSchema,
  messageInput,
  messageResponse,
  serviceDefinition,
  serviceSummary,
  submitHeaders,
  submitResponse,
  tenantHeaders,
  trackingParams,
} from './schemas.ts';
import { inquiryView } from './view.ts';

export const MAX_PHOTOS = 5;

export interface InquiryRouteOptions {
  uploadMaxBytes: number;
}

/** Checks what only the tenant's catalog can check, collecting every problem at once. */
export async function toNewInquiry(
  ctx: IntakeContext,
  tenant: Tenant,
  input: InquiryInput,
  photos: StoredPhoto[],
): Promise<NewInquiry> {
  const catalog = await ctx.catalog.get(tenant);
  const problems: FieldProblem[] = [];
  const category = catalog.categoriesByCode.get(input.serviceCode);
  if (!category?.active) {
    problems.push({
      field: 'serviceCode',
      message: `"${input.serviceCode.slice(0, 100)}" is not a service of this municipality`,
    });
  }
  const attributes = category
    ? checkAttributes(category.attributes, input.attributes ?? {}, (code) => `attributes.${code}`)
    : { values: {}, problems: [] };
  problems.push(...attributes.problems);
  if (input.demographics)
    problems.push(...demographicProblems(catalog, input.demographics, 'demographics.groups'));
  if (problems.length) throw new ValidationProblem(problems);
  return {
    category: category!,
    description: input.description,
    latitude: input.location?.lat ?? null,
    longitude: input.location?.long ?? null,
    address: input.location?.address ?? null,
    attributes: attributes.values,
    mediaUrls: input.mediaUrls ?? [],
    contact: {
      name: input.contact?.name ?? null,
      email: input.contact?.email ?? null,
      phone: input.contact?.phone ?? null,
    },
    language: input.language ?? tenant.defaultLanguage,
    channel: input.channel,
    demographics: input.demographics ?? null,
    apiClientId: null,
    photos,
  };
}

const photoProblem = (status: number, message: string) =>
  new ProblemError(
    status,
    status === 413 ? 'Payload too large' : 'Unsupported media type',
    `photos: ${message}`,
    {
      type: 'https://samtal.dev/problems/upload',
      errors: [{ field: 'photos', message }],
    },
  );

export function inquiryRoutes(app: App, ctx: IntakeContext, options: InquiryRouteOptions): void {
  const tenantOf = (headers: { 'x-samtal-tenant'?: string | undefined }) =>
    ctx.tenants.resolve(headers['x-samtal-tenant'], 'x-samtal-tenant');

  app.get(
    '/v1/services',
    {
      schema: {
        summary: 'Services (categories) a resident can choose from',
        tags: ['inquiries'],
        headers: tenantHeaders,
        querystring: z.object({ lang: z.string().max(20).optional() }),
        response: { 200: z.array(serviceSummary) },
      },
    },
    async (request) => {
      const tenant = await tenantOf(request.headers);
      const catalog = await ctx.catalog.get(tenant);
      const lang = request.query.lang ?? tenant.defaultLanguage;
      return catalog.services.map((c) => ({
        code: c.code,
        name: localised(c.names, lang, tenant.defaultLanguage),
        description: localised(c.descriptions, lang, tenant.defaultLanguage),
        group: c.groupName,
        keywords: c.keywords,
        hasAttributes: c.attributes.length > 0,
        expectedFirstResponseMinutes: c.sla?.firstResponseMinutes ?? null,
      }));
    },
  );

  app.get(
    '/v1/demographic-dimensions',
    {
      schema: {
        summary: "The municipality's voluntary demographic questions",
        description:
          'What a resident may answer about themselves, with consent, so the municipality can see whether every ' +
          'group gets the same service. Every question may also be answered "unknown" (prefer not to say). ' +
          'The answers are stored apart from the case and only ever used in suppressed statistics.',
        tags: ['inquiries'],
        headers: tenantHeaders,
        querystring: z.object({ lang: z.string().max(20).optional() }),
        response: { 200: z.array(demographicQuestion) },
      },
    },
    async (request) => {
      const tenant = await tenantOf(request.headers);
      const catalog = await ctx.catalog.get(tenant);
      const lang = request.query.lang ?? tenant.defaultLanguage;
      return [...catalog.dimensions.values()].map((d) => ({
        code: d.code,
        name: localised(d.names, lang, tenant.defaultLanguage),
        groups: d.groupList.map((g) => ({
          code: g.code,
          name: localised(g.names, lang, tenant.defaultLanguage),
        })),
      }));
    },
  );

  app.get(
    '/v1/services/:code',
    {
      schema: {
        summary: 'A service with its attribute questions',
        tags: ['inquiries'],
        headers: tenantHeaders,
        params: z.object({ code: z.string().max(100) }),
        querystring: z.object({ lang: z.string().max(20).optional() }),
        response: { 200: serviceDefinition },
      },
    },
    async (request) => {
      const tenant = await tenantOf(request.headers);
      const catalog = await ctx.catalog.get(tenant);
      const c = catalog.categoriesByCode.get(request.params.code);
      if (!c?.active) throw new NotFoundProblem(`No service "${request.params.code}"`);
      const lang = request.query.lang ?? tenant.defaultLanguage;
      const text = (t: Record<string, string>) => localised(t, lang, tenant.defaultLanguage);
      return {
        code: c.code,
        name: text(c.names),
        description: text(c.descriptions),
        group: c.groupName,
        keywords: c.keywords,
        hasAttributes: c.attributes.length > 0,
        expectedFirstResponseMinutes: c.sla?.firstResponseMinutes ?? null,
        attributes: c.attributes.map((a) => ({
          code: a.code,
          datatype: a.datatype,
          required: a.required,
          variable: a.variable,
          description: text(a.descriptions),
          order: a.order,
          values: a.values.map((v) => ({ key: v.key, name: text(v.names) })),
        })),
      };
    },
  );

  app.post(
    '/v1/inquiries',
    {
      schema: {
        summary: 'Submit an inquiry (JSON)',
        description:
          'Creates a case and returns its tracking code and a one-time access token. With an Idempotency-Key, ' +
          'a retry returns the same inquiry (header Idempotent-Replayed: true); the same key with another body is a 422.',
        tags: ['inquiries'],
        headers: submitHeaders,
        body: inquiryInput,
        response: { 201: submitResponse },
      },
    },
    async (request, reply) => {
      const tenant = await tenantOf(request.headers);
      const inquiry = await toNewInquiry(ctx, tenant, request.body, []);
      const key = request.headers['idempotency-key'];
      const { result, replayed } = await createInquiry(
        ctx,
        tenant,
        inquiry,
        key ? { key, requestHash: requestHash(request.body) } : null,
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      const { caseId: _id, ...body } = result;
      return reply.code(201).header('location', `/v1/inquiries/${result.trackingCode}`).send(body);
    },
  );

  app.post(
    '/v1/inquiries/with-photos',
    {
      schema: {
        summary: 'Submit an inquiry with photos (multipart/form-data)',
        description:
          `Part "inquiry": the same JSON as POST /v1/inquiries. Parts "photos": up to ${MAX_PHOTOS} JPEG, PNG, WebP ` +
          `or HEIC images (recognised by content, not name), each at most ${options.uploadMaxBytes} bytes.`,
        tags: ['inquiries'],
        headers: submitHeaders,
        consumes: ['multipart/form-data'],
        response: { 201: submitResponse },
      },
    },
    async (request, reply) => {
      const tenant = await tenantOf(request.headers);
      if (!request.isMultipart()) {
        throw new ProblemError(415, 'Unsupported media type', 'Send multipart/form-data', {
          errors: [{ field: 'content-type', message: 'must be multipart/form-data' }],
        });
      }
      const photos: StoredPhoto[] = [];
      const photoHashes: string[] = [];
      let raw: string | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === 'inquiry') raw = String(part.value);
            continue;
          }
          if (part.fieldname !== 'photos') {
            await part.toBuffer().catch(() => {});
            throw photoProblem(415, `unexpected file part "${part.fieldname}"; send photos as "photos"`);
          }
          if (photos.length >= MAX_PHOTOS) throw photoProblem(413, `at most ${MAX_PHOTOS} photos`);
          const data = await readPhoto(part, options.uploadMaxBytes);
          const type = sniffImageType(data);
          if (!type) throw photoProblem(415, `"${part.filename}" is not a JPEG, PNG, WebP or HEIC image`);
          const storageKey = await ctx.storage.put(tenant.id, data, type.extension);
          photos.push({
            storageKey,
            contentType: type.contentType,
            sizeBytes: data.length,
            originalName: part.filename ? part.filename.slice(0, 200) : null,
          });
          photoHashes.push(createHash('sha256').update(data).digest('hex'));
        }
        if (raw === undefined) throw new ValidationProblem([{ field: 'inquiry', message: 'is required' }]);
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          throw new ValidationProblem([{ field: 'inquiry', message: 'must be JSON' }]);
        }
        const parsed = inquiryInput.safeParse(json);
        if (!parsed.success) throw new ValidationProblem(zodFieldProblems(parsed.error, 'inquiry'));
        const inquiry = await toNewInquiry(ctx, tenant, parsed.data, photos);
        const key = request.headers['idempotency-key'];
        const { result, replayed } = await createInquiry(
          ctx,
          tenant,
          inquiry,
          key ? { key, requestHash: requestHash({ inquiry: parsed.data, photos: photoHashes }) } : null,
        );
        if (replayed) {
          reply.header('idempotent-replayed', 'true');
          await Promise.all(photos.map((p) => ctx.storage.remove(p.storageKey)));
        }
        const { caseId: _id, ...body } = result;
        return reply.code(201).header('location', `/v1/inquiries/${result.trackingCode}`).send(body);
      } catch (error) {
        // Nothing half-kept: files of a rejected or failed submit are removed again.
        await Promise.all(photos.map((p) => ctx.storage.remove(p.storageKey).catch(() => {})));
        throw error;
      }
    },
  );

  app.get(
    '/v1/inquiries/:trackingCode',
    {
      schema: {
        summary: 'Follow an inquiry: status, public timeline and replies',
        description:
          'Needs the access token. An unknown tracking code and a wrong token both answer 404, after the same work.',
        tags: ['inquiries'],
        headers: authorisedHeaders,
        params: trackingParams,
        response: { 200: inquiryViewSchema },
      },
    },
    async (request) => {
      const tenant = await tenantOf(request.headers);
      const token = bearerToken(request.headers.authorization);
      const row = await authorisedCase(ctx, tenant, request.params.trackingCode, token);
      return inquiryView(ctx, tenant, await ctx.catalog.get(tenant), row);
    },
  );

  app.post(
    '/v1/inquiries/:trackingCode/messages',
    {
      schema: {
        summary: 'Send a message, or answer a request for information',
        description:
          'When the municipality waits on the resident, the message answers it and the case resumes.',
        tags: ['inquiries'],
        headers: authorisedHeaders,
        params: trackingParams,
        body: messageInput,
        response: { 201: messageResponse },
      },
    },
    async (request, reply) => {
      const tenant = await tenantOf(request.headers);
      const token = bearerToken(request.headers.authorization);
      const row = await authorisedCase(ctx, tenant, request.params.trackingCode, token);
      return reply.code(201).send(await residentMessage(ctx, tenant, row.id, request.body.body));
    },
  );

  app.post(
    '/v1/inquiries/:trackingCode/feedback',
    {
      schema: {
        summary: 'Rate the handling (once, after resolution); a low rating may ask for re-handling',
        tags: ['inquiries'],
        headers: authorisedHeaders,
        params: trackingParams,
        body: feedbackInput,
        response: { 201: feedbackResponse },
      },
    },
    async (request, reply) => {
      const tenant = await tenantOf(request.headers);
      const token = bearerToken(request.headers.authorization);
      const row = await authorisedCase(ctx, tenant, request.params.trackingCode, token);
      return reply.code(201).send(await residentFeedback(ctx, tenant, row.id, request.body));
    },
  );

  app.delete(
    '/v1/inquiries/:trackingCode/demographics',
    {
      schema: {
        summary: 'Withdraw consent to the demographic answers given with this inquiry',
        description:
          'Deletes the answers, so they leave every statistic computed from now on. The inquiry itself stays. Answers 200 with how many profiles were deleted (0 when there were none).',
        tags: ['inquiries'],
        headers: authorisedHeaders,
        params: trackingParams,
        response: { 200: z.object({ profilesDeleted: z.number().int() }) },
      },
    },
    async (request) => {
      const tenant = await tenantOf(request.headers);
      const token = bearerToken(request.headers.authorization);
      const row = await authorisedCase(ctx, tenant, request.params.trackingCode, token);
      const profilesDeleted = await ctx.db.db.transaction(async (tx) => {
        const n = await withdrawConsent(tx, tenant.id, { caseIds: [row.id], participationIds: [] });
        // Who withdrew is the resident holding the case's token; the log keeps that it happened.
        await tx.insert(schema.auditLog).values({
          tenantId: tenant.id,
          actorKind: 'resident',
          action: 'privacy.consent_withdrawal',
          entity: 'case',
          entityId: row.id,
          data: { profilesDeleted: n },
        });
        return n;
      });
      return { profilesDeleted };
    },
  );

  app.get(
    '/v1/inquiries/:trackingCode/photos/:photoId',
    {
      schema: {
        summary: 'A photo attached to the inquiry',
        tags: ['inquiries'],
        headers: authorisedHeaders,
        params: trackingParams.extend({ photoId: z.uuid() }),
      },
    },
    async (request, reply) => {
      const tenant = await tenantOf(request.headers);
      const token = bearerToken(request.headers.authorization);
      const row = await authorisedCase(ctx, tenant, request.params.trackingCode, token);
      const [photo] = await ctx.db.db
        .select()
        .from(schema.attachments)
        .where(
          and(
            eq(schema.attachments.tenantId, tenant.id),
            eq(schema.attachments.caseId, row.id),
            eq(schema.attachments.id, request.params.photoId),
          ),
        );
      if (!photo) throw new NotFoundProblem('No such photo');
      return reply
        .type(photo.contentType)
        .header('content-disposition', 'inline')
        .header('cache-control', 'private, no-store')
        .send(ctx.storage.read(photo.storageKey));
    },
  );
}

async function readPhoto(part: MultipartFile, maxBytes: number): Promise<Buffer> {
  try {
    const data = await part.toBuffer();
    if (!data.length) throw photoProblem(415, `"${part.filename}" is empty`);
    return data;
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw photoProblem(413, `"${part.filename}" is larger than ${maxBytes} bytes`);
    }
    throw error;
  }
}
