import { randomUUID } from 'node:crypto';
import type { CaseEventRow, OutboxRow } from '@samtal/cases';
import type { Channel, DemographicSelfReport } from '@samtal/domain';
import { type FieldProblem, UnprocessableProblem } from '@samtal/http';
import { parsePayload, queueNames } from '@samtal/queue';
import { randomToken, sha256, trackingCode } from '@samtal/security';
import type postgres from 'postgres';
import type { AttributeValues } from '../attributes.ts';
import { type Category, dueTimes, type TenantCatalog } from '../catalog.ts';
import type { IntakeContext } from '../context.ts';
import { idempotencyKeyHash, openToken, sealToken } from '../idempotency.ts';
import type { Tenant } from '../tenants.ts';

export interface StoredPhoto {
  storageKey: string;
  contentType: string;
  sizeBytes: number;
  originalName: string | null;
}

/** An inquiry that has passed every check; what `createInquiry` writes. */
export interface NewInquiry {
  category: Category;
  description: string;
  latitude: number | null;
  longitude: number | null;
  address: string | null;
  attributes: AttributeValues;
  mediaUrls: string[];
  contact: { name: string | null; email: string | null; phone: string | null };
  language: string;
  channel: Channel;
  demographics: DemographicSelfReport | null;
  apiClientId: string | null;
  photos: StoredPhoto[];
}

export interface SubmitResult {
  caseId: string;
  trackingCode: string;
  accessToken: string;
  status: 'new';
  createdAt: string;
  expectedFirstResponseAt: string | null;
  expectedResolutionAt: string | null;
}

/** What the idempotency row keeps: the result with the token sealed by the client's key. */
type StoredResult = Omit<SubmitResult, 'accessToken'> & { sealedToken: string };

export interface Idempotency {
  key: string;
  requestHash: string;
}

/** Checks a demographic self-report against the tenant's dimensions. */
export function demographicProblems(
  catalog: TenantCatalog,
  report: DemographicSelfReport,
  field: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [dimension, group] of Object.entries(report.groups)) {
    const known = catalog.dimensions.get(dimension);
    if (!known)
      problems.push({
        field: `${field}.${dimension}`,
        message: 'is not a dimension this municipality asks about',
      });
    else if (group !== 'unknown' && !known.groups.has(group)) {
      problems.push({
        field: `${field}.${dimension}`,
        message: `"${group}" is not one of ${[...known.groups].join(', ')}, unknown`,
      });
    }
  }
  return problems;
}

function pgCode(error: unknown): { code?: string; constraint?: string } {
  const e = error as { code?: string; constraint_name?: string };
  return { code: e.code, constraint: e.constraint_name };
}

async function findReplay(
  ctx: IntakeContext,
  tenant: Tenant,
  idempotency: Idempotency,
): Promise<SubmitResult | undefined> {
  const [row] = await ctx.db.sql<{ request_hash: string; response: StoredResult }[]>`
    select request_hash, response from idempotency_keys
    where tenant_id = ${tenant.id} and key = ${idempotencyKeyHash(idempotency.key)}`;
  if (!row) return undefined;
  if (row.request_hash !== idempotency.requestHash) {
    throw new UnprocessableProblem('This Idempotency-Key was used with a different request', {
      errors: [{ field: 'idempotency-key', message: 'was already used with a different request body' }],
    });
  }
  const { sealedToken, ...result } = row.response;
  return { ...result, accessToken: openToken(idempotency.key, sealedToken) };
}

/**
 * Writes a new case with everything that belongs to it in one transaction: the case, its first
 * (public) event, the demographic profile, photos, the idempotency key and the routing job in the
 * outbox. One round of pipelined, prepared statements; after the commit the event is announced to
 * the desks and the job handed to the relay (whose sweep catches what that misses).
 */
export async function createInquiry(
  ctx: IntakeContext,
  tenant: Tenant,
  inquiry: NewInquiry,
  idempotency: Idempotency | null,
): Promise<{ result: SubmitResult; replayed: boolean }> {
  if (idempotency) {
    const replay = await findReplay(ctx, tenant, idempotency);
    if (replay) return { result: replay, replayed: true };
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return { result: await insertInquiry(ctx, tenant, inquiry, idempotency), replayed: false };
    } catch (error) {
      const { code, constraint } = pgCode(error);
      if (code === '23505' && constraint === 'cases_tenant_tracking_code_uq' && attempt < 3) continue;
      if (code === '23505' && idempotency && constraint?.startsWith('idempotency_keys')) {
        // A concurrent retry with the same key committed first: answer as it did.
        const replay = await findReplay(ctx, tenant, idempotency);
        if (replay) return { result: replay, replayed: true };
      }
      throw error;
    }
  }
}

/**
 * A statement written with named parameters (`$caseId`), numbered once when the module loads.
 * postgres.js rebuilds the text of a tagged-template query on every call (a concatenation per
 * parameter, then a 2 KB string to flatten and hash to find the prepared statement): 9 % of
 * intake's allocations. A fixed text with an array of values skips that and stays prepared.
 */
function namedStatement<Values extends Record<string, unknown>>(text: string) {
  const names: string[] = [];
  const numbered = text.replace(/\s+/g, ' ').replace(/\$([A-Za-z]\w*)/g, (_match, name: string) => {
    const known = names.indexOf(name);
    return `$${known >= 0 ? known + 1 : names.push(name)}`;
  });
  // postgres.js takes what each value is at run time; the Values type checks the names here.
  type Parameter = postgres.ParameterOrJSON<never>;
  return { text: numbered, values: (values: Values) => names.map((name) => values[name] as Parameter) };
}

interface SubmitValues extends Record<string, unknown> {
  caseId: string;
  tenantId: string;
  trackingCode: string;
  accessTokenHash: string;
  channel: string;
  categoryId: string;
  description: string;
  latitude: number | null;
  longitude: number | null;
  address: string | null;
  language: string;
  attributes: string;
  mediaUrls: string[];
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  sensitive: boolean;
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
  apiClientId: string | null;
  now: string;
  actorKind: string;
  eventData: string;
  queue: string;
  payload: string;
  demographicGroups: string | null;
  consentTextVersion: string | null;
  photos: string;
  idempotencyKeyHash: string | null;
  requestHash: string | null;
  storedResult: string | null;
}

/**
 * One statement, so one round trip and one implicit transaction: every row or none. The optional
 * parts (demographics, photos, idempotency key) insert nothing when their parameter is null or
 * empty, so the statement text never changes and stays prepared.
 */
const SUBMIT = namedStatement<SubmitValues>(`
  with new_case as (
    insert into cases (id, tenant_id, tracking_code, access_token_hash, channel, category_id, description,
      latitude, longitude, address, language, attributes, media_urls, contact_name, contact_email,
      contact_phone, sensitive, first_response_due_at, resolution_due_at, api_client_id, created_at, updated_at)
    values ($caseId, $tenantId, $trackingCode, $accessTokenHash, $channel, $categoryId, $description,
      $latitude, $longitude, $address, $language, $attributes::jsonb, $mediaUrls::text[], $contactName,
      $contactEmail, $contactPhone, $sensitive, $firstResponseDueAt, $resolutionDueAt, $apiClientId, $now, $now)
    returning id, tenant_id
  ), event as (
    insert into case_events (tenant_id, case_id, type, actor_kind, actor_id, visibility, data, created_at)
    select tenant_id, id, 'created', $actorKind, $apiClientId, 'public', $eventData::jsonb, $now
    from new_case
    returning id
  ), job as (
    insert into outbox (tenant_id, queue, job_name, payload, created_at)
    select tenant_id, $queue, $queue, $payload::jsonb, $now
    from new_case
    returning id
  ), profile as (
    insert into demographic_profiles (tenant_id, case_id, groups, consent_at, consent_text_version)
    select tenant_id, id, $demographicGroups::jsonb, $now, $consentTextVersion::text
    from new_case
    where $demographicGroups::jsonb is not null
  ), photo as (
    insert into attachments (tenant_id, case_id, storage_key, content_type, size_bytes, original_name)
    select new_case.tenant_id, new_case.id, p.storage_key, p.content_type, p.size_bytes, p.original_name
    from new_case, jsonb_to_recordset($photos::jsonb)
      as p(storage_key text, content_type text, size_bytes int, original_name text)
  ), idempotency as (
    insert into idempotency_keys (tenant_id, key, request_hash, case_id, response)
    select tenant_id, $idempotencyKeyHash::text, $requestHash::text, id, $storedResult::jsonb
    from new_case
    where $idempotencyKeyHash::text is not null
  )
  select event.id as event_id, job.id as outbox_id from event, job`);

async function insertInquiry(
  ctx: IntakeContext,
  tenant: Tenant,
  inquiry: NewInquiry,
  idempotency: Idempotency | null,
): Promise<SubmitResult> {
  const now = new Date();
  const caseId = randomUUID();
  const code = trackingCode();
  const accessToken = randomToken(24);
  const due = dueTimes(inquiry.category, now);
  const result: SubmitResult = {
    caseId,
    trackingCode: code,
    accessToken,
    status: 'new',
    createdAt: now.toISOString(),
    expectedFirstResponseAt: due.firstResponse?.toISOString() ?? null,
    expectedResolutionAt: due.resolution?.toISOString() ?? null,
  };
  const payload = parsePayload('routing', { tenantId: tenant.id, caseId, reason: 'created' });
  const actorKind = inquiry.apiClientId ? 'api_client' : 'resident';
  const { sql } = ctx.db;
  // drizzle installs pass-through serialisers on the shared client, so dates and JSON travel as text.
  const nowIso = result.createdAt;

  const stored: StoredResult | null = idempotency
    ? (({ accessToken: _token, ...rest }) => ({
        ...rest,
        sealedToken: sealToken(idempotency.key, accessToken),
      }))(result)
    : null;
  const photos = inquiry.photos.map((p) => ({
    storage_key: p.storageKey,
    content_type: p.contentType,
    size_bytes: p.sizeBytes,
    original_name: p.originalName,
  }));
  const eventData = { channel: inquiry.channel };
  const values: SubmitValues = {
    caseId,
    tenantId: tenant.id,
    trackingCode: code,
    accessTokenHash: sha256(accessToken),
    channel: inquiry.channel,
    categoryId: inquiry.category.id,
    description: inquiry.description,
    latitude: inquiry.latitude,
    longitude: inquiry.longitude,
    address: inquiry.address,
    language: inquiry.language,
    attributes: JSON.stringify(inquiry.attributes),
    mediaUrls: inquiry.mediaUrls,
    contactName: inquiry.contact.name,
    contactEmail: inquiry.contact.email,
    contactPhone: inquiry.contact.phone,
    sensitive: inquiry.category.sensitive,
    firstResponseDueAt: result.expectedFirstResponseAt,
    resolutionDueAt: result.expectedResolutionAt,
    apiClientId: inquiry.apiClientId,
    now: nowIso,
    actorKind,
    eventData: JSON.stringify(eventData),
    queue: queueNames.routing,
    payload: JSON.stringify(payload),
    demographicGroups: inquiry.demographics ? JSON.stringify(inquiry.demographics.groups) : null,
    consentTextVersion: inquiry.demographics?.consentTextVersion ?? null,
    photos: JSON.stringify(photos),
    idempotencyKeyHash: idempotency ? idempotencyKeyHash(idempotency.key) : null,
    requestHash: idempotency?.requestHash ?? null,
    storedResult: stored ? JSON.stringify(stored) : null,
  };
  const [ids] = (await sql.unsafe(SUBMIT.text, SUBMIT.values(values), { prepare: true })) as unknown as {
    event_id: string;
    outbox_id: string;
  }[];

  const eventRow: CaseEventRow = {
    id: Number(ids!.event_id),
    tenantId: tenant.id,
    caseId,
    type: 'created',
    actorKind,
    actorId: inquiry.apiClientId,
    visibility: 'public',
    data: eventData,
    createdAt: now,
  };
  const outboxRow: OutboxRow = {
    id: Number(ids!.outbox_id),
    tenantId: tenant.id,
    queue: queueNames.routing,
    jobName: queueNames.routing,
    payload,
    runAt: null,
    createdAt: now,
    sentAt: null,
    attempts: 0,
    lastError: null,
  };
  ctx.announcements.add([eventRow]);
  void ctx.relay.publish([outboxRow]);
  return result;
}
