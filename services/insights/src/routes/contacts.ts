import type { DbHandle } from '@samtal/db';
import { contactChannel } from '@samtal/domain';
import { type FieldProblem, invalidField, UnprocessableProblem, ValidationProblem } from '@samtal/http';
import { z } from 'zod';
import { parseCsv } from '../csv.ts';
import { insightsGuard, requireInsights } from '../plugins/auth.ts';
import { errorResponses, problem } from '../schemas.ts';
import type { InsightsRoutes } from './types.ts';

/**
 * Call (and chat) records from the telephony platform, so phone availability is measured like
 * chat. Idempotent on the platform's id: the unique index (tenant, channel, external_id) makes a
 * re-sent or re-imported record update the one row instead of counting the call twice.
 */

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const instant = z.preprocess(blankToUndefined, z.iso.datetime({ offset: true }).optional());

export const contactRecord = z.object({
  channel: z
    .preprocess(blankToUndefined, contactChannel.default('phone'))
    .describe('phone (default) or chat'),
  externalId: z.string().trim().min(1).max(200).describe("The telephony platform's id of the call"),
  queue: z
    .preprocess(blankToUndefined, z.string().trim().max(120).optional())
    .describe('Queue or hunt group'),
  agentEmail: z
    .preprocess(blankToUndefined, z.email().max(320).optional())
    .describe('E-mail of the staff member who answered; must be staff of this municipality'),
  offeredAt: z.iso
    .datetime({ offset: true })
    .describe('When the call reached the queue (ISO 8601 with offset)'),
  answeredAt: instant.describe('When an agent answered; empty if not answered'),
  abandonedAt: instant.describe('When the caller hung up unanswered; empty if answered'),
  endedAt: instant.describe('When the call ended'),
  wrapUpEndedAt: instant.describe('When after-call work ended (AHT runs to here when given)'),
});
export type ContactRecord = z.infer<typeof contactRecord>;

/** Rules across fields: the order of the timestamps, and answered xor abandoned. */
export function contactOrderProblems(c: ContactRecord): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const t = (v?: string) => (v ? Date.parse(v) : undefined);
  const offered = t(c.offeredAt)!;
  const answered = t(c.answeredAt);
  const abandoned = t(c.abandonedAt);
  const ended = t(c.endedAt);
  const wrapUp = t(c.wrapUpEndedAt);
  if (answered !== undefined && abandoned !== undefined) {
    problems.push({ field: 'abandonedAt', message: 'a call is either answered or abandoned, not both' });
  }
  if (answered !== undefined && answered < offered) {
    problems.push({ field: 'answeredAt', message: 'must not be before offeredAt' });
  }
  if (abandoned !== undefined && abandoned < offered) {
    problems.push({ field: 'abandonedAt', message: 'must not be before offeredAt' });
  }
  if (ended !== undefined && ended < (answered ?? offered)) {
    problems.push({
      field: 'endedAt',
      message: `must not be before ${answered !== undefined ? 'answeredAt' : 'offeredAt'}`,
    });
  }
  if (wrapUp !== undefined && (ended === undefined || wrapUp < ended)) {
    problems.push({ field: 'wrapUpEndedAt', message: 'needs endedAt and must not be before it' });
  }
  if (wrapUp !== undefined && answered === undefined) {
    problems.push({ field: 'wrapUpEndedAt', message: 'only an answered call has after-call work' });
  }
  return problems;
}

async function agentIds(db: DbHandle, tenantId: string, emails: string[]): Promise<Map<string, string>> {
  if (emails.length === 0) return new Map();
  const rows = await db.sql<{ id: string; email: string }[]>`
    select id, lower(email) as email from staff_users
     where tenant_id = ${tenantId} and lower(email) in ${db.sql(emails.map((e) => e.toLowerCase()))}`;
  return new Map(rows.map((r) => [r.email, r.id]));
}

/** Writes validated records in one transaction; returns how many were new and how many updated. */
async function upsertContacts(
  db: DbHandle,
  tenantId: string,
  records: (ContactRecord & { agentId: string | null })[],
): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  await db.sql.begin(async (tx) => {
    for (const r of records) {
      const [row] = await tx<{ inserted: boolean }[]>`
        insert into contacts (tenant_id, channel, queue, external_id, agent_id, offered_at, answered_at,
                              abandoned_at, ended_at, wrap_up_ended_at)
        values (${tenantId}, ${r.channel}, ${r.queue ?? null}, ${r.externalId}, ${r.agentId},
                ${r.offeredAt}, ${r.answeredAt ?? null}, ${r.abandonedAt ?? null}, ${r.endedAt ?? null},
                ${r.wrapUpEndedAt ?? null})
        on conflict (tenant_id, channel, external_id) do update set
          queue = excluded.queue, agent_id = excluded.agent_id, offered_at = excluded.offered_at,
          answered_at = excluded.answered_at, abandoned_at = excluded.abandoned_at,
          ended_at = excluded.ended_at, wrap_up_ended_at = excluded.wrap_up_ended_at
        returning (xmax = 0) as inserted`;
      if (row?.inserted) inserted++;
    }
  });
  return { inserted, updated: records.length - inserted };
}

/** CSV columns → record fields (snake_case as telephony exports usually name them). */
const CSV_COLUMNS: Record<string, keyof ContactRecord> = {
  external_id: 'externalId',
  channel: 'channel',
  queue: 'queue',
  agent_email: 'agentEmail',
  offered: 'offeredAt',
  answered: 'answeredAt',
  abandoned: 'abandonedAt',
  ended: 'endedAt',
  wrap_up_ended: 'wrapUpEndedAt',
};
const FIELD_TO_COLUMN = Object.fromEntries(Object.entries(CSV_COLUMNS).map(([c, f]) => [f, c]));
const REQUIRED_COLUMNS = ['external_id', 'offered'];
export const MAX_IMPORT_ROWS = 100_000;

const rejectedRow = z.object({ line: z.number().int(), field: z.string(), message: z.string() });

const importResult = z.object({
  rows: z.number().int().describe('Data rows read'),
  inserted: z.number().int(),
  updated: z.number().int().describe('Rows whose external id was already known (re-import)'),
  rejected: z.array(rejectedRow).describe('Rows not imported: line number in the file, column and reason'),
});

export const contactRoutes: InsightsRoutes = async (app, deps) => {
  app.post(
    '/v1/contacts',
    {
      onRequest: insightsGuard('insights.import'),
      schema: {
        summary: 'Record one call or chat from the telephony platform',
        description:
          'Idempotent on (channel, externalId): sending the same record again updates it and counts it once.',
        tags: ['contacts'],
        body: contactRecord,
        response: {
          200: z.object({ externalId: z.string(), created: z.boolean() }),
          201: z.object({ externalId: z.string(), created: z.boolean() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const staff = requireInsights(request, 'insights.import');
      const record = request.body;
      const problems = contactOrderProblems(record);
      if (problems.length) throw new ValidationProblem(problems);
      let agentId: string | null = null;
      if (record.agentEmail) {
        agentId =
          (await agentIds(deps.db, staff.tenantId, [record.agentEmail])).get(
            record.agentEmail.toLowerCase(),
          ) ?? null;
        if (!agentId)
          throw invalidField('agentEmail', 'no staff member with this e-mail in this municipality');
      }
      const { inserted } = await upsertContacts(deps.db, staff.tenantId, [{ ...record, agentId }]);
      return reply
        .code(inserted ? 201 : 200)
        .send({ externalId: record.externalId, created: inserted === 1 });
    },
  );

  app.post(
    '/v1/contacts/import',
    {
      onRequest: insightsGuard('insights.import'),
      schema: {
        summary: 'Import call records from a CSV file',
        description: [
          'Body: text/csv with a header row; `,` or `;` separated; UTF-8 (a BOM is fine).',
          'Columns: external_id and offered (required), answered, abandoned, ended, queue, agent_email,',
          'channel (phone or chat, default phone), wrap_up_ended. Times are ISO 8601 with an offset,',
          'e.g. 2026-03-09T08:00:15+01:00. Every row is validated; rejected rows are reported with their',
          'line number and column. mode=all_or_nothing (default) imports nothing when any row is rejected',
          '(422 listing them); mode=skip_invalid imports the valid rows and reports the rest.',
          'Idempotent on external_id: importing the same file twice changes nothing.',
        ].join(' '),
        tags: ['contacts'],
        consumes: ['text/csv'],
        querystring: z.object({ mode: z.enum(['all_or_nothing', 'skip_invalid']).default('all_or_nothing') }),
        body: z.string().min(1, 'the CSV file is empty'),
        response: { 200: importResult, 422: problem, ...errorResponses },
      },
    },
    async (request) => {
      const staff = requireInsights(request, 'insights.import');
      const { header, records } = parseCsvOr400(request.body);
      const unknown = header.filter((h) => !(h in CSV_COLUMNS));
      if (unknown.length) throw invalidField('(header)', `unknown columns: ${unknown.join(', ')}`);
      const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
      if (missing.length) throw invalidField('(header)', `missing columns: ${missing.join(', ')}`);
      if (records.length > MAX_IMPORT_ROWS) {
        throw invalidField('(body)', `at most ${MAX_IMPORT_ROWS} rows per file; split the file`);
      }
      const rejected: z.infer<typeof rejectedRow>[] = [];
      const valid: { line: number; record: ContactRecord }[] = [];
      const seen = new Map<string, number>();
      for (const row of records) {
        if (row.problem) {
          rejected.push({ line: row.line, field: '(row)', message: row.problem });
          continue;
        }
        const raw = Object.fromEntries(Object.entries(row.values).map(([c, v]) => [CSV_COLUMNS[c]!, v]));
        const parsed = contactRecord.safeParse(raw);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            const field = String(issue.path[0] ?? '(row)');
            rejected.push({ line: row.line, field: FIELD_TO_COLUMN[field] ?? field, message: issue.message });
          }
          continue;
        }
        const order = contactOrderProblems(parsed.data);
        if (order.length) {
          for (const p of order)
            rejected.push({ line: row.line, field: FIELD_TO_COLUMN[p.field]!, message: p.message });
          continue;
        }
        const key = `${parsed.data.channel}:${parsed.data.externalId}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          rejected.push({ line: row.line, field: 'external_id', message: `repeats line ${earlier}` });
          continue;
        }
        seen.set(key, row.line);
        valid.push({ line: row.line, record: parsed.data });
      }
      const agents = await agentIds(deps.db, staff.tenantId, [
        ...new Set(valid.flatMap((v) => (v.record.agentEmail ? [v.record.agentEmail] : []))),
      ]);
      const ready: (ContactRecord & { agentId: string | null })[] = [];
      for (const { line, record } of valid) {
        const agentId = record.agentEmail ? agents.get(record.agentEmail.toLowerCase()) : null;
        if (agentId === undefined) {
          rejected.push({
            line,
            field: 'agent_email',
            message: 'no staff member with this e-mail in this municipality',
          });
          continue;
        }
        ready.push({ ...record, agentId });
      }
      rejected.sort((a, b) => a.line - b.line);
      deps.metrics.importedRows.inc({ import: 'contacts', outcome: 'rejected' }, rejected.length);
      if (rejected.length && request.query.mode === 'all_or_nothing') {
        throw new UnprocessableProblem(`${rejected.length} row(s) rejected; nothing was imported`, {
          errors: rejected.map((r) => ({ field: `line ${r.line}: ${r.field}`, message: r.message })),
          rejected,
        });
      }
      const { inserted, updated } = await upsertContacts(deps.db, staff.tenantId, ready);
      deps.metrics.importedRows.inc({ import: 'contacts', outcome: 'imported' }, ready.length);
      return { rows: records.length, inserted, updated, rejected };
    },
  );
};

export function parseCsvOr400(body: string) {
  try {
    return parseCsv(body);
  } catch (error) {
    throw invalidField('(body)', (error as Error).message);
  }
}
