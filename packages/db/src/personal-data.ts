/**
 * The personal data map: every column of every table, classified. A column holding personal data
 * says what kind, whose, how retention and erasure anonymise it, and why it is kept; `'-'` means
 * "not personal data". The type below makes a new table or column without an entry a type error,
 * and a test compares the map with the migrated database, so nothing can be forgotten.
 *
 * Retention, erasure and subject-access export are driven from this map (packages/privacy).
 */
import type { PgTable } from 'drizzle-orm/pg-core';
import type * as schema from './schema.ts';

export type PersonalDataKind =
  | 'identity' // names
  | 'contact' // e-mail, phone
  | 'free_text' // what a person wrote; may hold anything about their life
  | 'location' // coordinates, addresses
  | 'demographic' // self-reported gender, age band … (special care)
  | 'file' // uploaded photos and documents
  | 'network' // IP addresses, user agents
  | 'credential'; // password hashes

/** How anonymisation treats the column. */
export type Anonymisation =
  | 'null' // set to NULL
  | 'redact' // replace text with a fixed marker, so "there was text here" survives
  | 'empty' // empty JSON object / array
  | 'delete_row' // the row exists only because of the person: delete it
  | 'keep'; // kept (e.g. staff data under employment law) — listed so the export finds it

export interface PersonalColumn {
  kind: PersonalDataKind;
  subject: 'resident' | 'staff';
  anonymise: Anonymisation;
  why: string;
  /** For a JSON object column: the keys that hold personal data (only they are redacted). */
  keys?: readonly string[];
}

type Tables = {
  [K in keyof typeof schema as (typeof schema)[K] extends PgTable ? K : never]: (typeof schema)[K];
};
type ColumnsOf<T> = T extends { $inferSelect: infer R } ? keyof R : never;
export type PersonalDataMap = { [T in keyof Tables]: { [C in ColumnsOf<Tables[T]>]: PersonalColumn | '-' } };

const resident = (kind: PersonalDataKind, anonymise: Anonymisation, why: string): PersonalColumn => ({
  kind,
  subject: 'resident',
  anonymise,
  why,
});
const staff = (kind: PersonalDataKind, why: string): PersonalColumn => ({
  kind,
  subject: 'staff',
  anonymise: 'keep',
  why,
});

export const REDACTED = '[anonymised]';

export const personalData: PersonalDataMap = {
  tenants: {
    id: '-',
    slug: '-',
    name: '-',
    timeZone: '-',
    languages: '-',
    defaultLanguage: '-',
    smallCellK: '-',
    reopenWindowDays: '-',
    returnLimitMinutes: '-',
    hideHandlerNames: '-',
    corsOrigins: '-',
    duplicateRadiusMetres: '-',
    duplicateWindowHours: '-',
    partnerComparison: '-',
    createdAt: '-',
  },
  businessCalendars: { id: '-', tenantId: '-', name: '-', timeZone: '-', openingHours: '-', isDefault: '-' },
  calendarHolidays: { tenantId: '-', calendarId: '-', day: '-', name: '-' },
  districts: { id: '-', tenantId: '-', code: '-', name: '-', boundary: '-' },
  departments: {
    id: '-',
    tenantId: '-',
    code: '-',
    name: '-',
    kind: '-',
    email: '-', // a functional mailbox, not a person's
    calendarId: '-',
    active: '-',
  },
  staffUsers: {
    id: '-',
    tenantId: '-',
    email: staff('contact', 'sign-in and accountability of case handling'),
    displayName: staff('identity', 'shown to colleagues; hidden from residents where the tenant says so'),
    passwordHash: staff('credential', 'sign-in'),
    roles: '-',
    active: '-',
    failedSignIns: '-',
    lockedUntil: '-',
    sessionsValidAfter: '-',
    passwordChangedAt: '-',
    createdAt: '-',
  },
  staffSessions: {
    id: '-',
    tenantId: '-',
    userId: '-',
    tokenHash: '-',
    csrfToken: '-',
    ip: staff('network', 'security: who signed in from where'),
    userAgent: staff('network', 'security: recognising a stolen session'),
    createdAt: '-',
    lastSeenAt: '-',
    expiresAt: '-',
    revokedAt: '-',
  },
  departmentMemberships: { tenantId: '-', userId: '-', departmentId: '-' },
  staffPresence: { id: '-', tenantId: '-', userId: '-', status: '-', startedAt: '-', endedAt: '-' },
  slaPolicies: {
    id: '-',
    tenantId: '-',
    code: '-',
    name: '-',
    calendarId: '-',
    firstResponseMinutes: '-',
    resolutionMinutes: '-',
    warningShare: '-',
    warningBeforeMinutes: '-',
  },
  categories: {
    id: '-',
    tenantId: '-',
    code: '-',
    names: '-',
    descriptions: '-',
    groupName: '-',
    keywords: '-',
    defaultDepartmentId: '-',
    slaPolicyId: '-',
    sensitive: '-',
    active: '-',
    sortOrder: '-',
  },
  categoryAttributes: {
    id: '-',
    tenantId: '-',
    categoryId: '-',
    code: '-',
    datatype: '-',
    variable: '-',
    required: '-',
    descriptions: '-',
    datatypeDescription: '-',
    sortOrder: '-',
    values: '-',
  },
  routingRules: {
    id: '-',
    tenantId: '-',
    name: '-',
    position: '-',
    active: '-',
    conditions: '-',
    leadDepartmentId: '-',
    assistingDepartmentIds: '-',
    priority: '-',
  },
  apiClients: {
    id: '-',
    tenantId: '-',
    name: '-',
    keyHash: '-',
    keyPrefix: '-',
    active: '-',
    createdAt: '-',
    revokedAt: '-',
  },
  cases: {
    id: '-',
    tenantId: '-',
    trackingCode: '-',
    accessTokenHash: '-',
    channel: '-',
    categoryId: '-',
    description: resident(
      'free_text',
      'redact',
      'what the resident asks or reports; needed to handle the case',
    ),
    latitude: resident('location', 'null', 'where the reported problem is'),
    longitude: resident('location', 'null', 'where the reported problem is'),
    address: resident('location', 'null', 'where the reported problem is, or the resident lives'),
    districtId: '-', // kept: a district is coarse enough for statistics and routing history
    language: '-',
    attributes: resident('free_text', 'empty', "answers to the category's questions"),
    mediaUrls: resident('file', 'empty', 'photos the resident linked'),
    contactName: resident('identity', 'null', 'to address the resident in replies'),
    contactEmail: resident('contact', 'null', 'to send replies and find the resident for subject access'),
    contactPhone: resident('contact', 'null', 'to call or text the resident back'),
    status: '-',
    priority: '-',
    sensitive: '-',
    leadDepartmentId: '-',
    claimedBy: '-',
    claimedAt: '-',
    firstResponseDueAt: '-',
    resolutionDueAt: '-',
    firstRespondedAt: '-',
    resolvedAt: '-',
    closedAt: '-',
    resolutionCode: '-',
    firstContactResolution: '-',
    slaPausedMinutes: '-',
    slaPausedAt: '-',
    returnCount: '-',
    reopenCount: '-',
    parentCaseId: '-',
    duplicateOfCaseId: '-',
    apiClientId: '-',
    anonymisedAt: '-',
    createdAt: '-',
    updatedAt: '-',
  },
  caseAssistingDepartments: {
    tenantId: '-',
    caseId: '-',
    departmentId: '-',
    contribution: resident(
      'free_text',
      'redact',
      "an assisting department's work on the case; may describe the resident",
    ),
    contributedAt: '-',
  },
  caseEvents: {
    id: '-',
    tenantId: '-',
    caseId: '-',
    type: '-',
    actorKind: '-',
    actorId: '-',
    visibility: '-',
    // Event data holds ids and codes, except the reason staff write when they return or re-route a
    // case, which may describe the resident: only that key is redacted, so metrics keep their facts.
    data: {
      ...resident('free_text', 'redact', 'why staff returned or re-routed the case, in their words'),
      keys: ['reason'],
    },
    createdAt: '-',
  },
  messages: {
    id: '-',
    tenantId: '-',
    caseId: '-',
    direction: '-',
    body: resident(
      'free_text',
      'redact',
      'the conversation with the resident, and internal notes about the case',
    ),
    authorStaffId: '-',
    departmentId: '-',
    knowledgeArticleId: '-',
    createdAt: '-',
  },
  attachments: {
    id: '-',
    tenantId: '-',
    caseId: '-',
    dialogueId: '-',
    messageId: '-',
    storageKey: resident(
      'file',
      'delete_row',
      'photos and documents the resident sent (the file is deleted too)',
    ),
    contentType: '-',
    sizeBytes: '-',
    originalName: resident('file', 'delete_row', 'file names often carry names'),
    createdAt: '-',
  },
  feedback: {
    tenantId: '-',
    caseId: '-',
    rating: '-',
    comment: resident('free_text', 'null', "the resident's comment on the service"),
    requestedRehandling: '-',
    createdAt: '-',
  },
  idempotencyKeys: {
    tenantId: '-',
    key: '-',
    requestHash: '-',
    caseId: '-',
    response: '-', // tracking code and status only
    createdAt: '-',
  },
  contacts: {
    id: '-',
    tenantId: '-',
    channel: '-',
    queue: '-',
    externalId: '-',
    caseId: '-',
    agentId: '-',
    offeredAt: '-',
    answeredAt: '-',
    abandonedAt: '-',
    endedAt: '-',
    wrapUpEndedAt: '-',
    createdAt: '-',
  },
  demographicDimensions: { tenantId: '-', code: '-', names: '-', groups: '-', sortOrder: '-', active: '-' },
  demographicProfiles: {
    id: '-',
    tenantId: '-',
    caseId: resident('demographic', 'delete_row', 'the link between a person and their self-report'),
    participationId: resident('demographic', 'delete_row', 'the link between a person and their self-report'),
    surveyResponseId: resident(
      'demographic',
      'delete_row',
      'the link between a person and their self-report',
    ),
    groups: resident('demographic', 'delete_row', 'equity statistics, with consent'),
    consentAt: '-',
    consentTextVersion: '-',
    createdAt: '-',
  },
  populationBaselines: {
    tenantId: '-',
    year: '-',
    dimension: '-',
    groupCode: '-',
    population: '-',
    source: '-',
    importedAt: '-',
  },
  dialogues: {
    id: '-',
    tenantId: '-',
    title: '-',
    question: '-',
    purpose: '-',
    method: '-',
    status: '-',
    targetGroups: '-',
    sessions: '-',
    partners: '-',
    languages: '-',
    methodDocumentation: '-',
    isTemplate: '-',
    templateId: '-',
    venueTotal: '-',
    openedAt: '-',
    closedAt: '-',
    reportedAt: '-',
    createdBy: '-',
    createdAt: '-',
    translations: '-',
  },
  participations: {
    id: '-',
    tenantId: '-',
    dialogueId: '-',
    kind: '-',
    count: '-',
    groups: '-', // aggregate counts per group, not a person's answer
    name: resident('identity', 'null', 'to welcome registered participants and send them the outcome'),
    email: resident('contact', 'null', 'to send registered participants the outcome'),
    phone: resident('contact', 'null', 'to remind registered participants'),
    language: '-',
    recordedBy: '-',
    createdAt: '-',
    accessTokenHash: '-', // SHA-256 of a random token, like cases.access_token_hash
  },
  contributions: {
    id: '-',
    tenantId: '-',
    dialogueId: '-',
    participationId: '-',
    source: '-',
    kind: '-',
    body: resident('free_text', 'redact', 'what a resident said in a dialogue; linked to outcomes'),
    themes: '-',
    language: '-',
    groups: resident('demographic', 'empty', "an anonymous contributor's self-reported group"),
    speakingSeconds: '-',
    recordedBy: '-',
    createdAt: '-',
  },
  outcomes: {
    id: '-',
    tenantId: '-',
    dialogueId: '-',
    kind: '-',
    titles: '-',
    descriptions: '-',
    decidedAt: '-',
    createdAt: '-',
  },
  outcomeLinks: { tenantId: '-', outcomeId: '-', contributionId: '-', response: '-', reason: '-' },
  surveyQuestions: {
    id: '-',
    tenantId: '-',
    dialogueId: '-',
    position: '-',
    kind: '-',
    prompts: '-',
    options: '-',
    scaleMin: '-',
    scaleMax: '-',
    required: '-',
    demographicDimension: '-',
  },
  surveyResponses: {
    id: '-',
    tenantId: '-',
    dialogueId: '-',
    participationId: '-',
    language: '-',
    createdAt: '-',
  },
  surveyAnswers: {
    tenantId: '-',
    responseId: '-',
    questionId: '-',
    value: resident('free_text', 'delete_row', 'survey answers; free-text answers may hold anything'),
  },
  knowledgeArticles: {
    id: '-',
    tenantId: '-',
    articleKey: '-',
    language: '-',
    version: '-',
    title: '-',
    body: '-',
    createdBy: '-',
    createdAt: '-',
    archivedAt: '-',
  },
  outbox: {
    id: '-',
    tenantId: '-',
    queue: '-',
    jobName: '-',
    payload: '-', // ids only, by the queue registry's design
    runAt: '-',
    createdAt: '-',
    sentAt: '-',
    attempts: '-',
    lastError: '-',
  },
  auditLog: {
    id: '-',
    tenantId: '-',
    actorKind: '-',
    actorId: '-',
    action: '-',
    entity: '-',
    entityId: '-',
    ip: staff('network', 'proving who saw what, from where'),
    userAgent: staff('network', 'proving who saw what, from where'),
    data: '-', // records that something happened, never the erased data itself
    createdAt: '-',
  },
  retentionPolicies: { id: '-', tenantId: '-', categoryId: '-', days: '-', updatedBy: '-', updatedAt: '-' },
  retentionRuns: {
    id: '-',
    tenantId: '-',
    status: '-',
    dryRun: '-',
    requestedBy: '-',
    jobId: '-',
    asOf: '-',
    due: '-',
    anonymised: '-',
    batches: '-',
    report: '-', // counts per category and dates only
    error: '-',
    createdAt: '-',
    startedAt: '-',
    finishedAt: '-',
  },
  // Aggregates per day and cell: counts and durations, no person in them.
  insightRollupsDaily: {
    tenantId: '-',
    day: '-',
    categoryId: '-',
    departmentId: '-',
    cut: '-',
    channel: '-',
    cases: '-',
    firstResponseCounts: '-',
    resolutionCounts: '-',
    firstResponseSlaDue: '-',
    firstResponseSlaMet: '-',
    resolutionSlaDue: '-',
    resolutionSlaMet: '-',
    firstContactResolutions: '-',
    directAnswers: '-',
    kkikDue: '-',
    kkikMet: '-',
    concluded: '-',
    concludedWithoutRehandling: '-',
    ratings: '-',
    ratingSum: '-',
    satisfiedRatings: '-',
    routed: '-',
    returned: '-',
    resolved: '-',
    reopened: '-',
    contactsOffered: '-',
    contactsAnswered: '-',
    contactsAbandoned: '-',
    contactWaitCounts: '-',
    contactWaitSeconds: '-',
    contactsHandled: '-',
    contactHandleSeconds: '-',
    refreshedAt: '-',
  },
  // Counts per group and day; published only through small-cell suppression (insights equity.ts).
  insightEquityDaily: {
    tenantId: '-',
    day: '-',
    channel: '-',
    dimension: '-',
    answer: '-',
    cases: '-',
    firstResponseCounts: '-',
    resolved: '-',
    slaDue: '-',
    slaMet: '-',
    ratings: '-',
    satisfied: '-',
    refreshedAt: '-',
  },
  insightRollupState: { tenantId: '-', refreshedThrough: '-', equityDimensions: '-' },
};

/** Every personal column of residents, as [table key, column key, classification]. */
export function residentColumns(): [keyof PersonalDataMap, string, PersonalColumn][] {
  return Object.entries(personalData).flatMap(([table, columns]) =>
    Object.entries(columns as Record<string, PersonalColumn | '-'>)
      .filter(
        (entry): entry is [string, PersonalColumn] => entry[1] !== '-' && entry[1].subject === 'resident',
      )
      .map(([column, classification]): [keyof PersonalDataMap, string, PersonalColumn] => [
        table as keyof PersonalDataMap,
        column,
        classification,
      ]),
  );
}
