import { randomUUID } from 'node:crypto';
import { deadline, loadCalendar, roundTheClock } from '@samtal/business-time';
import type { CaseUnit } from '@samtal/cases';
import { type Executor, schema } from '@samtal/db';
import type { Channel } from '@samtal/domain';
import { type FieldProblem, ValidationProblem } from '@samtal/http';
import { queueNames } from '@samtal/queue';
import { randomToken, sha256, trackingCode } from '@samtal/security';
import { and, eq } from 'drizzle-orm';

export interface NewContactCase {
  tenantId: string;
  channel: Extract<Channel, 'phone' | 'walk_in'>;
  categoryCode: string;
  description: string;
  language?: string | undefined;
  address?: string | null | undefined;
  latitude?: number | null | undefined;
  longitude?: number | null | undefined;
  attributes: Record<string, string | string[]>;
  contact: { name?: string | null; email?: string | null; phone?: string | null };
  /** The agent who took the contact; the case starts claimed by them. */
  agentId: string;
  /** Hand the case to the routing rules as intake does; false when the agent handles it directly. */
  dispatch: boolean;
}

type Category = typeof schema.categories.$inferSelect;

/** Checks attribute values against the category's Open311 attribute definitions. */
async function attributeProblems(
  db: Executor,
  category: Category,
  values: Record<string, string | string[]>,
): Promise<FieldProblem[]> {
  const definitions = await db
    .select()
    .from(schema.categoryAttributes)
    .where(
      and(
        eq(schema.categoryAttributes.tenantId, category.tenantId),
        eq(schema.categoryAttributes.categoryId, category.id),
      ),
    );
  const problems: FieldProblem[] = [];
  const byCode = new Map(definitions.map((d) => [d.code, d]));
  for (const code of Object.keys(values)) {
    if (!byCode.has(code))
      problems.push({ field: `attributes.${code}`, message: 'is not an attribute of this category' });
  }
  for (const d of definitions) {
    const value = values[d.code];
    if (value === undefined || value === '' || (Array.isArray(value) && !value.length)) {
      if (d.required && d.variable) problems.push({ field: `attributes.${d.code}`, message: 'is required' });
      continue;
    }
    const keys = new Set(d.values.map((v) => v.key));
    const given = Array.isArray(value) ? value : [value];
    if (d.datatype === 'singlevaluelist' && (Array.isArray(value) || !keys.has(value))) {
      problems.push({ field: `attributes.${d.code}`, message: `must be one of ${[...keys].join(', ')}` });
    } else if (d.datatype === 'multivaluelist' && given.some((v) => !keys.has(v))) {
      problems.push({
        field: `attributes.${d.code}`,
        message: `values must be among ${[...keys].join(', ')}`,
      });
    } else if (d.datatype === 'number' && (Array.isArray(value) || !Number.isFinite(Number(value)))) {
      problems.push({ field: `attributes.${d.code}`, message: 'must be a number' });
    }
  }
  return problems;
}

/** First-response and resolution due times from the category's SLA policy, in its business calendar. */
async function dueTimes(db: Executor, category: Category, timeZone: string, now: Date) {
  if (!category.slaPolicyId) return { firstResponse: null, resolution: null };
  const [policy] = await db
    .select()
    .from(schema.slaPolicies)
    .where(
      and(
        eq(schema.slaPolicies.tenantId, category.tenantId),
        eq(schema.slaPolicies.id, category.slaPolicyId),
      ),
    );
  if (!policy) return { firstResponse: null, resolution: null };
  const calendar = (await loadCalendar(db, category.tenantId, policy.calendarId)) ?? roundTheClock(timeZone);
  const targets = { warningShare: policy.warningShare, warningBeforeMinutes: policy.warningBeforeMinutes };
  return {
    firstResponse: deadline(calendar, now, policy.firstResponseMinutes, targets).dueAt,
    resolution: deadline(calendar, now, policy.resolutionMinutes, targets).dueAt,
  };
}

/**
 * A phone call or a visit, registered by an agent: a case like any that intake creates (tracking
 * code, hashed access token, SLA due times, a public `created` event, a routing job in the outbox),
 * with the channel recorded and the agent as its first claimant.
 */
export async function createContactCase(unit: CaseUnit, input: NewContactCase) {
  const { tx } = unit;
  const [tenant] = await tx.select().from(schema.tenants).where(eq(schema.tenants.id, input.tenantId));
  const [category] = await tx
    .select()
    .from(schema.categories)
    .where(
      and(
        eq(schema.categories.tenantId, input.tenantId),
        eq(schema.categories.code, input.categoryCode),
        eq(schema.categories.active, true),
      ),
    );
  if (!category) {
    throw new ValidationProblem([
      { field: 'categoryCode', message: 'is not an active category of this municipality' },
    ]);
  }
  const problems = await attributeProblems(tx, category, input.attributes);
  const language = input.language ?? tenant!.defaultLanguage;
  if (!tenant!.languages.includes(language)) {
    problems.push({ field: 'language', message: `must be one of ${tenant!.languages.join(', ')}` });
  }
  if (problems.length) throw new ValidationProblem(problems);

  const now = new Date();
  const due = await dueTimes(tx, category, tenant!.timeZone, now);
  const caseId = randomUUID();
  const accessToken = randomToken(24);
  const code = trackingCode();
  const [row] = await tx
    .insert(schema.cases)
    .values({
      id: caseId,
      tenantId: input.tenantId,
      trackingCode: code,
      accessTokenHash: sha256(accessToken),
      channel: input.channel,
      categoryId: category.id,
      description: input.description,
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
      address: input.address ?? null,
      language,
      attributes: input.attributes,
      contactName: input.contact.name ?? null,
      contactEmail: input.contact.email ?? null,
      contactPhone: input.contact.phone ?? null,
      sensitive: category.sensitive,
      claimedBy: input.agentId,
      claimedAt: now,
      firstResponseDueAt: due.firstResponse,
      resolutionDueAt: due.resolution,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await unit.record([
    {
      tenantId: input.tenantId,
      caseId,
      type: 'created',
      actor: { kind: 'staff', id: input.agentId },
      visibility: 'public',
      data: { channel: input.channel },
    },
  ]);
  if (input.dispatch) {
    await unit.enqueue([
      {
        tenantId: input.tenantId,
        queue: queueNames.routing,
        payload: { tenantId: input.tenantId, caseId, reason: 'created' },
      },
    ]);
  }
  return { row: row!, accessToken };
}
