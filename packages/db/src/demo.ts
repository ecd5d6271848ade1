import { hashPassword, sha256 } from '@samtal/security';
import { count } from 'drizzle-orm';
import type { Database } from './client.ts';
import * as s from './schema.ts';

/**
 * A small demo municipality modelled on Västerås: enough for a newcomer to try every feature and
 * for tests to start from a realistic tenant. Credentials are fixed and printed by `pnpm start`,
 * so they are for a laptop only.
 */
export const DEMO_PASSWORD = 'samtal-demo-password';
export const DEMO_OPEN311_KEY = 'demo-open311-key-0000000000000000';

export interface DemoTenant {
  tenantId: string;
  slug: string;
  staff: { email: string; roles: string[] }[];
  departments: Record<string, string>;
  categories: Record<string, string>;
  open311Key: string;
}

const L = (sv: string, en: string, zh: string) => ({ sv, en, 'zh-CN': zh });

/** Swedish public holidays 2026–2027 (fixed list; an admin maintains later years). */
const swedishHolidays: [string, string][] = [
  ['2026-01-01', 'Nyårsdagen'],
  ['2026-01-06', 'Trettondedag jul'],
  ['2026-04-03', 'Långfredagen'],
  ['2026-04-06', 'Annandag påsk'],
  ['2026-05-01', 'Första maj'],
  ['2026-05-14', 'Kristi himmelsfärdsdag'],
  ['2026-06-06', 'Sveriges nationaldag'],
  ['2026-06-19', 'Midsommarafton'],
  ['2026-12-24', 'Julafton'],
  ['2026-12-25', 'Juldagen'],
  ['2026-12-26', 'Annandag jul'],
  ['2026-12-31', 'Nyårsafton'],
  ['2027-01-01', 'Nyårsdagen'],
  ['2027-01-06', 'Trettondedag jul'],
  ['2027-03-26', 'Långfredagen'],
  ['2027-03-29', 'Annandag påsk'],
  ['2027-05-01', 'Första maj'],
  ['2027-05-06', 'Kristi himmelsfärdsdag'],
  ['2027-06-06', 'Sveriges nationaldag'],
  ['2027-06-25', 'Midsommarafton'],
  ['2027-12-24', 'Julafton'],
  ['2027-12-25', 'Juldagen'],
  ['2027-12-26', 'Annandag jul'],
  ['2027-12-31', 'Nyårsafton'],
];

const weekdays = (open: string, close: string) =>
  Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [{ open, close }]]));

/** A square around a centre point, as a GeoJSON polygon (demo districts need not be exact). */
function square(lat: number, lon: number, halfDeg: number) {
  return {
    type: 'Polygon' as const,
    coordinates: [
      [
        [lon - halfDeg, lat - halfDeg],
        [lon + halfDeg, lat - halfDeg],
        [lon + halfDeg, lat + halfDeg],
        [lon - halfDeg, lat + halfDeg],
        [lon - halfDeg, lat - halfDeg],
      ],
    ],
  };
}

export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(s.tenants);
  return (row?.n ?? 0) === 0;
}

export async function seedDemoMunicipality(
  db: Database,
  options: { slug?: string; name?: string; open311Key?: string } = {},
): Promise<DemoTenant> {
  const slug = options.slug ?? 'vasteras';
  const open311Key = options.open311Key ?? DEMO_OPEN311_KEY;
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  return db.transaction(async (tx) => {
    const [tenant] = await tx
      .insert(s.tenants)
      .values({
        slug,
        name: options.name ?? 'Västerås stad (demo)',
        timeZone: 'Europe/Stockholm',
        languages: ['sv', 'en', 'zh-CN'],
        defaultLanguage: 'sv',
        corsOrigins: ['http://localhost:8080', 'http://127.0.0.1:8080'],
      })
      .returning();
    const tenantId = tenant!.id;

    const [calendar] = await tx
      .insert(s.businessCalendars)
      .values({
        tenantId,
        name: 'Kontaktcenter',
        timeZone: 'Europe/Stockholm',
        openingHours: weekdays('08:00', '17:00'),
        isDefault: true,
      })
      .returning();
    await tx
      .insert(s.calendarHolidays)
      .values(swedishHolidays.map(([day, name]) => ({ tenantId, calendarId: calendar!.id, day, name })));

    const districtRows = await tx
      .insert(s.districts)
      .values([
        { tenantId, code: 'centrum', name: 'Centrum', boundary: square(59.611, 16.545, 0.01) },
        { tenantId, code: 'backby', name: 'Bäckby', boundary: square(59.631, 16.49, 0.012) },
        { tenantId, code: 'skiljebo', name: 'Skiljebo', boundary: square(59.602, 16.515, 0.01) },
        { tenantId, code: 'hacksta', name: 'Hacksta', boundary: square(59.625, 16.505, 0.008) },
      ])
      .returning();

    const departmentRows = await tx
      .insert(s.departments)
      .values([
        {
          tenantId,
          code: 'contact-centre',
          name: 'Kontaktcenter',
          kind: 'contact_centre',
          calendarId: calendar!.id,
        },
        { tenantId, code: 'streets', name: 'Gata och park', calendarId: calendar!.id },
        { tenantId, code: 'water', name: 'Vatten och avlopp', calendarId: calendar!.id },
        { tenantId, code: 'waste', name: 'Avfall och återvinning', calendarId: calendar!.id },
        { tenantId, code: 'environment', name: 'Miljö och hälsoskydd', calendarId: calendar!.id },
        { tenantId, code: 'education', name: 'Förskola och skola', calendarId: calendar!.id },
        { tenantId, code: 'social', name: 'Socialtjänst', calendarId: calendar!.id },
      ])
      .returning();
    const dept = Object.fromEntries(departmentRows.map((d) => [d.code, d.id])) as Record<string, string>;

    const policyRows = await tx
      .insert(s.slaPolicies)
      .values([
        // KKiK: e-mail answered within one working day; resolution within ten working days.
        {
          tenantId,
          code: 'standard',
          name: 'Standard',
          calendarId: calendar!.id,
          firstResponseMinutes: 9 * 60,
          resolutionMinutes: 10 * 9 * 60,
          warningShare: 0.75,
        },
        {
          tenantId,
          code: 'urgent',
          name: 'Brådskande',
          calendarId: calendar!.id,
          firstResponseMinutes: 60,
          resolutionMinutes: 9 * 60,
          warningShare: 0.5,
          warningBeforeMinutes: 30,
        },
      ])
      .returning();
    const policy = Object.fromEntries(policyRows.map((p) => [p.code, p.id])) as Record<string, string>;

    const categoryRows = await tx
      .insert(s.categories)
      .values([
        {
          tenantId,
          code: 'pothole',
          names: L('Potthål', 'Pothole', '路面坑洼'),
          groupName: 'streets',
          keywords: ['hål', 'asfalt', 'pothole'],
          defaultDepartmentId: dept.streets,
          slaPolicyId: policy.standard,
          sortOrder: 1,
        },
        {
          tenantId,
          code: 'streetlight',
          names: L('Gatubelysning', 'Street light', '路灯'),
          groupName: 'streets',
          keywords: ['lampa', 'belysning', 'light'],
          defaultDepartmentId: dept.streets,
          slaPolicyId: policy.standard,
          sortOrder: 2,
        },
        {
          tenantId,
          code: 'waste-collection',
          names: L('Sophämtning', 'Waste collection', '垃圾收集'),
          groupName: 'waste',
          keywords: ['sopor', 'tunna', 'bin'],
          defaultDepartmentId: dept.waste,
          slaPolicyId: policy.standard,
          sortOrder: 3,
        },
        {
          tenantId,
          code: 'water-leak',
          names: L('Vattenläcka', 'Water leak', '漏水'),
          groupName: 'water',
          keywords: ['läcka', 'vatten', 'leak'],
          defaultDepartmentId: dept.water,
          slaPolicyId: policy.urgent,
          sortOrder: 4,
        },
        {
          tenantId,
          code: 'noise',
          names: L('Buller', 'Noise', '噪音'),
          groupName: 'environment',
          defaultDepartmentId: dept.environment,
          slaPolicyId: policy.standard,
          sortOrder: 5,
        },
        {
          tenantId,
          code: 'school',
          names: L('Förskola och skola', 'Preschool and school', '学前和学校'),
          groupName: 'education',
          defaultDepartmentId: dept.education,
          slaPolicyId: policy.standard,
          sortOrder: 6,
        },
        {
          tenantId,
          code: 'violence-support',
          names: L('Stöd vid våld i nära relation', 'Support against domestic violence', '家庭暴力支持'),
          groupName: 'social',
          defaultDepartmentId: dept.social,
          slaPolicyId: policy.urgent,
          sensitive: true,
          sortOrder: 7,
        },
        {
          tenantId,
          code: 'question',
          names: L('Allmän fråga', 'General question', '一般问题'),
          groupName: 'general',
          defaultDepartmentId: dept['contact-centre'],
          slaPolicyId: policy.standard,
          sortOrder: 8,
        },
      ])
      .returning();
    const category = Object.fromEntries(categoryRows.map((c) => [c.code, c.id])) as Record<string, string>;

    await tx.insert(s.categoryAttributes).values([
      {
        tenantId,
        categoryId: category.pothole!,
        code: 'size',
        datatype: 'singlevaluelist',
        required: true,
        descriptions: L('Hur stort är hålet?', 'How large is the hole?', '坑有多大？'),
        sortOrder: 1,
        values: [
          { key: 'small', names: L('Mindre än en hand', 'Smaller than a hand', '小于手掌') },
          { key: 'medium', names: L('Som en fotboll', 'Like a football', '像足球') },
          { key: 'large', names: L('Större än en fotboll', 'Larger than a football', '大于足球') },
        ],
      },
      {
        tenantId,
        categoryId: category.pothole!,
        code: 'surface',
        datatype: 'multivaluelist',
        required: false,
        descriptions: L('Var finns hålet?', 'Where is the hole?', '坑在哪里？'),
        sortOrder: 2,
        values: [
          { key: 'road', names: L('Körbana', 'Road', '车道') },
          { key: 'cycleway', names: L('Cykelbana', 'Cycle path', '自行车道') },
          { key: 'pavement', names: L('Trottoar', 'Pavement', '人行道') },
        ],
      },
      {
        tenantId,
        categoryId: category['waste-collection']!,
        code: 'bin_type',
        datatype: 'singlevaluelist',
        required: true,
        descriptions: L('Vilket kärl gäller det?', 'Which bin is it about?', '哪个垃圾桶？'),
        sortOrder: 1,
        values: [
          { key: 'food', names: L('Matavfall', 'Food waste', '厨余垃圾') },
          { key: 'residual', names: L('Restavfall', 'Residual waste', '其他垃圾') },
          { key: 'packaging', names: L('Förpackningar', 'Packaging', '包装') },
        ],
      },
      {
        tenantId,
        categoryId: category['water-leak']!,
        code: 'flooding',
        datatype: 'string',
        required: false,
        descriptions: L('Står vatten på marken?', 'Is water standing on the ground?', '地面有积水吗？'),
        sortOrder: 1,
      },
    ]);

    await tx.insert(s.routingRules).values([
      {
        tenantId,
        name: 'Vattenläckor till VA, brådskande',
        position: 10,
        conditions: { categories: ['water-leak'] },
        leadDepartmentId: dept.water!,
        priority: 'urgent',
      },
      {
        tenantId,
        name: 'Våld i nära relation: socialtjänst, skola assisterar',
        position: 20,
        conditions: { categories: ['violence-support'] },
        leadDepartmentId: dept.social!,
        assistingDepartmentIds: [dept.education!],
        priority: 'high',
      },
      {
        tenantId,
        name: 'Gata och park',
        position: 30,
        conditions: { categories: ['pothole', 'streetlight'] },
        leadDepartmentId: dept.streets!,
      },
      {
        tenantId,
        name: 'Avfall',
        position: 40,
        conditions: { categories: ['waste-collection'] },
        leadDepartmentId: dept.waste!,
      },
    ]);

    const staff = [
      { email: 'agent@vasteras.demo', displayName: 'Anna Agent', roles: ['agent'] },
      { email: 'agent2@vasteras.demo', displayName: 'Ali Agent', roles: ['agent'] },
      { email: 'officer@vasteras.demo', displayName: 'Olle Officer', roles: ['department_officer'] },
      { email: 'supervisor@vasteras.demo', displayName: 'Sara Supervisor', roles: ['supervisor', 'agent'] },
      { email: 'manager@vasteras.demo', displayName: 'Maja Manager', roles: ['manager'] },
      {
        email: 'facilitator@vasteras.demo',
        displayName: 'Fatima Facilitator',
        roles: ['dialogue_facilitator'],
      },
      { email: 'admin@vasteras.demo', displayName: 'Adam Admin', roles: ['admin'] },
    ].map((u) => ({ ...u, email: slug === 'vasteras' ? u.email : u.email.replace('vasteras', slug) }));
    const staffRows = await tx
      .insert(s.staffUsers)
      .values(staff.map((u) => ({ tenantId, ...u, passwordHash })))
      .returning();
    const officer = staffRows.find((u) => u.roles.includes('department_officer'))!;
    await tx
      .insert(s.departmentMemberships)
      .values({ tenantId, userId: officer.id, departmentId: dept.streets! });

    await tx.insert(s.demographicDimensions).values([
      {
        tenantId,
        code: 'gender',
        names: L('Kön', 'Gender', '性别'),
        sortOrder: 1,
        groups: [
          { code: 'woman', names: L('Kvinna', 'Woman', '女') },
          { code: 'man', names: L('Man', 'Man', '男') },
          { code: 'non_binary', names: L('Annat / icke-binär', 'Other / non-binary', '其他') },
        ],
      },
      {
        tenantId,
        code: 'age_band',
        names: L('Ålder', 'Age', '年龄'),
        sortOrder: 2,
        groups: [
          { code: '0-17', names: L('0–17', '0–17', '0–17') },
          { code: '18-29', names: L('18–29', '18–29', '18–29') },
          { code: '30-44', names: L('30–44', '30–44', '30–44') },
          { code: '45-64', names: L('45–64', '45–64', '45–64') },
          { code: '65+', names: L('65+', '65+', '65+') },
        ],
      },
      {
        tenantId,
        code: 'district',
        names: L('Stadsdel', 'District', '地区'),
        sortOrder: 3,
        groups: districtRows.map((d) => ({ code: d.code, names: L(d.name, d.name, d.name) })),
      },
      {
        tenantId,
        code: 'language',
        names: L('Språk', 'Language', '语言'),
        sortOrder: 4,
        groups: [
          { code: 'sv', names: L('Svenska', 'Swedish', '瑞典语') },
          { code: 'en', names: L('Engelska', 'English', '英语') },
          { code: 'ar', names: L('Arabiska', 'Arabic', '阿拉伯语') },
          { code: 'so', names: L('Somaliska', 'Somali', '索马里语') },
          { code: 'other', names: L('Annat', 'Other', '其他') },
        ],
      },
    ]);

    // Approximate shares of Västerås's ~160,000 residents (SCB, rounded) for the demo baseline.
    const baseline: [string, string, number][] = [
      ['gender', 'woman', 79_500],
      ['gender', 'man', 80_000],
      ['gender', 'non_binary', 500],
      ['age_band', '0-17', 34_000],
      ['age_band', '18-29', 26_000],
      ['age_band', '30-44', 33_000],
      ['age_band', '45-64', 38_000],
      ['age_band', '65+', 29_000],
      ['district', 'centrum', 30_000],
      ['district', 'backby', 12_000],
      ['district', 'skiljebo', 9_000],
      ['district', 'hacksta', 6_000],
    ];
    await tx.insert(s.populationBaselines).values(
      baseline.map(([dimension, groupCode, population]) => ({
        tenantId,
        year: 2026,
        dimension,
        groupCode,
        population,
        source: 'SCB (demo, rounded)',
      })),
    );

    await tx.insert(s.apiClients).values({
      tenantId,
      name: 'Demo Open311 app',
      keyHash: sha256(open311Key),
      keyPrefix: open311Key.slice(0, 8),
    });

    return {
      tenantId,
      slug,
      staff: staff.map(({ email, roles }) => ({ email, roles })),
      departments: dept,
      categories: category,
      open311Key,
    };
  });
}
