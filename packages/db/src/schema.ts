/**
 * The whole Samtal data model (DESIGN.md §3). Column names are camelCase here and snake_case in
 * PostgreSQL (`casing: 'snake_case'` in the client and in drizzle-kit).
 *
 * Rules every table follows:
 * - tenant-owned rows carry `tenant_id`, and every index on such a table starts with it;
 * - enumerations are `text` checked by zod in `@samtal/domain`, so adding a value needs no migration;
 * - times are `timestamptz`; durations are whole business minutes unless the name says otherwise.
 */
import { type AnyColumn, type SQL, sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const id = () => uuid().primaryKey().defaultRandom();
const tenantId = () =>
  uuid()
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });
const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();
const at = () => timestamp({ withTimezone: true });
/** Raw bytes (drizzle's pg-core has no bytea of its own). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Localised text: `{ "sv": "…", "en": "…", "zh-CN": "…" }`. */
export type Localised = Record<string, string>;

// ─── Tenants and their calendars ────────────────────────────────────────────────────────────────

export const tenants = pgTable('tenants', {
  id: id(),
  slug: text().notNull().unique(),
  name: text().notNull(),
  timeZone: text().notNull(),
  languages: text().array().notNull(),
  defaultLanguage: text().notNull(),
  /** Small-cell suppression threshold k for every statistic of this tenant. */
  smallCellK: integer().notNull().default(5),
  /** Days after resolution in which a dissatisfied resident may ask for re-handling. */
  reopenWindowDays: integer().notNull().default(14),
  /** Business minutes after routing in which a department may return a mis-routed case. */
  returnLimitMinutes: integer()
    .notNull()
    .default(8 * 60),
  /** Hide the names of handlers from residents (public timeline shows the department only). */
  hideHandlerNames: boolean().notNull().default(true),
  /** Origins allowed to call the public APIs from a browser. */
  corsOrigins: text().array().notNull().default(sql`'{}'::text[]`),
  duplicateRadiusMetres: integer().notNull().default(50),
  duplicateWindowHours: integer().notNull().default(72),
  /** Lets partner municipalities that also opt in see this tenant's aggregated indicators. */
  partnerComparison: boolean().notNull().default(false),
  createdAt: createdAt(),
});

export const businessCalendars = pgTable(
  'business_calendars',
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    /** IANA zone, e.g. Europe/Stockholm; business time is counted in local wall-clock time. */
    timeZone: text().notNull(),
    /** ISO weekday (1 = Monday … 7 = Sunday) → opening intervals "HH:MM"–"HH:MM". */
    openingHours: jsonb().$type<Record<string, { open: string; close: string }[]>>().notNull(),
    isDefault: boolean().notNull().default(false),
  },
  (t) => [index('business_calendars_tenant_idx').on(t.tenantId)],
);

export const calendarHolidays = pgTable(
  'calendar_holidays',
  {
    tenantId: tenantId(),
    calendarId: uuid()
      .notNull()
      .references(() => businessCalendars.id, { onDelete: 'cascade' }),
    day: date().notNull(),
    name: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.calendarId, t.day] })],
);

export const districts = pgTable(
  'districts',
  {
    id: id(),
    tenantId: tenantId(),
    code: text().notNull(),
    name: text().notNull(),
    /** GeoJSON Polygon or MultiPolygon (WGS84) for point-in-polygon routing. */
    boundary: jsonb().$type<{ type: 'Polygon' | 'MultiPolygon'; coordinates: unknown }>(),
  },
  (t) => [uniqueIndex('districts_tenant_code_uq').on(t.tenantId, t.code)],
);

// ─── Organisation ───────────────────────────────────────────────────────────────────────────────

export const departments = pgTable(
  'departments',
  {
    id: id(),
    tenantId: tenantId(),
    code: text().notNull(),
    name: text().notNull(),
    /** `contact_centre` owns the triage queue; everything else is a handling department. */
    kind: text().notNull().default('department'),
    email: text(),
    calendarId: uuid().references(() => businessCalendars.id),
    active: boolean().notNull().default(true),
  },
  (t) => [uniqueIndex('departments_tenant_code_uq').on(t.tenantId, t.code)],
);

export const staffUsers = pgTable(
  'staff_users',
  {
    id: id(),
    tenantId: tenantId(),
    email: text().notNull(),
    displayName: text().notNull(),
    passwordHash: text().notNull(),
    /** agent, department_officer, supervisor, manager, dialogue_facilitator, admin */
    roles: text().array().notNull(),
    active: boolean().notNull().default(true),
    failedSignIns: integer().notNull().default(0),
    lockedUntil: at(),
    /** Bumped by "sign out everywhere"; sessions issued before it are void. */
    sessionsValidAfter: at(),
    passwordChangedAt: at(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('staff_users_tenant_email_uq').on(t.tenantId, sql`lower(${t.email})`)],
);

export const staffSessions = pgTable(
  'staff_sessions',
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid()
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    /** SHA-256 of the session token; the token itself lives only in the cookie. */
    tokenHash: text().notNull().unique(),
    csrfToken: text().notNull(),
    ip: text(),
    userAgent: text(),
    createdAt: createdAt(),
    lastSeenAt: at(),
    expiresAt: at().notNull(),
    revokedAt: at(),
  },
  (t) => [index('staff_sessions_tenant_user_idx').on(t.tenantId, t.userId)],
);

export const departmentMemberships = pgTable(
  'department_memberships',
  {
    tenantId: tenantId(),
    userId: uuid()
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    departmentId: uuid()
      .notNull()
      .references(() => departments.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.departmentId] }),
    index('department_memberships_tenant_department_idx').on(t.tenantId, t.departmentId),
  ],
);

/** Presence intervals (available / busy / away / offline); an open interval has no `endedAt`. */
export const staffPresence = pgTable(
  'staff_presence',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    tenantId: tenantId(),
    userId: uuid()
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    status: text().notNull(),
    startedAt: at().notNull().defaultNow(),
    endedAt: at(),
  },
  (t) => [
    index('staff_presence_tenant_user_idx').on(t.tenantId, t.userId, t.startedAt),
    index('staff_presence_tenant_started_idx').on(t.tenantId, t.startedAt),
    // Intervals that end after a period starts (insights occupancy): without it a 30-day query read
    // every presence row ever written (360 ms over a million rows; 40–60 ms with it).
    index('staff_presence_tenant_ended_idx').on(
      t.tenantId,
      sql`coalesce(${t.endedAt}, 'infinity'::timestamptz)`,
    ),
  ],
);

// ─── Categories, SLAs, routing ──────────────────────────────────────────────────────────────────

export const slaPolicies = pgTable(
  'sla_policies',
  {
    id: id(),
    tenantId: tenantId(),
    code: text().notNull(),
    name: text().notNull(),
    calendarId: uuid().references(() => businessCalendars.id),
    firstResponseMinutes: integer().notNull(),
    resolutionMinutes: integer().notNull(),
    /** Yellow card at this share of the target (e.g. 0.75) … */
    warningShare: numeric({ precision: 4, scale: 3, mode: 'number' }),
    /** … or this many business minutes before the deadline, whichever comes first. */
    warningBeforeMinutes: integer(),
  },
  (t) => [uniqueIndex('sla_policies_tenant_code_uq').on(t.tenantId, t.code)],
);

export const categories = pgTable(
  'categories',
  {
    id: id(),
    tenantId: tenantId(),
    /** Open311 service_code. */
    code: text().notNull(),
    names: jsonb().$type<Localised>().notNull(),
    descriptions: jsonb().$type<Localised>().notNull().default({}),
    /** Open311 `group`. */
    groupName: text(),
    keywords: text().array().notNull().default(sql`'{}'::text[]`),
    defaultDepartmentId: uuid().references(() => departments.id),
    slaPolicyId: uuid().references(() => slaPolicies.id),
    /** Sensitive categories (e.g. gender-based violence) are visible only to named handlers. */
    sensitive: boolean().notNull().default(false),
    active: boolean().notNull().default(true),
    sortOrder: integer().notNull().default(0),
  },
  (t) => [uniqueIndex('categories_tenant_code_uq').on(t.tenantId, t.code)],
);

/** Open311 attribute definitions of a category. */
export const categoryAttributes = pgTable(
  'category_attributes',
  {
    id: id(),
    tenantId: tenantId(),
    categoryId: uuid()
      .notNull()
      .references(() => categories.id, { onDelete: 'cascade' }),
    code: text().notNull(),
    /** string, number, datetime, text, singlevaluelist, multivaluelist */
    datatype: text().notNull(),
    /** false: informational only (Open311 `variable`). */
    variable: boolean().notNull().default(true),
    required: boolean().notNull().default(false),
    descriptions: jsonb().$type<Localised>().notNull(),
    datatypeDescription: text(),
    sortOrder: integer().notNull().default(0),
    values: jsonb().$type<{ key: string; names: Localised }[]>().notNull().default([]),
  },
  (t) => [uniqueIndex('category_attributes_tenant_category_code_uq').on(t.tenantId, t.categoryId, t.code)],
);

export const routingRules = pgTable(
  'routing_rules',
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    /** Lower runs first. */
    position: integer().notNull(),
    active: boolean().notNull().default(true),
    /** Every present condition must hold: categories, districts, keywords, languages, channels. */
    conditions: jsonb()
      .$type<{
        categories?: string[];
        districts?: string[];
        keywords?: string[];
        languages?: string[];
        channels?: string[];
      }>()
      .notNull(),
    leadDepartmentId: uuid()
      .notNull()
      .references(() => departments.id),
    assistingDepartmentIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
    priority: text(),
  },
  (t) => [index('routing_rules_tenant_position_idx').on(t.tenantId, t.position)],
);

// ─── Cases ──────────────────────────────────────────────────────────────────────────────────────

export const apiClients = pgTable(
  'api_clients',
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    /** SHA-256 of the Open311 api_key; the key is shown once when created. */
    keyHash: text().notNull().unique(),
    keyPrefix: text().notNull(),
    active: boolean().notNull().default(true),
    createdAt: createdAt(),
    revokedAt: at(),
  },
  (t) => [index('api_clients_tenant_idx').on(t.tenantId)],
);

export const cases = pgTable(
  'cases',
  {
    id: id(),
    tenantId: tenantId(),
    /** Short, random, not sequential; what the resident quotes. */
    trackingCode: text().notNull(),
    /** SHA-256 of the resident's access token. */
    accessTokenHash: text().notNull(),
    channel: text().notNull(),
    categoryId: uuid()
      .notNull()
      .references(() => categories.id),
    description: text().notNull(),
    latitude: doublePrecision(),
    longitude: doublePrecision(),
    address: text(),
    districtId: uuid().references(() => districts.id),
    language: text().notNull(),
    attributes: jsonb().$type<Record<string, string | string[]>>().notNull().default({}),
    mediaUrls: text().array().notNull().default(sql`'{}'::text[]`),
    contactName: text(),
    contactEmail: text(),
    contactPhone: text(),
    status: text().notNull().default('new'),
    priority: text().notNull().default('normal'),
    sensitive: boolean().notNull().default(false),
    leadDepartmentId: uuid().references(() => departments.id),
    /** The agent or officer who has claimed the case (collision detection). */
    claimedBy: uuid().references(() => staffUsers.id),
    claimedAt: at(),
    firstResponseDueAt: at(),
    resolutionDueAt: at(),
    firstRespondedAt: at(),
    resolvedAt: at(),
    closedAt: at(),
    resolutionCode: text(),
    /** Resolved in the first contact, without routing. */
    firstContactResolution: boolean().notNull().default(false),
    /** Business minutes the SLA clock has spent paused (waiting on the resident). */
    slaPausedMinutes: integer().notNull().default(0),
    slaPausedAt: at(),
    returnCount: integer().notNull().default(0),
    reopenCount: integer().notNull().default(0),
    /** Set when merged into another case as a duplicate. */
    parentCaseId: uuid(),
    /** Likely duplicate of this case (flagged by the router, confirmed by an agent's merge). */
    duplicateOfCaseId: uuid(),
    apiClientId: uuid().references(() => apiClients.id),
    /** When retention anonymised the personal data. */
    anonymisedAt: at(),
    createdAt: createdAt(),
    updatedAt: at().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('cases_tenant_tracking_code_uq').on(t.tenantId, t.trackingCode),
    index('cases_tenant_created_idx').on(t.tenantId, t.createdAt),
    index('cases_tenant_status_idx').on(t.tenantId, t.status),
    // Partial where the column is often null (every new case has no department and no parent,
    // many residents give no e-mail or phone): every query on them asks for a value, so rows
    // without one need no index entry, and an inquiry writes three to four fewer index entries.
    index('cases_tenant_lead_department_idx')
      .on(t.tenantId, t.leadDepartmentId, t.status)
      .where(sql`${t.leadDepartmentId} is not null`),
    index('cases_tenant_category_created_idx').on(t.tenantId, t.categoryId, t.createdAt),
    index('cases_tenant_parent_idx').on(t.tenantId, t.parentCaseId).where(sql`${t.parentCaseId} is not null`),
    index('cases_tenant_contact_email_idx')
      .on(t.tenantId, sql`lower(${t.contactEmail})`)
      .where(sql`${t.contactEmail} is not null`),
    // The expression the subject-access lookup (packages/privacy findResident) compares, so a
    // search by phone number uses it; an index on the raw column served no query.
    index('cases_tenant_contact_phone_idx')
      .on(t.tenantId, sql`regexp_replace(${t.contactPhone}, '[^0-9+]', '', 'g')`)
      .where(sql`${t.contactPhone} is not null`),
    // What changed since the insights rollups' last refresh (services/insights rollups.ts): without
    // these, that question was a sequential scan of every case (6.8 s over 10 M, every 5 minutes).
    index('cases_tenant_updated_idx').on(t.tenantId, t.updatedAt),
    // Deadlines still running: only these change an SLA outcome without a write. Partial, so they
    // hold the open work, not the history.
    index('cases_tenant_first_response_due_open_idx')
      .on(t.tenantId, t.firstResponseDueAt)
      .where(sql`${t.firstRespondedAt} is null`),
    index('cases_tenant_resolution_due_open_idx')
      .on(t.tenantId, t.resolutionDueAt)
      .where(sql`${t.resolvedAt} is null`),
    // The backlog (insights fetchBacklog) as an index-only scan of the open cases, also when
    // filtered by channel, category or lead department: 385 → 30–50 ms over 10 M cases, 91,000 open.
    // The status list must stay word for word the query's, or the planner cannot use the index.
    index('cases_tenant_open_created_idx')
      .on(t.tenantId, t.createdAt, t.channel, t.categoryId, t.leadDepartmentId)
      .where(
        sql`${t.parentCaseId} is null and ${t.status} in ('new', 'routed', 'accepted', 'in_progress', 'waiting_on_resident', 'returned', 'reopened')`,
      ),
  ],
);

export const caseAssistingDepartments = pgTable(
  'case_assisting_departments',
  {
    tenantId: tenantId(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    departmentId: uuid()
      .notNull()
      .references(() => departments.id),
    contribution: text(),
    contributedAt: at(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.caseId, t.departmentId] })],
);

/**
 * Append-only history of a case: the audit trail, the source of live updates (ids increase, so a
 * client resumes from the last id it saw) and the raw material of metrics.
 */
export const caseEvents = pgTable(
  'case_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    tenantId: tenantId(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    type: text().notNull(),
    /** resident, staff, system, api_client */
    actorKind: text().notNull(),
    actorId: uuid(),
    /** public events appear on the resident's timeline; internal ones only on the desk. */
    visibility: text().notNull().default('internal'),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index('case_events_tenant_case_idx').on(t.tenantId, t.caseId, t.id),
    index('case_events_tenant_type_created_idx').on(t.tenantId, t.type, t.createdAt),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: id(),
    tenantId: tenantId(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    /** to_resident, from_resident, internal_note */
    direction: text().notNull(),
    body: text().notNull(),
    authorStaffId: uuid().references(() => staffUsers.id),
    departmentId: uuid().references(() => departments.id),
    knowledgeArticleId: uuid(),
    createdAt: createdAt(),
  },
  (t) => [index('messages_tenant_case_idx').on(t.tenantId, t.caseId, t.createdAt)],
);

export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    tenantId: tenantId(),
    caseId: uuid().references(() => cases.id, { onDelete: 'cascade' }),
    dialogueId: uuid(),
    messageId: uuid().references(() => messages.id, { onDelete: 'set null' }),
    /** Key in the storage backend (disk path relative to the upload root). */
    storageKey: text().notNull(),
    contentType: text().notNull(),
    sizeBytes: integer().notNull(),
    originalName: text(),
    createdAt: createdAt(),
  },
  (t) => [
    index('attachments_tenant_case_idx').on(t.tenantId, t.caseId),
    index('attachments_tenant_dialogue_idx').on(t.tenantId, t.dialogueId),
  ],
);

/** One rating per case (12345 "return visit"). */
export const feedback = pgTable(
  'feedback',
  {
    tenantId: tenantId(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    rating: smallint().notNull(),
    comment: text(),
    requestedRehandling: boolean().notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.caseId] }),
    index('feedback_tenant_created_idx').on(t.tenantId, t.createdAt),
  ],
);

/** A retried submit with the same Idempotency-Key returns the case it created the first time. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: tenantId(),
    key: text().notNull(),
    requestHash: text().notNull(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    response: jsonb().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
);

/** One synchronous attempt on a channel (chat, phone): the data behind service level, ASA, abandonment. */
export const contacts = pgTable(
  'contacts',
  {
    id: id(),
    tenantId: tenantId(),
    channel: text().notNull(),
    queue: text(),
    /** Id in the telephony platform, so a re-imported call record is not counted twice. */
    externalId: text(),
    caseId: uuid().references(() => cases.id, { onDelete: 'set null' }),
    agentId: uuid().references(() => staffUsers.id),
    offeredAt: at().notNull(),
    answeredAt: at(),
    abandonedAt: at(),
    endedAt: at(),
    /** End of after-contact work; AHT runs from answer to here (or to `endedAt`). */
    wrapUpEndedAt: at(),
    createdAt: createdAt(),
  },
  (t) => [
    index('contacts_tenant_offered_idx').on(t.tenantId, t.offeredAt),
    // Contacts recorded since the insights rollups' last refresh (late records of old calls too).
    index('contacts_tenant_created_idx').on(t.tenantId, t.createdAt),
    uniqueIndex('contacts_tenant_external_uq').on(t.tenantId, t.channel, t.externalId),
  ],
);

// ─── Demographics and baselines ─────────────────────────────────────────────────────────────────

/** The dimensions a tenant asks about, with their groups (an "unknown" group is always implied). */
export const demographicDimensions = pgTable(
  'demographic_dimensions',
  {
    tenantId: tenantId(),
    code: text().notNull(),
    names: jsonb().$type<Localised>().notNull(),
    groups: jsonb().$type<{ code: string; names: Localised }[]>().notNull(),
    sortOrder: integer().notNull().default(0),
    active: boolean().notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.code] })],
);

/**
 * Voluntary self-reported demographics, kept apart from case and identity data and read only by
 * aggregate statistics. Linked to exactly one subject: a case, a dialogue participation or a
 * survey response.
 */
export const demographicProfiles = pgTable(
  'demographic_profiles',
  {
    id: id(),
    tenantId: tenantId(),
    caseId: uuid().references(() => cases.id, { onDelete: 'cascade' }),
    participationId: uuid(),
    surveyResponseId: uuid(),
    /** dimension code → group code; a missing dimension means "unknown / prefer not to say". */
    groups: jsonb().$type<Record<string, string>>().notNull(),
    consentAt: at().notNull(),
    consentTextVersion: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('demographic_profiles_tenant_case_uq').on(t.tenantId, t.caseId),
    index('demographic_profiles_tenant_participation_idx').on(t.tenantId, t.participationId),
    index('demographic_profiles_tenant_survey_response_idx').on(t.tenantId, t.surveyResponseId),
  ],
);

export const populationBaselines = pgTable(
  'population_baselines',
  {
    tenantId: tenantId(),
    year: integer().notNull(),
    dimension: text().notNull(),
    groupCode: text().notNull(),
    population: bigint({ mode: 'number' }).notNull(),
    source: text(),
    importedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.year, t.dimension, t.groupCode] })],
);

// ─── Residents' dialogues ───────────────────────────────────────────────────────────────────────

export const dialogues = pgTable(
  'dialogues',
  {
    id: id(),
    tenantId: tenantId(),
    title: text().notNull(),
    question: text().notNull(),
    purpose: text().notNull(),
    method: text().notNull(),
    /** planned → open → closed → reported */
    status: text().notNull().default('planned'),
    /** dimension → group → target share (0–1). */
    targetGroups: jsonb().$type<Record<string, Record<string, number>>>().notNull().default({}),
    sessions: jsonb()
      .$type<{ place: string; startsAt: string; endsAt?: string; capacity?: number }[]>()
      .notNull()
      .default([]),
    partners: text().array().notNull().default(sql`'{}'::text[]`),
    languages: text().array().notNull(),
    /** How it was run, materials, what worked — so another municipality can reuse the method. */
    methodDocumentation: jsonb()
      .$type<{ howItWasRun?: string; materials?: string; whatWorked?: string; whatDidNot?: string }>()
      .notNull()
      .default({}),
    isTemplate: boolean().notNull().default(false),
    templateId: uuid(),
    /** Stated total attendance of the venue; aggregate counts may not exceed it. */
    venueTotal: integer(),
    openedAt: at(),
    closedAt: at(),
    reportedAt: at(),
    createdBy: uuid().references(() => staffUsers.id),
    createdAt: createdAt(),
    /** The title, question and purpose in other languages (the columns above hold the default language). */
    translations: jsonb()
      .$type<Record<string, { title?: string; question?: string; purpose?: string }>>()
      .notNull()
      .default({}),
  },
  (t) => [index('dialogues_tenant_status_idx').on(t.tenantId, t.status)],
);

/**
 * Either one registered individual (`count` = 1, demographics in demographic_profiles) or a
 * facilitator's aggregate count for one demographic group from a paper sign-in sheet.
 */
export const participations = pgTable(
  'participations',
  {
    id: id(),
    tenantId: tenantId(),
    dialogueId: uuid()
      .notNull()
      .references(() => dialogues.id, { onDelete: 'cascade' }),
    kind: text().notNull(),
    count: integer().notNull().default(1),
    /** For aggregates: dimension → group the count belongs to. */
    groups: jsonb().$type<Record<string, string>>().notNull().default({}),
    name: text(),
    email: text(),
    phone: text(),
    language: text(),
    recordedBy: uuid().references(() => staffUsers.id),
    createdAt: createdAt(),
    /** SHA-256 of the token a self-registered resident uses to contribute and answer as themself. */
    accessTokenHash: text(),
  },
  (t) => [
    index('participations_tenant_dialogue_idx').on(t.tenantId, t.dialogueId),
    index('participations_tenant_email_idx').on(t.tenantId, sql`lower(${t.email})`),
  ],
);

export const contributions = pgTable(
  'contributions',
  {
    id: id(),
    tenantId: tenantId(),
    dialogueId: uuid()
      .notNull()
      .references(() => dialogues.id, { onDelete: 'cascade' }),
    participationId: uuid().references(() => participations.id, { onDelete: 'set null' }),
    /** participant, anonymous, facilitator */
    source: text().notNull(),
    /** idea, concern, question, proposal, vote */
    kind: text().notNull(),
    body: text().notNull(),
    themes: text().array().notNull().default(sql`'{}'::text[]`),
    language: text(),
    /** Self-reported group of an anonymous contributor or a recorded speaker. */
    groups: jsonb().$type<Record<string, string>>().notNull().default({}),
    speakingSeconds: integer(),
    recordedBy: uuid().references(() => staffUsers.id),
    createdAt: createdAt(),
  },
  (t) => [index('contributions_tenant_dialogue_idx').on(t.tenantId, t.dialogueId, t.createdAt)],
);

export const outcomes = pgTable(
  'outcomes',
  {
    id: id(),
    tenantId: tenantId(),
    dialogueId: uuid()
      .notNull()
      .references(() => dialogues.id, { onDelete: 'cascade' }),
    /** decision, action */
    kind: text().notNull(),
    titles: jsonb().$type<Localised>().notNull(),
    descriptions: jsonb().$type<Localised>().notNull().default({}),
    decidedAt: at(),
    createdAt: createdAt(),
  },
  (t) => [index('outcomes_tenant_dialogue_idx').on(t.tenantId, t.dialogueId)],
);

export const outcomeLinks = pgTable(
  'outcome_links',
  {
    tenantId: tenantId(),
    outcomeId: uuid()
      .notNull()
      .references(() => outcomes.id, { onDelete: 'cascade' }),
    contributionId: uuid()
      .notNull()
      .references(() => contributions.id, { onDelete: 'cascade' }),
    /** taken, partly, not_taken */
    response: text().notNull(),
    reason: text(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.outcomeId, t.contributionId] }),
    index('outcome_links_tenant_contribution_idx').on(t.tenantId, t.contributionId),
  ],
);

export const surveyQuestions = pgTable(
  'survey_questions',
  {
    id: id(),
    tenantId: tenantId(),
    dialogueId: uuid()
      .notNull()
      .references(() => dialogues.id, { onDelete: 'cascade' }),
    position: integer().notNull(),
    /** single_choice, multiple_choice, scale, free_text */
    kind: text().notNull(),
    prompts: jsonb().$type<Localised>().notNull(),
    options: jsonb().$type<{ key: string; names: Localised }[]>().notNull().default([]),
    scaleMin: integer(),
    scaleMax: integer(),
    required: boolean().notNull().default(false),
    /** Set for a voluntary demographic question: answers go to a demographic profile. */
    demographicDimension: text(),
  },
  (t) => [index('survey_questions_tenant_dialogue_idx').on(t.tenantId, t.dialogueId, t.position)],
);

export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: id(),
    tenantId: tenantId(),
    dialogueId: uuid()
      .notNull()
      .references(() => dialogues.id, { onDelete: 'cascade' }),
    participationId: uuid().references(() => participations.id, { onDelete: 'set null' }),
    language: text(),
    createdAt: createdAt(),
  },
  (t) => [index('survey_responses_tenant_dialogue_idx').on(t.tenantId, t.dialogueId)],
);

export const surveyAnswers = pgTable(
  'survey_answers',
  {
    tenantId: tenantId(),
    responseId: uuid()
      .notNull()
      .references(() => surveyResponses.id, { onDelete: 'cascade' }),
    questionId: uuid()
      .notNull()
      .references(() => surveyQuestions.id, { onDelete: 'cascade' }),
    value: jsonb().$type<string | number | string[]>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.responseId, t.questionId] }),
    index('survey_answers_tenant_question_idx').on(t.tenantId, t.questionId),
  ],
);

// ─── Knowledge base ─────────────────────────────────────────────────────────────────────────────

/**
 * Language tag → PostgreSQL text-search configuration (stemming, stop words). Languages without
 * one (zh-CN, so, …) fall back to `simple`, which only lower-cases. Every name here exists in a
 * stock PostgreSQL 13+ (`select cfgname from pg_ts_config`).
 */
export const textSearchConfigs: Record<string, string> = {
  sv: 'swedish',
  en: 'english',
  da: 'danish',
  nb: 'norwegian',
  nn: 'norwegian',
  no: 'norwegian',
  fi: 'finnish',
  de: 'german',
  nl: 'dutch',
  fr: 'french',
  es: 'spanish',
  pt: 'portuguese',
  it: 'italian',
  ru: 'russian',
  ar: 'arabic',
  tr: 'turkish',
  el: 'greek',
  hu: 'hungarian',
  ro: 'romanian',
  lt: 'lithuanian',
  id: 'indonesian',
  hi: 'hindi',
  ta: 'tamil',
  ne: 'nepali',
};

/** `regconfig` for a language tag (a column or a parameter), as an immutable SQL expression. */
export function textSearchConfig(language: AnyColumn | SQL): SQL {
  const cases = Object.entries(textSearchConfigs).map(
    ([tag, config]) => sql`when ${sql.raw(`'${tag}'`)} then ${sql.raw(`'${config}'::regconfig`)}`,
  );
  return sql`(case split_part(${language}, '-', 1) ${sql.join(cases, sql` `)} else 'simple'::regconfig end)`;
}

/** The searchable document of an article: title weighted above body, in the article's language. */
export function knowledgeDocument(t: { language: AnyColumn; title: AnyColumn; body: AnyColumn }): SQL {
  const config = textSearchConfig(t.language);
  return sql`(setweight(to_tsvector(${config}, ${t.title}), 'A') || setweight(to_tsvector(${config}, ${t.body}), 'B'))`;
}

/** Each edit is a new row (version + 1); the newest version of an article key is the live one. */
export const knowledgeArticles = pgTable(
  'knowledge_articles',
  {
    id: id(),
    tenantId: tenantId(),
    articleKey: text().notNull(),
    language: text().notNull(),
    version: integer().notNull(),
    title: text().notNull(),
    body: text().notNull(),
    createdBy: uuid().references(() => staffUsers.id),
    createdAt: createdAt(),
    /** Set on the newest version when the article is withdrawn; a new version (an edit) is live again. */
    archivedAt: at(),
  },
  (t) => [
    uniqueIndex('knowledge_articles_tenant_key_lang_version_uq').on(
      t.tenantId,
      t.articleKey,
      t.language,
      t.version,
    ),
    // Full-text search within a tenant (btree_gin lets a GIN index start with tenant_id, like every
    // other index); queries must use `knowledgeDocument` verbatim for the planner to use it.
    index('knowledge_articles_search_idx').using('gin', t.tenantId, knowledgeDocument(t)),
  ],
);

// ─── Plumbing: outbox, audit ────────────────────────────────────────────────────────────────────

/**
 * Jobs that must reach a queue are written here in the same transaction as the change that causes
 * them, then relayed to BullMQ with the outbox id as job id (so a relay retried twice adds one job).
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    tenantId: tenantId(),
    queue: text().notNull(),
    jobName: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    /** Delayed jobs (SLA timers) become due at this time. */
    runAt: at(),
    createdAt: createdAt(),
    sentAt: at(),
    attempts: integer().notNull().default(0),
    lastError: text(),
  },
  // The one index that does not start with tenant_id: the relay sweeps unsent rows of every tenant.
  (t) => [index('outbox_unsent_idx').on(t.id).where(sql`${t.sentAt} is null`)],
);

/** Append-only: who did what to which record, when, from where. Never holds erased data. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    tenantId: tenantId(),
    actorKind: text().notNull(),
    actorId: uuid(),
    action: text().notNull(),
    entity: text().notNull(),
    entityId: text(),
    ip: text(),
    userAgent: text(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_log_tenant_created_idx').on(t.tenantId, t.createdAt),
    index('audit_log_tenant_entity_idx').on(t.tenantId, t.entity, t.entityId),
  ],
);

// ─── Privacy: retention ─────────────────────────────────────────────────────────────────────────

/**
 * How many days after a case concluded (closed, resolved or merged) its personal data is kept.
 * A row with `category_id` null is the tenant's default; a category's own row overrides it. No
 * row at all means "keep until erased on request" (retention never anonymises such cases).
 */
export const retentionPolicies = pgTable(
  'retention_policies',
  {
    id: id(),
    tenantId: tenantId(),
    categoryId: uuid().references(() => categories.id, { onDelete: 'cascade' }),
    days: integer().notNull(),
    updatedBy: uuid().references(() => staffUsers.id),
    updatedAt: at().notNull().defaultNow(),
  },
  (t) => [unique('retention_policies_tenant_category_uq').on(t.tenantId, t.categoryId).nullsNotDistinct()],
);

/**
 * One retention run (or dry run) and its progress. A run works in batches, one transaction each,
 * and counts here as it goes; a run interrupted part-way is resumed by running it again (it only
 * ever picks cases that are due and not yet anonymised). `job_id` makes a retried job find its run.
 */
export const retentionRuns = pgTable(
  'retention_runs',
  {
    id: id(),
    tenantId: tenantId(),
    /** queued, running, done, failed */
    status: text().notNull().default('queued'),
    dryRun: boolean().notNull().default(false),
    /** The staff member who started it; null for the daily schedule. */
    requestedBy: uuid().references(() => staffUsers.id),
    jobId: text(),
    /** The moment "due" is measured against (fixed for the whole run, so a resumed run agrees). */
    asOf: at().notNull(),
    /** Cases due when the run started, and how many it has anonymised so far. */
    due: integer().notNull().default(0),
    anonymised: integer().notNull().default(0),
    batches: integer().notNull().default(0),
    /** Dry-run report or final counts: per category, oldest and newest conclusion. */
    report: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    error: text(),
    createdAt: createdAt(),
    startedAt: at(),
    finishedAt: at(),
  },
  (t) => [
    index('retention_runs_tenant_created_idx').on(t.tenantId, t.createdAt),
    uniqueIndex('retention_runs_tenant_job_uq').on(t.tenantId, t.jobId),
  ],
);

// ─── Insights: indicator rollups ────────────────────────────────────────────────────────────────

/**
 * Daily rollup of the case and contact indicators per tenant × local day × cut, kept by
 * services/insights (`refreshRollups`) for the standard cuts. `cut` says which rows a query reads:
 * `all` (the day's total), `channel`, `category`, `department` (one row per value, the other key
 * columns null) and `cell` (category × department × channel, for combined filters). So the
 * city-wide cut reads one row a day, however many categories and departments there are.
 * Cases count on the local day they were created (the cohort), contacts on the day they were
 * offered. Durations are kept as tallies (`*_counts`: value → count, see insights'
 * tally-codec.ts): whole business minutes and whole seconds, so medians and percentiles from the
 * rollup are exact, not estimated. Rows of a (tenant, day) are replaced as a whole on each refresh.
 */
export const insightRollupsDaily = pgTable(
  'insight_rollups_daily',
  {
    tenantId: tenantId(),
    day: date().notNull(),
    cut: text().notNull(),
    categoryId: uuid(),
    departmentId: uuid(),
    channel: text(),
    cases: integer().notNull().default(0),
    /** Tally of business minutes from creation to first response, of every responded case. */
    firstResponseCounts: bytea().notNull(),
    /** Tally of business minutes from creation to resolution, of every resolved case. */
    resolutionCounts: bytea().notNull(),
    firstResponseSlaDue: integer().notNull().default(0),
    firstResponseSlaMet: integer().notNull().default(0),
    resolutionSlaDue: integer().notNull().default(0),
    resolutionSlaMet: integer().notNull().default(0),
    firstContactResolutions: integer().notNull().default(0),
    directAnswers: integer().notNull().default(0),
    kkikDue: integer().notNull().default(0),
    kkikMet: integer().notNull().default(0),
    concluded: integer().notNull().default(0),
    concludedWithoutRehandling: integer().notNull().default(0),
    ratings: integer().notNull().default(0),
    ratingSum: integer().notNull().default(0),
    satisfiedRatings: integer().notNull().default(0),
    routed: integer().notNull().default(0),
    returned: integer().notNull().default(0),
    resolved: integer().notNull().default(0),
    reopened: integer().notNull().default(0),
    contactsOffered: integer().notNull().default(0),
    contactsAnswered: integer().notNull().default(0),
    contactsAbandoned: integer().notNull().default(0),
    /**
     * Tally of whole seconds from offer to answer (rounded up), of every answered contact: the
     * service level at any whole Y, since wait ≤ Y exactly when ⌈wait⌉ ≤ Y.
     */
    contactWaitCounts: bytea().notNull(),
    /** The exact sum of those waits in seconds (the average speed of answer). */
    contactWaitSeconds: doublePrecision().notNull().default(0),
    contactsHandled: integer().notNull().default(0),
    contactHandleSeconds: doublePrecision().notNull().default(0),
    refreshedAt: at().notNull().defaultNow(),
  },
  (t) => [index('insight_rollups_daily_tenant_cut_day_idx').on(t.tenantId, t.cut, t.day)],
);

/**
 * Daily rollup of the equity indicators per tenant × local day × channel × demographic dimension ×
 * answer, kept with the availability rollup. `channel` null is the day over every channel. `answer`
 * is the profile's raw answer (null: no profile or no answer), so a dimension's groups can be
 * edited without a rebuild: a query maps answers to groups as the exact path does. Aggregates
 * only; small cells are suppressed when published, as on the exact path.
 */
export const insightEquityDaily = pgTable(
  'insight_equity_daily',
  {
    tenantId: tenantId(),
    day: date().notNull(),
    channel: text(),
    dimension: text().notNull(),
    answer: text(),
    cases: integer().notNull().default(0),
    /** Tally of business minutes from creation to first response (see insightRollupsDaily). */
    firstResponseCounts: bytea().notNull(),
    resolved: integer().notNull().default(0),
    slaDue: integer().notNull().default(0),
    slaMet: integer().notNull().default(0),
    ratings: integer().notNull().default(0),
    satisfied: integer().notNull().default(0),
    refreshedAt: at().notNull().defaultNow(),
  },
  (t) => [index('insight_equity_daily_tenant_day_idx').on(t.tenantId, t.day)],
);

/** How far each tenant's rollups have been brought up to date (the incremental refresh cursor). */
export const insightRollupState = pgTable('insight_rollup_state', {
  tenantId: uuid()
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  refreshedThrough: at().notNull(),
  /**
   * The demographic dimensions `insight_equity_daily` was last built for; a refresh that finds
   * other active dimensions rebuilds every day, and until then equity is answered exactly.
   */
  equityDimensions: text().array().notNull().default(sql`'{}'::text[]`),
});
