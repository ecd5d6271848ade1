import formbody from '@fastify/formbody';
import { schema } from '@samtal/db';
import { type CaseStatus, open311Status, openStatuses } from '@samtal/domain';
import { type App, type FieldProblem, toProblem } from '@samtal/http';
import { sha256 } from '@samtal/security';
import { and, desc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { checkAttributes } from '../attributes.ts';
import { TtlCache } from '../cache.ts';
import { localised, type TenantCatalog } from '../catalog.ts';
import type { IntakeContext } from '../context.ts';
import { IDEMPOTENCY_KEY_PATTERN, requestHash } from '../idempotency.ts';
import { createInquiry, type NewInquiry } from '../inquiries/create.ts';
import { MAX_DESCRIPTION } from '../inquiries/schemas.ts';
import type { Tenant } from '../tenants.ts';
import { type Format, formatOf, send, sendErrors } from './format.ts';

/** GeoReport v2 errors carry the spec's codes; everything else keeps its HTTP status. */
class Open311Error extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const format = z.enum(['json', 'xml']).describe('Response format');
const jurisdiction = { jurisdiction_id: z.string().max(60).optional().describe('Municipality slug') };
const DAY = 24 * 3600 * 1000;
const MAX_PAGE_SIZE = 1000;

const statusNotes: Record<CaseStatus, string> = {
  new: 'Received',
  routed: 'Sent to the responsible department',
  accepted: 'Accepted by the responsible department',
  in_progress: 'Being handled',
  waiting_on_resident: 'Waiting for more information from the reporter',
  resolved: 'Resolved',
  closed: 'Closed',
  returned: 'Being sent to the right department',
  reopened: 'Reopened for re-handling',
  merged: 'Merged with another report of the same problem',
};

const postBody = z.looseObject({
  api_key: z.string().max(200).optional(),
  jurisdiction_id: z.string().max(60).optional(),
  service_code: z.string().max(100).optional(),
  lat: z.string().max(40).optional(),
  long: z.string().max(40).optional(),
  address_string: z.string().max(500).optional(),
  address_id: z.string().max(100).optional(),
  email: z.string().max(320).optional(),
  device_id: z.string().max(200).optional(),
  account_id: z.string().max(200).optional(),
  first_name: z.string().max(100).optional(),
  last_name: z.string().max(100).optional(),
  phone: z.string().max(40).optional(),
  description: z
    .string()
    .max(MAX_DESCRIPTION * 2)
    .optional(),
  media_url: z.string().max(2000).optional(),
});
type PostBody = z.infer<typeof postBody>;

export interface Open311Options {
  /** Per-API-key rate limit, run once the body (with its api_key) is parsed. */
  apiKeyLimit?: preHandlerAsyncHookHandler;
}

/** `attribute[code]=v` and `attribute[code][]=v` (form fields), or an `attribute` object (JSON). */
function attributesOf(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const nested = body.attribute;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) Object.assign(out, nested);
  for (const [key, value] of Object.entries(body)) {
    const match = /^attribute\[([^\]]{1,100})\](\[\])?$/.exec(key);
    if (!match) continue;
    const code = match[1]!;
    const values = Array.isArray(value) ? value : [value];
    out[code] = match[2]
      ? [...((out[code] as unknown[]) ?? []), ...values]
      : values.length > 1
        ? values
        : values[0];
  }
  return out;
}

function problemText(problems: FieldProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('; ');
}

export function open311Routes(ctx: IntakeContext, options: Open311Options = {}) {
  const clients = new TtlCache<{ id: string; tenantId: string } | null>(30_000);
  const clientOf = (tenant: Tenant, apiKey: string | undefined) => {
    if (!apiKey) return Promise.resolve(null);
    const hash = sha256(apiKey);
    return clients
      .get(hash, async () => {
        const [row] = await ctx.db.db
          .select({
            id: schema.apiClients.id,
            tenantId: schema.apiClients.tenantId,
            active: schema.apiClients.active,
            revokedAt: schema.apiClients.revokedAt,
          })
          .from(schema.apiClients)
          .where(eq(schema.apiClients.keyHash, hash));
        return row?.active && !row.revokedAt ? { id: row.id, tenantId: row.tenantId } : null;
      })
      .then((client) => (client?.tenantId === tenant.id ? client : null));
  };

  const tenantOf = async (slug: string | undefined): Promise<Tenant> => {
    try {
      return await ctx.tenants.resolve(slug || undefined, 'jurisdiction_id');
    } catch (error) {
      const problem = toProblem(error, { url: '', id: '' } as never);
      throw new Open311Error(problem.status, `jurisdiction_id: ${problem.detail}`);
    }
  };

  const serviceJson = (tenant: Tenant, catalog: TenantCatalog, lang: string) =>
    catalog.services
      .filter((c) => !c.sensitive)
      .map((c) => ({
        service_code: c.code,
        service_name: localised(c.names, lang, tenant.defaultLanguage),
        description: localised(c.descriptions, lang, tenant.defaultLanguage),
        metadata: c.attributes.some((a) => a.variable),
        type: 'realtime',
        keywords: c.keywords.join(','),
        group: c.groupName ?? '',
      }));

  return async function plugin(app: App): Promise<void> {
    await app.register(formbody);

    app.setErrorHandler((error, request, reply) => {
      const fmt = formatOf(request.url);
      if (error instanceof Open311Error)
        return sendErrors(reply, fmt, error.status, `${error.message} (request id ${request.id})`);
      const problem = toProblem(error, request);
      if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
      const status = problem.status;
      const detail = status >= 500 ? problem.detail : problem.detail || problem.title;
      return sendErrors(reply, fmt, status, `${detail} (request id ${request.id})`);
    });
    app.setNotFoundHandler((request, reply) =>
      sendErrors(
        reply,
        formatOf(request.url),
        404,
        `No such resource ${request.url.split('?')[0]} (request id ${request.id})`,
      ),
    );

    app.get(
      '/discovery.:format',
      {
        schema: {
          summary: 'GeoReport v2 service discovery',
          tags: ['open311'],
          params: z.object({ format }),
        },
      },
      async (request, reply) => {
        const base = `${request.protocol}://${request.host}/open311/v2`;
        const discovery = {
          changeset: '2026-11-22T00:00:00Z',
          contact: 'Ask the municipality for an api_key to post requests.',
          key_service: 'Api keys are issued by the municipality’s administrator.',
          endpoints: [
            {
              specification: 'http://wiki.open311.org/GeoReport_v2',
              url: base,
              changeset: '2026-11-22T00:00:00Z',
              type: 'production',
              formats: ['text/xml', 'application/json'],
            },
          ],
        };
        return send(reply, request.params.format, 200, discovery, {
          root: 'discovery',
          item: null,
          value: {
            ...discovery,
            endpoints: {
              endpoint: discovery.endpoints.map((e) => ({ ...e, formats: { format: e.formats } })),
            },
          },
        });
      },
    );

    app.get(
      '/services.:format',
      {
        schema: {
          summary: 'GeoReport v2 list of services',
          tags: ['open311'],
          params: z.object({ format }),
          querystring: z.object({ ...jurisdiction, lang: z.string().max(20).optional() }),
        },
      },
      async (request, reply) => {
        const tenant = await tenantOf(request.query.jurisdiction_id);
        const catalog = await ctx.catalog.get(tenant);
        const services = serviceJson(tenant, catalog, request.query.lang ?? tenant.defaultLanguage);
        return send(reply, request.params.format, 200, services, { root: 'services', item: 'service' });
      },
    );

    app.get(
      '/services/:service_code.:format',
      {
        schema: {
          summary: 'GeoReport v2 service definition (attributes)',
          tags: ['open311'],
          params: z.object({ service_code: z.string().max(100), format }),
          querystring: z.object({ ...jurisdiction, lang: z.string().max(20).optional() }),
        },
      },
      async (request, reply) => {
        const tenant = await tenantOf(request.query.jurisdiction_id);
        const catalog = await ctx.catalog.get(tenant);
        const c = catalog.categoriesByCode.get(request.params.service_code);
        if (!c?.active || c.sensitive)
          throw new Open311Error(404, `service_code: no service "${request.params.service_code}"`);
        const lang = request.query.lang ?? tenant.defaultLanguage;
        const text = (t: Record<string, string>) => localised(t, lang, tenant.defaultLanguage);
        const attributes = c.attributes.map((a) => ({
          variable: a.variable,
          code: a.code,
          datatype: a.datatype,
          required: a.required,
          datatype_description: a.datatypeDescription ?? '',
          order: a.order,
          description: text(a.descriptions),
          values: a.values.map((v) => ({ key: v.key, name: text(v.names) })),
        }));
        const definition = { service_code: c.code, attributes };
        return send(reply, request.params.format, 200, definition, {
          root: 'service_definition',
          item: null,
          value: {
            service_code: c.code,
            attributes: { attribute: attributes.map((a) => ({ ...a, values: { value: a.values } })) },
          },
        });
      },
    );

    app.post(
      '/requests.:format',
      {
        preHandler: options.apiKeyLimit ? [options.apiKeyLimit] : [],
        schema: {
          summary: 'GeoReport v2 create a service request',
          description:
            'Form-urlencoded per GeoReport v2: api_key, service_code, lat/long or address_string, description, ' +
            'attribute[code] and attribute[code][] … The answer adds tracking_code and access_token (extensions) so an app can let the resident follow the request.',
          tags: ['open311'],
          params: z.object({ format }),
          headers: z.looseObject({ 'idempotency-key': z.string().regex(IDEMPOTENCY_KEY_PATTERN).optional() }),
          consumes: ['application/x-www-form-urlencoded'],
          body: postBody,
        },
      },
      async (request, reply) => {
        const body = request.body as PostBody & Record<string, unknown>;
        const tenant = await tenantOf(body.jurisdiction_id);
        const client = await clientOf(tenant, body.api_key);
        if (!client) throw new Open311Error(403, 'api_key: missing or not valid for this jurisdiction');
        const inquiry = await toNewInquiry(ctx, tenant, body, client.id);
        const key = request.headers['idempotency-key'];
        const { result } = await createInquiry(
          ctx,
          tenant,
          inquiry,
          key ? { key, requestHash: requestHash(body) } : null,
        );
        const created = [
          {
            service_request_id: result.caseId,
            token: result.caseId,
            service_notice: `Tracking code ${result.trackingCode}`,
            account_id: null,
            tracking_code: result.trackingCode,
            access_token: result.accessToken,
            expected_datetime: result.expectedResolutionAt,
          },
        ];
        return send(reply, request.params.format, 201, created, {
          root: 'service_requests',
          item: 'request',
        });
      },
    );

    const listQuery = z.object({
      ...jurisdiction,
      api_key: z.string().max(200).optional(),
      service_request_id: z
        .string()
        .max(37 * 200)
        .optional(),
      service_code: z.string().max(1000).optional(),
      start_date: z.iso.datetime({ offset: true }).optional(),
      end_date: z.iso.datetime({ offset: true }).optional(),
      status: z.string().max(20).optional(),
      page: z.coerce.number().int().min(1).max(100_000).default(1),
      page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(MAX_PAGE_SIZE),
      lang: z.string().max(20).optional(),
    });

    app.get(
      '/requests.:format',
      {
        schema: {
          summary: 'GeoReport v2 query service requests',
          description:
            'Without dates: the last 90 days; at most 1,000 per page (page/page_size extension). Descriptions and media only ' +
            'to the client app that posted the request (pass its api_key). Sensitive services are never listed.',
          tags: ['open311'],
          params: z.object({ format }),
          querystring: listQuery,
        },
      },
      async (request, reply) => {
        const q = request.query;
        const tenant = await tenantOf(q.jurisdiction_id);
        const client = await clientOf(tenant, q.api_key);
        const { cases } = schema;
        const where: SQL[] = [eq(cases.tenantId, tenant.id), eq(cases.sensitive, false)];
        if (q.service_request_id) {
          const ids = q.service_request_id
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          const bad = ids.find((id) => !z.uuid().safeParse(id).success);
          if (bad)
            throw new Open311Error(
              400,
              `service_request_id: "${bad.slice(0, 60)}" is not a service request id`,
            );
          where.push(inArray(cases.id, ids));
        } else {
          // The spec's window: 90 days, ending now unless the client says otherwise.
          const start = q.start_date ? new Date(q.start_date) : undefined;
          const end = q.end_date
            ? new Date(q.end_date)
            : start
              ? new Date(start.getTime() + 90 * DAY)
              : new Date(Date.now() + 1000);
          const from = start ?? new Date(end.getTime() - 90 * DAY);
          if (from > end) throw new Open311Error(400, 'start_date: must be before end_date');
          if (end.getTime() - from.getTime() > 90 * DAY) {
            throw new Open311Error(400, 'end_date: a query may span at most 90 days');
          }
          const [startAt, endAt] = [from, end];
          where.push(gte(cases.createdAt, startAt), lt(cases.createdAt, endAt));
          if (q.service_code) {
            const catalog = await ctx.catalog.get(tenant);
            const ids = q.service_code
              .split(',')
              .map((code) => catalog.categoriesByCode.get(code.trim())?.id)
              .filter((id): id is string => !!id);
            where.push(
              inArray(cases.categoryId, ids.length ? ids : ['00000000-0000-0000-0000-000000000000']),
            );
          }
          if (q.status) {
            const wanted = new Set(q.status.split(',').map((s) => s.trim()));
            if ([...wanted].some((s) => s !== 'open' && s !== 'closed')) {
              throw new Open311Error(400, 'status: must be open, closed or both');
            }
            if (!(wanted.has('open') && wanted.has('closed'))) {
              where.push(
                inArray(
                  cases.status,
                  wanted.has('open') ? [...openStatuses] : ['resolved', 'closed', 'merged'],
                ),
              );
            }
          }
        }
        const rows = await ctx.db.db
          .select()
          .from(cases)
          .where(and(...where))
          .orderBy(desc(cases.createdAt), desc(cases.id))
          .limit(q.page_size)
          .offset((q.page - 1) * q.page_size);
        const requests = await requestsJson(ctx, tenant, rows, client?.id ?? null, q.lang);
        return send(reply, request.params.format, 200, requests, {
          root: 'service_requests',
          item: 'request',
        });
      },
    );

    app.get(
      '/requests/:service_request_id.:format',
      {
        schema: {
          summary: 'GeoReport v2 one service request',
          tags: ['open311'],
          params: z.object({ service_request_id: z.string().max(60), format }),
          querystring: z.object({
            ...jurisdiction,
            api_key: z.string().max(200).optional(),
            lang: z.string().max(20).optional(),
          }),
        },
      },
      async (request, reply) => {
        const tenant = await tenantOf(request.query.jurisdiction_id);
        const id = request.params.service_request_id;
        const row = z.uuid().safeParse(id).success
          ? (
              await ctx.db.db
                .select()
                .from(schema.cases)
                .where(
                  and(
                    eq(schema.cases.tenantId, tenant.id),
                    eq(schema.cases.id, id),
                    eq(schema.cases.sensitive, false),
                  ),
                )
            )[0]
          : undefined;
        if (!row) throw new Open311Error(404, `service_request_id: no request "${id.slice(0, 60)}"`);
        const client = await clientOf(tenant, request.query.api_key);
        const requests = await requestsJson(ctx, tenant, [row], client?.id ?? null, request.query.lang);
        return send(reply, request.params.format, 200, requests, {
          root: 'service_requests',
          item: 'request',
        });
      },
    );

    app.get(
      '/tokens/:token.:format',
      {
        schema: {
          summary: 'GeoReport v2 service request id from a token',
          tags: ['open311'],
          params: z.object({ token: z.string().max(60), format }),
          querystring: z.object(jurisdiction),
        },
      },
      async (request, reply) => {
        const tenant = await tenantOf(request.query.jurisdiction_id);
        const { token } = request.params;
        const row = z.uuid().safeParse(token).success
          ? (
              await ctx.db.db
                .select({ id: schema.cases.id })
                .from(schema.cases)
                .where(
                  and(
                    eq(schema.cases.tenantId, tenant.id),
                    eq(schema.cases.id, token),
                    eq(schema.cases.sensitive, false),
                  ),
                )
            )[0]
          : undefined;
        if (!row) throw new Open311Error(404, `token: no request for token "${token.slice(0, 60)}"`);
        const found = [{ service_request_id: row.id, token: row.id }];
        return send(reply, request.params.format, 200, found, { root: 'service_requests', item: 'request' });
      },
    );
  };

  /** GeoReport fields of POST requests, checked against the catalog. */
  async function toNewInquiry(
    context: IntakeContext,
    tenant: Tenant,
    body: PostBody & Record<string, unknown>,
    apiClientId: string,
  ): Promise<NewInquiry> {
    const catalog = await context.catalog.get(tenant);
    const problems: FieldProblem[] = [];
    const code = body.service_code?.trim();
    const category = code ? catalog.categoriesByCode.get(code) : undefined;
    if (!code) problems.push({ field: 'service_code', message: 'is required' });
    else if (!category?.active || category.sensitive)
      problems.push({ field: 'service_code', message: `no service "${code}"` });

    const coordinate = (name: 'lat' | 'long', limit: number): number | null => {
      const raw = body[name]?.trim();
      if (!raw) return null;
      const value = Number(raw);
      if (!/^-?\d+(\.\d+)?$/.test(raw) || !Number.isFinite(value))
        problems.push({ field: name, message: 'must be a number' });
      else if (Math.abs(value) > limit)
        problems.push({ field: name, message: `must be between -${limit} and ${limit}` });
      else return value;
      return null;
    };
    const lat = coordinate('lat', 90);
    const long = coordinate('long', 180);
    const address = body.address_string?.trim() || body.address_id?.trim() || null;
    if ((body.lat?.trim() ? 1 : 0) !== (body.long?.trim() ? 1 : 0)) {
      problems.push({ field: body.lat?.trim() ? 'long' : 'lat', message: 'lat and long go together' });
    } else if (!body.lat?.trim() && !address) {
      problems.push({
        field: 'lat',
        message: 'a location is required: lat & long, address_string or address_id',
      });
    }
    const description = body.description?.trim() ?? '';
    if (!description) problems.push({ field: 'description', message: 'must not be empty' });
    else if (description.length > MAX_DESCRIPTION)
      problems.push({ field: 'description', message: `must be at most ${MAX_DESCRIPTION} characters` });
    const media = body.media_url?.trim();
    if (media && !z.url({ protocol: /^https$/ }).safeParse(media).success) {
      problems.push({ field: 'media_url', message: 'must be an https:// URL' });
    }
    const email = body.email?.trim();
    if (email && !z.email().safeParse(email).success)
      problems.push({ field: 'email', message: 'must be an e-mail address' });
    const phone = body.phone?.trim();
    if (phone && !/^\+?[0-9 ()-]{5,30}$/.test(phone))
      problems.push({ field: 'phone', message: 'must be a phone number' });

    const attributes = category
      ? checkAttributes(category.attributes, attributesOf(body), (c) => `attribute[${c}]`)
      : { values: {}, problems: [] };
    problems.push(...attributes.problems);
    if (problems.length) throw new Open311Error(400, problemText(problems));

    const name = [body.first_name?.trim(), body.last_name?.trim()].filter(Boolean).join(' ');
    return {
      category: category!,
      description,
      latitude: lat,
      longitude: long,
      address,
      attributes: attributes.values,
      mediaUrls: media ? [media] : [],
      contact: { name: name || null, email: email || null, phone: phone || null },
      language: tenant.defaultLanguage,
      channel: 'open311',
      demographics: null,
      apiClientId,
      photos: [],
    };
  }
}

/** GeoReport fields of stored requests. Descriptions and media go only to the app that posted them. */
async function requestsJson(
  ctx: IntakeContext,
  tenant: Tenant,
  rows: (typeof schema.cases.$inferSelect)[],
  apiClientId: string | null,
  lang: string | undefined,
) {
  const catalog = await ctx.catalog.get(tenant);
  return rows.map((row) => {
    const category = catalog.categoriesById.get(row.categoryId);
    const status = row.status as CaseStatus;
    const own = apiClientId !== null && row.apiClientId === apiClientId;
    return {
      service_request_id: row.id,
      status: open311Status(status),
      status_notes: statusNotes[status] ?? '',
      service_name: category ? localised(category.names, lang ?? row.language, tenant.defaultLanguage) : '',
      service_code: category?.code ?? '',
      description: own ? row.description : '',
      agency_responsible: row.leadDepartmentId
        ? (catalog.departmentNames.get(row.leadDepartmentId) ?? '')
        : '',
      service_notice: '',
      requested_datetime: row.createdAt.toISOString(),
      updated_datetime: row.updatedAt.toISOString(),
      expected_datetime: row.resolutionDueAt?.toISOString() ?? null,
      address: row.address ?? '',
      address_id: '',
      zipcode: '',
      lat: row.latitude,
      long: row.longitude,
      media_url: own ? (row.mediaUrls[0] ?? '') : '',
    };
  });
}
