import { randomUUID } from 'node:crypto';
import type { StaffRole } from '@samtal/domain';
import { useTestContext } from '@samtal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import { type Fixture, newCase, writerOf } from './work-helpers.ts';

/**
 * Every role against every staff endpoint of the desk's work and admin API. "allow" means the
 * request got past authorisation (any answer but 401/403); "deny" means 403. The expectations are
 * written out here, not derived from the permission table, so a drift in either shows up.
 */
const roles = [
  'agent',
  'department_officer',
  'supervisor',
  'manager',
  'dialogue_facilitator',
  'admin',
] as const;
type Role = (typeof roles)[number] & StaffRole;
const emailOf: Record<Role, string> = {
  agent: 'agent@vasteras.demo',
  department_officer: 'officer@vasteras.demo',
  supervisor: 'supervisor@vasteras.demo',
  manager: 'manager@vasteras.demo',
  dialogue_facilitator: 'facilitator@vasteras.demo',
  admin: 'admin@vasteras.demo',
};

interface Ids {
  caseId: string;
  /** Led by water, with streets (the officer's department) assisting. */
  assistedCaseId: string;
  otherCaseId: string;
  streets: string;
  water: string;
  unique: string;
}
interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: (ids: Ids) => string;
  payload?: (ids: Ids) => object;
  allowed: readonly Role[];
}

const signedIn = roles;
const agents = ['agent', 'supervisor'] as const;
const handlers = ['agent', 'department_officer', 'supervisor'] as const;
const officers = ['department_officer', 'supervisor'] as const;
const readers = ['agent', 'department_officer', 'supervisor', 'manager'] as const;
const admins = ['admin'] as const;
const none = 'ffffffff-ffff-4fff-bfff-ffffffffffff';

const endpoints: Endpoint[] = [
  { method: 'GET', url: () => '/v1/auth/me', allowed: signedIn },
  { method: 'GET', url: () => '/v1/cases', allowed: readers },
  { method: 'GET', url: (i) => `/v1/cases/${i.caseId}`, allowed: readers },
  { method: 'POST', url: (i) => `/v1/cases/${i.caseId}/claim`, allowed: handlers },
  { method: 'POST', url: (i) => `/v1/cases/${i.caseId}/release`, allowed: handlers },
  {
    method: 'POST',
    url: (i) => `/v1/cases/${i.caseId}/replies`,
    payload: () => ({ body: 'Hello' }),
    allowed: handlers,
  },
  {
    method: 'POST',
    url: (i) => `/v1/cases/${i.caseId}/notes`,
    payload: () => ({ body: 'Note' }),
    allowed: handlers,
  },
  {
    method: 'POST',
    url: (i) => `/v1/cases/${i.caseId}/resolve`,
    payload: () => ({ resolutionCode: 'fixed' }),
    allowed: handlers,
  },
  {
    method: 'POST',
    url: (i) => `/v1/cases/${i.caseId}/request-information`,
    payload: () => ({ question: 'Which house?' }),
    allowed: handlers,
  },
  {
    method: 'POST',
    url: (i) => `/v1/cases/${i.caseId}/progress`,
    payload: () => ({ body: 'On it' }),
    allowed: officers,
  },
  { method: 'GET', url: () => '/v1/agent/queue', allowed: agents },
  {
    method: 'POST',
    url: (i) => `/v1/cases/${i.caseId}/route`,
    payload: (i) => ({ leadDepartmentId: i.water }),
    allowed: agents,
  },
  {
    method: 'POST',
    url: () => '/v1/agent/contacts',
    payload: () => ({
      channel: 'phone',
      categoryCode: 'question',
      description: 'A question',
      dispatch: false,
    }),
    allowed: agents,
  },
  {
    method: 'POST',
    url: (i) => `/v1/cases/${i.caseId}/merge`,
    payload: (i) => ({ parentCaseId: i.otherCaseId }),
    allowed: agents,
  },
  { method: 'GET', url: (i) => `/v1/departments/${i.streets}/queue`, allowed: officers },
  { method: 'POST', url: (i) => `/v1/cases/${i.caseId}/accept`, allowed: officers },
  {
    method: 'POST',
    url: (i) => `/v1/cases/${i.caseId}/return`,
    payload: () => ({ reason: 'Not ours' }),
    allowed: officers,
  },
  {
    method: 'PUT',
    url: (i) => `/v1/cases/${i.assistedCaseId}/contributions/${i.streets}`,
    payload: () => ({ contribution: 'Checked the pipes' }),
    allowed: officers,
  },
  { method: 'GET', url: () => '/v1/departments', allowed: [...readers, 'admin'] },
  {
    method: 'GET',
    url: () => '/v1/knowledge/articles',
    allowed: ['agent', 'department_officer', 'supervisor', 'admin'],
  },
  {
    method: 'POST',
    url: () => '/v1/knowledge/articles/nothing-here/sv/archive',
    allowed: ['supervisor', 'admin'],
  },
  { method: 'GET', url: () => '/v1/audit', allowed: admins },
  { method: 'GET', url: () => '/v1/admin/departments', allowed: admins },
  {
    method: 'POST',
    url: () => '/v1/admin/departments',
    payload: (i) => ({ code: `d-${i.unique}`, name: 'Parks' }),
    allowed: admins,
  },
  {
    method: 'PATCH',
    url: () => `/v1/admin/departments/${none}`,
    payload: () => ({ name: 'X' }),
    allowed: admins,
  },
  { method: 'DELETE', url: () => `/v1/admin/departments/${none}`, allowed: admins },
  { method: 'GET', url: () => '/v1/admin/categories', allowed: admins },
  {
    method: 'POST',
    url: () => '/v1/admin/categories',
    payload: (i) => ({ code: `c-${i.unique}`, names: { sv: 'Träd', en: 'Trees' } }),
    allowed: admins,
  },
  {
    method: 'PATCH',
    url: () => `/v1/admin/categories/${none}`,
    payload: () => ({ active: false }),
    allowed: admins,
  },
  { method: 'DELETE', url: () => `/v1/admin/categories/${none}`, allowed: admins },
  { method: 'GET', url: () => `/v1/admin/categories/${none}/attributes`, allowed: admins },
  {
    method: 'POST',
    url: () => `/v1/admin/categories/${none}/attributes`,
    payload: () => ({ code: 'x', datatype: 'string', descriptions: { en: 'X' } }),
    allowed: admins,
  },
  {
    method: 'PATCH',
    url: () => `/v1/admin/categories/${none}/attributes/${none}`,
    payload: () => ({ required: true }),
    allowed: admins,
  },
  { method: 'DELETE', url: () => `/v1/admin/categories/${none}/attributes/${none}`, allowed: admins },
  { method: 'GET', url: () => '/v1/admin/routing-rules', allowed: admins },
  {
    method: 'POST',
    url: () => '/v1/admin/routing-rules',
    payload: (i) => ({
      name: 'Rule',
      position: 99,
      conditions: { keywords: ['tree'] },
      leadDepartmentId: i.streets,
    }),
    allowed: admins,
  },
  {
    method: 'PATCH',
    url: () => `/v1/admin/routing-rules/${none}`,
    payload: () => ({ active: false }),
    allowed: admins,
  },
  { method: 'DELETE', url: () => `/v1/admin/routing-rules/${none}`, allowed: admins },
  { method: 'GET', url: () => '/v1/admin/sla-policies', allowed: admins },
  {
    method: 'POST',
    url: () => '/v1/admin/sla-policies',
    payload: (i) => ({ code: `p-${i.unique}`, name: 'P', firstResponseMinutes: 60, resolutionMinutes: 600 }),
    allowed: admins,
  },
  {
    method: 'PATCH',
    url: () => `/v1/admin/sla-policies/${none}`,
    payload: () => ({ name: 'Q' }),
    allowed: admins,
  },
  { method: 'DELETE', url: () => `/v1/admin/sla-policies/${none}`, allowed: admins },
  { method: 'GET', url: () => '/v1/admin/calendars', allowed: admins },
  {
    method: 'POST',
    url: () => '/v1/admin/calendars',
    payload: () => ({
      name: 'Weekends',
      timeZone: 'Europe/Stockholm',
      openingHours: { '6': [{ open: '10:00', close: '14:00' }] },
    }),
    allowed: admins,
  },
  {
    method: 'PATCH',
    url: () => `/v1/admin/calendars/${none}`,
    payload: () => ({ name: 'Q' }),
    allowed: admins,
  },
  { method: 'DELETE', url: () => `/v1/admin/calendars/${none}`, allowed: admins },
  { method: 'GET', url: () => `/v1/admin/calendars/${none}/holidays`, allowed: admins },
  {
    method: 'PUT',
    url: () => `/v1/admin/calendars/${none}/holidays/2026-12-24`,
    payload: () => ({ name: 'Julafton' }),
    allowed: admins,
  },
  { method: 'DELETE', url: () => `/v1/admin/calendars/${none}/holidays/2026-12-24`, allowed: admins },
  { method: 'GET', url: () => '/v1/admin/staff', allowed: admins },
  {
    method: 'POST',
    url: () => '/v1/admin/staff',
    payload: (i) => ({
      email: `new-${i.unique}@vasteras.demo`,
      displayName: 'New',
      roles: ['agent'],
      password: 'a long enough password',
    }),
    allowed: admins,
  },
  {
    method: 'PATCH',
    url: () => `/v1/admin/staff/${none}`,
    payload: () => ({ displayName: 'Q' }),
    allowed: admins,
  },
  {
    method: 'PUT',
    url: () => `/v1/admin/staff/${none}/departments`,
    payload: () => ({ departmentIds: [] }),
    allowed: admins,
  },
  { method: 'GET', url: () => '/v1/admin/api-keys', allowed: admins },
  { method: 'POST', url: () => '/v1/admin/api-keys', payload: () => ({ name: 'App' }), allowed: admins },
  { method: 'DELETE', url: () => `/v1/admin/api-keys/${none}`, allowed: admins },
  { method: 'GET', url: () => '/v1/admin/privacy/retention-policies', allowed: admins },
  {
    method: 'PUT',
    url: () => '/v1/admin/privacy/retention-policies',
    payload: () => ({ defaultDays: null, categories: [] }),
    allowed: admins,
  },
  { method: 'POST', url: () => '/v1/admin/privacy/retention/dry-run', payload: () => ({}), allowed: admins },
  {
    method: 'POST',
    url: () => '/v1/admin/privacy/retention/runs',
    payload: () => ({ dryRun: true }),
    allowed: admins,
  },
  { method: 'GET', url: () => '/v1/admin/privacy/retention/runs', allowed: admins },
  { method: 'GET', url: () => `/v1/admin/privacy/retention/runs/${none}`, allowed: admins },
  {
    method: 'POST',
    url: () => '/v1/admin/privacy/erasures',
    payload: () => ({ email: 'nobody@example.org' }),
    allowed: admins,
  },
  {
    method: 'POST',
    url: () => '/v1/admin/privacy/subject-access',
    payload: () => ({ email: 'nobody@example.org' }),
    allowed: admins,
  },
  {
    method: 'POST',
    url: () => '/v1/admin/privacy/consent-withdrawals',
    payload: () => ({ email: 'nobody@example.org' }),
    allowed: admins,
  },
  // Every signed-in member may sign out everywhere; last, so the sessions above stay usable.
  { method: 'POST', url: () => '/v1/auth/sign-out-everywhere', allowed: signedIn },
];

describe('role × endpoint matrix', () => {
  const ctx = useTestContext();
  let fixture: Fixture;
  const headers = {} as Record<Role, Record<string, string>>;

  beforeAll(async () => {
    fixture = await deskFixture(ctx);
    for (const role of roles) headers[role] = (await fixture.as(emailOf[role])).headers;
  });
  afterAll(() => fixture.close());

  /** A fresh case led by streets with water assisting, and a parent to merge into. */
  async function ids(): Promise<Ids> {
    const writer = writerOf(fixture, ctx);
    const { streets, water } = fixture.demo.departments as Record<string, string>;
    const [row, other, assisted] = [
      await newCase(fixture, writer),
      await newCase(fixture, writer),
      await newCase(fixture, writer),
    ];
    const routes: [string, string, string][] = [
      [row.id, streets!, water!],
      [other.id, streets!, water!],
      [assisted.id, water!, streets!],
    ];
    for (const [id, lead, assisting] of routes) {
      const res = await fixture.app.inject({
        method: 'POST',
        url: `/v1/cases/${id}/route`,
        headers: headers.agent,
        payload: { leadDepartmentId: lead, assistingDepartmentIds: [assisting] },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    return {
      caseId: row.id,
      assistedCaseId: assisted.id,
      otherCaseId: other.id,
      streets: streets!,
      water: water!,
      unique: randomUUID().slice(0, 8),
    };
  }

  const label = (e: Endpoint) =>
    `${e.method} ${e.url({ caseId: ':id', assistedCaseId: ':id', otherCaseId: ':parent', streets: ':dept', water: ':dept', unique: '' })}`;

  // One fresh set of cases per endpoint, shared by the six roles: a denied call changes nothing, and
  // whatever an allowed call changes can only turn a later call into 404/409, never into 401/403.
  it.each(endpoints.filter((e) => e.allowed.length).map((e) => [label(e), e] as const))(
    '%s',
    async (_name, e) => {
      const i = await ids();
      const expected: Record<string, 'allow' | 'deny'> = {};
      const actual: Record<string, string> = {};
      for (const role of roles) {
        const res = await fixture.app.inject({
          method: e.method,
          url: e.url(i),
          headers: headers[role],
          ...(e.payload ? { payload: e.payload(i) } : {}),
        });
        expected[role] = e.allowed.includes(role) ? 'allow' : 'deny';
        actual[role] = res.statusCode === 403 ? 'deny' : res.statusCode === 401 ? '401' : 'allow';
      }
      expect(actual).toEqual(expected);
    },
  );

  it.each(endpoints.map((e) => [label(e), e] as const))(
    'answers 401 without a session: %s',
    async (_name, e) => {
      const i = {
        caseId: none,
        assistedCaseId: none,
        otherCaseId: none,
        streets: none,
        water: none,
        unique: 'x',
      };
      const res = await fixture.app.inject({
        method: e.method,
        url: e.url(i),
        ...(e.payload ? { payload: e.payload(i) } : {}),
      });
      expect(res.statusCode, res.body).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    },
  );
});
