import type { DbHandle } from '@samtal/db';
import { schema } from '@samtal/db';
import { randomToken, sha256, trackingCode } from '@samtal/security';

/** Test data: one municipality with a calendar, departments, categories, staff and sessions. */
export interface SeededTenant {
  tenantId: string;
  slug: string;
  departments: { contactCentre: string; streets: string; social: string };
  categories: { pothole: string; bins: string };
  districts: { north: string; south: string };
  users: { manager: string; agent: string };
  /** Cookie headers of signed-in staff. */
  cookies: { manager: string; agent: string; supervisor: string };
}

/** Every test session shares this CSRF token; cookie requests that change something send it. */
export const TEST_CSRF_TOKEN = 'test-csrf-token';

export async function seedTenant(
  handle: DbHandle,
  options: { slug: string; k?: number; partnerComparison?: boolean; timeZone?: string },
): Promise<SeededTenant> {
  const { db } = handle;
  const timeZone = options.timeZone ?? 'Europe/Stockholm';
  const [tenant] = await db
    .insert(schema.tenants)
    .values({
      slug: options.slug,
      name: `Municipality ${options.slug}`,
      timeZone,
      languages: ['sv', 'en'],
      defaultLanguage: 'sv',
      smallCellK: options.k ?? 5,
      partnerComparison: options.partnerComparison ?? false,
    })
    .returning();
  const tenantId = tenant!.id;
  await db.insert(schema.businessCalendars).values({
    tenantId,
    name: 'Office hours',
    timeZone,
    isDefault: true,
    openingHours: Object.fromEntries(
      ['1', '2', '3', '4', '5'].map((d) => [d, [{ open: '08:00', close: '16:00' }]]),
    ),
  });
  const departments = await db
    .insert(schema.departments)
    .values([
      { tenantId, code: 'cc', name: 'Contact centre', kind: 'contact_centre' },
      { tenantId, code: 'streets', name: 'Streets' },
      { tenantId, code: 'social', name: 'Social services' },
    ])
    .returning();
  const categories = await db
    .insert(schema.categories)
    .values([
      { tenantId, code: 'pothole', names: { en: 'Pothole' } },
      { tenantId, code: 'bins', names: { en: 'Bins' } },
    ])
    .returning();
  const districts = await db
    .insert(schema.districts)
    .values([
      { tenantId, code: 'north', name: 'North' },
      { tenantId, code: 'south', name: 'South' },
    ])
    .returning();
  const users = await db
    .insert(schema.staffUsers)
    .values([
      {
        tenantId,
        email: `manager@${options.slug}.test`,
        displayName: 'M',
        passwordHash: 'x',
        roles: ['manager'],
      },
      {
        tenantId,
        email: `agent@${options.slug}.test`,
        displayName: 'A',
        passwordHash: 'x',
        roles: ['agent'],
      },
      {
        tenantId,
        email: `supervisor@${options.slug}.test`,
        displayName: 'S',
        passwordHash: 'x',
        roles: ['agent', 'supervisor'],
      },
    ])
    .returning();
  const cookie = async (userId: string) => {
    const token = randomToken();
    await db.insert(schema.staffSessions).values({
      tenantId,
      userId,
      tokenHash: sha256(token),
      csrfToken: TEST_CSRF_TOKEN,
      expiresAt: new Date(Date.now() + 3600_000),
    });
    return `samtal_session=${token}`;
  };
  return {
    tenantId,
    slug: options.slug,
    departments: {
      contactCentre: departments[0]!.id,
      streets: departments[1]!.id,
      social: departments[2]!.id,
    },
    categories: { pothole: categories[0]!.id, bins: categories[1]!.id },
    districts: { north: districts[0]!.id, south: districts[1]!.id },
    users: { manager: users[0]!.id, agent: users[1]!.id },
    cookies: {
      manager: await cookie(users[0]!.id),
      agent: await cookie(users[1]!.id),
      supervisor: await cookie(users[2]!.id),
    },
  };
}

export type CaseInput = Partial<typeof schema.cases.$inferInsert> & { categoryId: string; createdAt: Date };

export async function insertCase(handle: DbHandle, tenantId: string, input: CaseInput): Promise<string> {
  const [row] = await handle.db
    .insert(schema.cases)
    .values({
      tenantId,
      trackingCode: trackingCode(),
      accessTokenHash: sha256(randomToken()),
      channel: 'web',
      description: 'test',
      language: 'sv',
      ...input,
    })
    .returning({ id: schema.cases.id });
  return row!.id;
}

/** Wall-clock minutes: a business-time function whose numbers are easy to check by hand. */
export const wallClockMinutes = (_calendar: unknown, start: Date, end: Date) =>
  Math.max(0, (end.getTime() - start.getTime()) / 60_000);
