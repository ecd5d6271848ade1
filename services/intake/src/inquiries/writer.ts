import type postgres from 'postgres';
import { TurnBatch } from '../turn-batch.ts';

/** One inquiry's rows as the statement reads them: column names, values ready for JSON. */
export interface InquiryRows {
  id: string;
  tenant_id: string;
  tracking_code: string;
  access_token_hash: string;
  channel: string;
  category_id: string;
  description: string;
  latitude: number | null;
  longitude: number | null;
  address: string | null;
  language: string;
  attributes: Record<string, unknown>;
  media_urls: string[];
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  sensitive: boolean;
  first_response_due_at: string | null;
  resolution_due_at: string | null;
  api_client_id: string | null;
  created_at: string;
  actor_kind: string;
  event_data: Record<string, unknown>;
  queue: string;
  payload: Record<string, unknown>;
  /** Demographic self-report: stored only when the groups are given. */
  demographic_groups: Record<string, string> | null;
  consent_text_version: string | null;
  photos: { storage_key: string; content_type: string; size_bytes: number; original_name: string | null }[];
  /** Idempotency key: stored only when the hash is given. */
  idempotency_key_hash: string | null;
  request_hash: string | null;
  stored_result: Record<string, unknown> | null;
}

export interface WrittenInquiry {
  eventId: number;
  outboxId: number;
}

/**
 * Every inquiry of the batch with everything that belongs to it: the case, its first (public)
 * event, the routing job in the outbox and, where given, the demographic profile, photos and
 * idempotency key. One statement, so one implicit transaction: all rows of the batch or none.
 */
const WRITE = `
  with input as (
    select * from jsonb_to_recordset($1::jsonb) as r(
      id uuid, tenant_id uuid, tracking_code text, access_token_hash text, channel text, category_id uuid,
      description text, latitude double precision, longitude double precision, address text, language text,
      attributes jsonb, media_urls text[], contact_name text, contact_email text, contact_phone text,
      sensitive boolean, first_response_due_at timestamptz, resolution_due_at timestamptz, api_client_id uuid,
      created_at timestamptz, actor_kind text, event_data jsonb, queue text, payload jsonb,
      demographic_groups jsonb, consent_text_version text, photos jsonb,
      idempotency_key_hash text, request_hash text, stored_result jsonb)
  ), new_case as (
    insert into cases (id, tenant_id, tracking_code, access_token_hash, channel, category_id, description,
      latitude, longitude, address, language, attributes, media_urls, contact_name, contact_email,
      contact_phone, sensitive, first_response_due_at, resolution_due_at, api_client_id, created_at, updated_at)
    select id, tenant_id, tracking_code, access_token_hash, channel, category_id, description,
      latitude, longitude, address, language, attributes, media_urls, contact_name, contact_email,
      contact_phone, sensitive, first_response_due_at, resolution_due_at, api_client_id, created_at, created_at
    from input
    returning id
  ), event as (
    insert into case_events (tenant_id, case_id, type, actor_kind, actor_id, visibility, data, created_at)
    select i.tenant_id, i.id, 'created', i.actor_kind, i.api_client_id, 'public', i.event_data, i.created_at
    from input i join new_case c on c.id = i.id
    returning id, case_id
  ), job as (
    insert into outbox (tenant_id, queue, job_name, payload, created_at)
    select i.tenant_id, i.queue, i.queue, i.payload, i.created_at
    from input i join new_case c on c.id = i.id
    returning id, (payload->>'caseId')::uuid as case_id
  ), profile as (
    insert into demographic_profiles (tenant_id, case_id, groups, consent_at, consent_text_version)
    select i.tenant_id, i.id, i.demographic_groups, i.created_at, i.consent_text_version
    from input i join new_case c on c.id = i.id
    where i.demographic_groups is not null
  ), photo as (
    insert into attachments (tenant_id, case_id, storage_key, content_type, size_bytes, original_name)
    select i.tenant_id, i.id, p.storage_key, p.content_type, p.size_bytes, p.original_name
    from input i join new_case c on c.id = i.id,
      jsonb_to_recordset(i.photos) as p(storage_key text, content_type text, size_bytes int, original_name text)
  ), idempotency as (
    insert into idempotency_keys (tenant_id, key, request_hash, case_id, response)
    select i.tenant_id, i.idempotency_key_hash, i.request_hash, i.id, i.stored_result
    from input i join new_case c on c.id = i.id
    where i.idempotency_key_hash is not null
  )
  select event.case_id, event.id as event_id, job.id as outbox_id from event join job using (case_id)`.replace(
  /\s+/g,
  ' ',
);

/** Inquiries per statement at most. */
const MAX_BATCH = 100;

interface Waiting {
  rows: InquiryRows;
  resolve: (written: WrittenInquiry) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes the inquiries submitted in the same turn of the event loop with one statement: one round
 * trip, one commit and one prepared statement with a single parameter for the batch, where one per
 * inquiry cost a socket write, a commit (WAL flush) and 31 parameters to encode each. Every inquiry
 * still has its case, event and outbox row in one transaction, and a request is answered only
 * after its batch has committed. When a batch fails (a duplicate tracking code or idempotency key,
 * a database outage), each of its inquiries is written again on its own, so one inquiry's
 * conflict never fails another and each caller gets its own error.
 */
export class InquiryWriter {
  private readonly batch = new TurnBatch<Waiting>((waiting) => {
    // Bounded, so a burst does not become one huge statement holding its locks for long.
    for (let i = 0; i < waiting.length; i += MAX_BATCH) void this.run(waiting.slice(i, i + MAX_BATCH));
  });

  constructor(private readonly sql: postgres.Sql) {}

  write(rows: InquiryRows): Promise<WrittenInquiry> {
    return new Promise((resolve, reject) => this.batch.add({ rows, resolve, reject }));
  }

  private async run(batch: Waiting[]): Promise<void> {
    let written: { case_id: string; event_id: string; outbox_id: string }[];
    try {
      written = await this.sql.unsafe(WRITE, [JSON.stringify(batch.map((w) => w.rows))], { prepare: true });
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const waiting of batch) void this.run([waiting]);
      return;
    }
    const byCase = new Map(written.map((row) => [row.case_id, row]));
    for (const waiting of batch) {
      const row = byCase.get(waiting.rows.id);
      if (row) waiting.resolve({ eventId: Number(row.event_id), outboxId: Number(row.outbox_id) });
      else waiting.reject(new Error(`inquiry ${waiting.rows.id} was not written`));
    }
  }
}
