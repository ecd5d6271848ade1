import { randomUUID } from 'node:crypto';
import type { CaseEventRow, OutboxRow } from '@samtal/cases';
import type { Channel, DemographicSelfReport } from '@samtal/domain';
import { type FieldProblem, UnprocessableProblem } from '@samtal/http';
import { parsePayload, queueNames } from '@samtal/queue';
import { randomToken, sha256, trackingCode } from '@samtal/security';
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
 * outbox. One statement, shared with the inquiries submitted at the same moment (`InquiryWriter`);
 * after the commit the event is announced to the desks and the job handed to the relay (whose sweep
 * catches what that misses).
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
  const ids = await ctx.writer.write({
    id: caseId,
    tenant_id: tenant.id,
    tracking_code: code,
    access_token_hash: sha256(accessToken),
    channel: inquiry.channel,
    category_id: inquiry.category.id,
    description: inquiry.description,
    latitude: inquiry.latitude,
    longitude: inquiry.longitude,
    address: inquiry.address,
    language: inquiry.language,
    attributes: inquiry.attributes,
    media_urls: inquiry.mediaUrls,
    contact_name: inquiry.contact.name,
    contact_email: inquiry.contact.email,
    contact_phone: inquiry.contact.phone,
    sensitive: inquiry.category.sensitive,
    first_response_due_at: result.expectedFirstResponseAt,
    resolution_due_at: result.expectedResolutionAt,
    api_client_id: inquiry.apiClientId,
    created_at: result.createdAt,
    actor_kind: actorKind,
    event_data: eventData,
    queue: queueNames.routing,
    payload,
    demographic_groups: inquiry.demographics?.groups ?? null,
    consent_text_version: inquiry.demographics?.consentTextVersion ?? null,
    photos,
    idempotency_key_hash: idempotency ? idempotencyKeyHash(idempotency.key) : null,
    request_hash: idempotency?.requestHash ?? null,
    stored_result: stored,
  });

  const eventRow: CaseEventRow = {
    id: ids.eventId,
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
    id: ids.outboxId,
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
