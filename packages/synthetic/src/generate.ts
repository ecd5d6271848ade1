import { loadCalendar } from '@samtal/business-time';
import { createDb, schema, seedDemoMunicipality } from '@samtal/db';
import { and, eq } from 'drizzle-orm';
import type postgres from 'postgres';
import { BusinessClock } from './clock.ts';
import { bool, CopySink, json, line, num, text, time, words } from './copy.ts';
import { dropIndexes, restoreIndexes, type SavedIndexes } from './indexes.ts';
import {
  ANSWER_SHARE,
  CATEGORIES,
  CHANNELS,
  DESCRIPTIONS,
  DISPARITY,
  FIRST_RESPONSE_MEDIAN,
  HOURLY,
  LANGUAGE_BASELINE,
  PROFILE_SHARE,
  RESIDENTS,
  RESOLUTION_MEDIAN,
  STREETS,
  SYNCHRONOUS,
  seasonal,
  WEEKDAY,
} from './model.ts';
import { Random, Weighted } from './prng.ts';

export interface SyntheticOptions {
  databaseUrl: string;
  cases: number;
  seed?: number;
  /** Tenant slug; the tenant must not exist yet. */
  slug?: string;
  /** Days of history ending at `end`. */
  days?: number;
  /** The synthetic "now": nothing happens after it (ISO date; default: today 00:00 UTC). */
  end?: string;
  /** Drop and rebuild the loaded tables' indexes and keys around the load (default: from 200,000 cases). */
  dropIndexes?: boolean;
  log?: (message: string) => void;
}

export interface SyntheticResult {
  tenantId: string;
  slug: string;
  rows: Record<string, number>;
  seconds: { setup: number; load: number; indexes: number; analyze: number; total: number };
}

const DAY = 86_400_000;
const MINUTE = 60_000;

/** Swedish public holidays 2024–2025 (the demo calendar lists 2026–2027). */
const EARLIER_HOLIDAYS: [string, string][] = [
  ['2024-01-01', 'Nyårsdagen'],
  ['2024-01-06', 'Trettondedag jul'],
  ['2024-03-29', 'Långfredagen'],
  ['2024-04-01', 'Annandag påsk'],
  ['2024-05-01', 'Första maj'],
  ['2024-05-09', 'Kristi himmelsfärdsdag'],
  ['2024-06-06', 'Sveriges nationaldag'],
  ['2024-06-21', 'Midsommarafton'],
  ['2024-12-24', 'Julafton'],
  ['2024-12-25', 'Juldagen'],
  ['2024-12-26', 'Annandag jul'],
  ['2024-12-31', 'Nyårsafton'],
  ['2025-01-01', 'Nyårsdagen'],
  ['2025-01-06', 'Trettondedag jul'],
  ['2025-04-18', 'Långfredagen'],
  ['2025-04-21', 'Annandag påsk'],
  ['2025-05-01', 'Första maj'],
  ['2025-05-29', 'Kristi himmelsfärdsdag'],
  ['2025-06-06', 'Sveriges nationaldag'],
  ['2025-06-20', 'Midsommarafton'],
  ['2025-12-24', 'Julafton'],
  ['2025-12-25', 'Juldagen'],
  ['2025-12-26', 'Annandag jul'],
  ['2025-12-31', 'Nyårsafton'],
];

function seedOf(seed: number, slug: string): number {
  let h = seed >>> 0;
  for (const ch of slug) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A unique, non-sequential tracking code per case index (odd multiplier: a bijection mod 2³²). */
function trackingCode(i: number): string {
  let v = Math.imul(i + 1, 0x9e3779b1) >>> 0;
  let out = '';
  for (let k = 0; k < 7; k++) {
    out += CROCKFORD[v & 31];
    v = Math.floor(v / 32);
  }
  return `S${out}`;
}

export const CASE_COLUMNS = [
  'id',
  'tenant_id',
  'tracking_code',
  'access_token_hash',
  'channel',
  'category_id',
  'description',
  'latitude',
  'longitude',
  'address',
  'district_id',
  'language',
  'contact_email',
  'contact_phone',
  'status',
  'priority',
  'sensitive',
  'lead_department_id',
  'claimed_by',
  'claimed_at',
  'first_response_due_at',
  'resolution_due_at',
  'first_responded_at',
  'resolved_at',
  'closed_at',
  'resolution_code',
  'first_contact_resolution',
  'return_count',
  'reopen_count',
  'created_at',
  'updated_at',
] as const;

const EVENT_COLUMNS = [
  'tenant_id',
  'case_id',
  'type',
  'actor_kind',
  'actor_id',
  'visibility',
  'data',
  'created_at',
];
const MESSAGE_COLUMNS = [
  'id',
  'tenant_id',
  'case_id',
  'direction',
  'body',
  'author_staff_id',
  'department_id',
  'created_at',
];
const FEEDBACK_COLUMNS = ['tenant_id', 'case_id', 'rating', 'comment', 'requested_rehandling', 'created_at'];
const PROFILE_COLUMNS = [
  'id',
  'tenant_id',
  'case_id',
  'participation_id',
  'groups',
  'consent_at',
  'consent_text_version',
  'created_at',
];
const CONTACT_COLUMNS = [
  'id',
  'tenant_id',
  'channel',
  'queue',
  'external_id',
  'case_id',
  'agent_id',
  'offered_at',
  'answered_at',
  'abandoned_at',
  'ended_at',
  'wrap_up_ended_at',
  'created_at',
];

/** The tables the bulk load writes (their indexes are dropped and rebuilt around a large load). */
export const LOADED_TABLES = [
  'cases',
  'case_events',
  'messages',
  'feedback',
  'demographic_profiles',
  'contacts',
];

interface Tenant {
  tenantId: string;
  departments: Record<string, string>;
  contactCentreId: string;
  districts: { code: string; id: string; lat: number; lon: number }[];
  categories: {
    code: string;
    id: string;
    departmentId: string;
    sensitive: boolean;
    firstResponseMinutes: number;
    resolutionMinutes: number;
  }[];
  agents: string[];
  officersByDepartment: Map<string, string[]>;
  calendar: NonNullable<Awaited<ReturnType<typeof loadCalendar>>>;
}

async function setUpTenant(url: string, slug: string, random: Random, agentCount: number): Promise<Tenant> {
  const handle = createDb(url, { max: 1, applicationName: 'samtal-synthetic' });
  try {
    const { db } = handle;
    const demo = await seedDemoMunicipality(db, {
      slug,
      name: `Syntetiska kommunen (${slug})`,
      open311Key: `synthetic-${slug}-${random.hex64().slice(0, 24)}`,
    });
    const tenantId = demo.tenantId;
    const [calendarRow] = await db
      .select({ id: schema.businessCalendars.id })
      .from(schema.businessCalendars)
      .where(
        and(eq(schema.businessCalendars.tenantId, tenantId), eq(schema.businessCalendars.isDefault, true)),
      );
    await db
      .insert(schema.calendarHolidays)
      .values(EARLIER_HOLIDAYS.map(([day, name]) => ({ tenantId, calendarId: calendarRow!.id, day, name })));
    for (const year of [2024, 2025, 2027]) {
      await db.insert(schema.populationBaselines).values(
        (
          await db
            .select()
            .from(schema.populationBaselines)
            .where(
              and(
                eq(schema.populationBaselines.tenantId, tenantId),
                eq(schema.populationBaselines.year, 2026),
              ),
            )
        ).map((b) => ({ ...b, year, importedAt: undefined })),
      );
    }
    await db.insert(schema.populationBaselines).values(
      [2024, 2025, 2026, 2027].flatMap((year) =>
        LANGUAGE_BASELINE.map(([groupCode, population]) => ({
          tenantId,
          year,
          dimension: 'language',
          groupCode,
          population,
          source: 'synthetic (rounded)',
        })),
      ),
    );

    // More staff, sharing the demo password (its hash is copied: hashing is slow on purpose).
    const [anyStaff] = await db
      .select({ passwordHash: schema.staffUsers.passwordHash })
      .from(schema.staffUsers)
      .where(eq(schema.staffUsers.tenantId, tenantId))
      .limit(1);
    const passwordHash = anyStaff!.passwordHash;
    const agentRows = await db
      .insert(schema.staffUsers)
      .values(
        Array.from({ length: agentCount }, (_, i) => ({
          tenantId,
          email: `agent-${String(i + 1).padStart(3, '0')}@${slug}.synthetic`,
          displayName: `Agent ${i + 1}`,
          passwordHash,
          roles: ['agent'],
        })),
      )
      .returning({ id: schema.staffUsers.id });
    const officersByDepartment = new Map<string, string[]>();
    for (const [code, departmentId] of Object.entries(demo.departments)) {
      if (code === 'contact-centre') continue;
      const officers = await db
        .insert(schema.staffUsers)
        .values(
          [1, 2].map((n) => ({
            tenantId,
            email: `officer-${code}-${n}@${slug}.synthetic`,
            displayName: `Officer ${code} ${n}`,
            passwordHash,
            roles: ['department_officer'],
          })),
        )
        .returning({ id: schema.staffUsers.id });
      await db
        .insert(schema.departmentMemberships)
        .values(officers.map((o) => ({ tenantId, userId: o.id, departmentId })));
      officersByDepartment.set(
        departmentId,
        officers.map((o) => o.id),
      );
    }

    const districtRows = await db
      .select()
      .from(schema.districts)
      .where(eq(schema.districts.tenantId, tenantId));
    const districts = districtRows.map((d) => {
      const ring = (
        (d.boundary?.coordinates ?? [
          [
            [0, 0],
            [0, 0],
            [0, 0],
          ],
        ]) as number[][][]
      )[0]!;
      const lon = (ring[0]![0]! + ring[2]![0]!) / 2;
      const lat = (ring[0]![1]! + ring[2]![1]!) / 2;
      return { code: d.code, id: d.id, lat, lon };
    });
    const categoryRows = await db
      .select({
        code: schema.categories.code,
        id: schema.categories.id,
        departmentId: schema.categories.defaultDepartmentId,
        sensitive: schema.categories.sensitive,
        firstResponseMinutes: schema.slaPolicies.firstResponseMinutes,
        resolutionMinutes: schema.slaPolicies.resolutionMinutes,
      })
      .from(schema.categories)
      .innerJoin(schema.slaPolicies, eq(schema.slaPolicies.id, schema.categories.slaPolicyId))
      .where(eq(schema.categories.tenantId, tenantId));
    const calendar = await loadCalendar(db, tenantId);
    return {
      tenantId,
      departments: demo.departments,
      contactCentreId: demo.departments['contact-centre']!,
      districts,
      categories: categoryRows.map((c) => ({ ...c, departmentId: c.departmentId! })),
      agents: agentRows.map((a) => a.id),
      officersByDepartment,
      calendar: calendar!,
    };
  } finally {
    await handle.close();
  }
}

/** Sinks share one connection each; FK triggers are off there (rows are consistent by construction). */
async function openSink(
  connections: postgres.Sql[],
  open: (url: string) => postgres.Sql,
  url: string,
  table: string,
  columns: readonly string[],
): Promise<CopySink> {
  const sql = open(url);
  connections.push(sql);
  await sql.unsafe('set session_replication_role = replica');
  return CopySink.open(sql, table, columns);
}

/**
 * Seeds a synthetic municipality: the demo tenant's organisation, more staff, `cases` cases spread
 * over `days` days of seasonal, weekly and daily volume, with their events, messages, feedback,
 * demographic profiles and contacts, plus presence and dialogues — all streamed with COPY.
 */
export async function seedSyntheticMunicipality(
  options: SyntheticOptions,
  open: (url: string) => postgres.Sql,
): Promise<SyntheticResult> {
  const log = options.log ?? (() => {});
  const t0 = performance.now();
  const slug = options.slug ?? 'synthetic';
  // The slug is part of the seed, so two tenants in one database never draw the same ids.
  const random = new Random(seedOf(options.seed ?? 1, slug));
  const days = options.days ?? 730;
  const endMs = options.end ? Date.parse(options.end) : Math.floor(Date.now() / DAY) * DAY;
  if (!Number.isFinite(endMs)) throw new Error(`--end: not a date: ${options.end}`);
  const startMs = endMs - days * DAY;
  const n = options.cases;
  const agentCount = Math.max(8, Math.min(200, Math.round(n / 50_000)));

  const tenant = await setUpTenant(options.databaseUrl, slug, random, agentCount);
  const { tenantId } = tenant;
  // 120 days past `end` so SLA deadlines of the newest cases fall inside the table.
  const clock = new BusinessClock(tenant.calendar, startMs, endMs + 120 * DAY);
  const tSetup = performance.now();
  log(`tenant ${slug} ready (${tenantId}), ${agentCount} agents; business clock built`);

  // Volume: a weight per 15-minute slot inside [start, end); case i sits at quantile (i + u) / n.
  const volumeSlots = Math.round((endMs - startMs) / (15 * MINUTE));
  const slotWeights = new Array<number>(volumeSlots);
  const holidays = new Set([...(tenant.calendar.holidays as ReadonlySet<string>)].map((d) => d.slice(0, 10)));
  for (let i = 0; i < volumeSlots; i++) {
    const at = clock.slotStart(i);
    const trend = 1 + (0.1 * (at - startMs)) / (365 * DAY);
    const holiday = holidays.has(new Date(at).toISOString().slice(0, 10)) ? 0.5 : 1;
    slotWeights[i] =
      HOURLY[clock.localHour[i]!]! *
      WEEKDAY[clock.localWeekday[i]!]! *
      seasonal(clock.localDayOfYear[i]!) *
      trend *
      holiday;
  }
  const volume = new Weighted(
    Array.from({ length: volumeSlots }, (_, i) => i),
    slotWeights,
  );

  const channel = new Weighted(CHANNELS.items, CHANNELS.weights);
  const categoryByCode = new Map(tenant.categories.map((c) => [c.code, c]));
  const categoryCodes = Object.keys(CATEGORIES).filter((c) => categoryByCode.has(c));
  const category = new Weighted(
    categoryCodes,
    categoryCodes.map((c) => CATEGORIES[c]!.share),
  );
  const gender = new Weighted(RESIDENTS.gender.items, RESIDENTS.gender.weights);
  const ageBand = new Weighted(RESIDENTS.age_band.items, RESIDENTS.age_band.weights);
  const district = new Weighted(RESIDENTS.district.items, RESIDENTS.district.weights);
  const language = new Weighted(RESIDENTS.language.items, RESIDENTS.language.weights);
  const ratingScale = [1, 2, 3, 4, 5];
  const ratings = new Weighted(ratingScale, DISPARITY.ratings);
  const ratingsByAge = new Map(
    Object.entries(DISPARITY.ratingsByAge).map(([age, w]) => [age, new Weighted(ratingScale, w)]),
  );
  const districtByCode = new Map(tenant.districts.map((d) => [d.code, d]));

  // Large loads: drop the loaded tables' indexes and keys, rebuild them afterwards.
  const drop = options.dropIndexes ?? n >= 200_000;
  const admin = open(options.databaseUrl);
  let saved: SavedIndexes | undefined;
  if (drop) {
    saved = await dropIndexes(admin, LOADED_TABLES);
    log(`dropped ${saved.indexes.length} indexes and ${saved.constraints.length} constraints`);
  }

  const connections: postgres.Sql[] = [];
  const url = options.databaseUrl;
  const sinks = {
    cases: await openSink(connections, open, url, 'cases', CASE_COLUMNS),
    events: await openSink(connections, open, url, 'case_events', EVENT_COLUMNS),
    messages: await openSink(connections, open, url, 'messages', MESSAGE_COLUMNS),
    feedback: await openSink(connections, open, url, 'feedback', FEEDBACK_COLUMNS),
    profiles: await openSink(connections, open, url, 'demographic_profiles', PROFILE_COLUMNS),
    contacts: await openSink(connections, open, url, 'contacts', CONTACT_COLUMNS),
  };
  const pending: Promise<void>[] = [];
  const put = (sink: CopySink, fields: string[]) => {
    const wait = sink.row(line(fields));
    if (wait) pending.push(wait);
  };

  const T = tenantId;
  let contactSeq = 0;
  const event = (
    caseId: string,
    type: string,
    actorKind: string,
    actorId: string | null,
    visibility: 'public' | 'internal',
    data: string,
    at: number,
  ) => put(sinks.events, [T, caseId, type, actorKind, text(actorId), visibility, data, time(at)]);

  for (let i = 0; i < n; i++) {
    const slot = volume.indexAt((i + random.next()) / n);
    const created = clock.slotStart(slot) + Math.floor(random.next() * 15 * MINUTE);
    const id = random.uuid();
    const ch = channel.draw(random);
    const cat = categoryByCode.get(category.draw(random))!;
    const model = CATEGORIES[cat.code]!;
    const resident = {
      gender: gender.draw(random),
      age_band: ageBand.draw(random),
      district: district.draw(random),
      language: language.draw(random),
    };
    const home = districtByCode.get(resident.district);
    const caseLanguage =
      resident.language === 'sv'
        ? 'sv'
        : resident.language === 'en'
          ? 'en'
          : random.chance(0.6)
            ? 'sv'
            : 'en';
    const sync = SYNCHRONOUS.has(ch);
    const priority =
      cat.code === 'water-leak'
        ? 'urgent'
        : cat.code === 'violence-support'
          ? 'high'
          : random.chance(0.03)
            ? 'high'
            : 'normal';

    // First response: on the spot on synchronous channels (less often for some languages), else
    // after a log-normal wait in business minutes with the injected multipliers.
    const onTheSpot =
      sync && random.chance(DISPARITY.onTheSpotByLanguage[resident.language] ?? DISPARITY.onTheSpot);
    const frFactor =
      (DISPARITY.firstResponseByLanguage[resident.language] ?? 1) *
      (DISPARITY.firstResponseByDistrict[resident.district] ?? 1);
    const firstResponded = onTheSpot
      ? created + Math.floor(random.next() * 4 * MINUTE)
      : clock.add(created, Math.max(1, random.logNormal(FIRST_RESPONSE_MEDIAN * frFactor, 0.9)));
    const direct = random.chance(model.direct);
    const leadDepartment = direct ? tenant.contactCentreId : cat.departmentId;
    const routedAt = direct ? null : created + (1 + Math.floor(random.next() * 20)) * MINUTE;
    const returned = !direct && random.chance(0.05);
    const resolutionFactor = model.effort * (DISPARITY.resolutionByDistrict[resident.district] ?? 1);
    let resolved: number | null = null;
    if (firstResponded !== null) {
      resolved = direct
        ? firstResponded + (onTheSpot ? Math.floor(random.next() * 6 * MINUTE) : 0)
        : clock.add(firstResponded, Math.max(5, random.logNormal(RESOLUTION_MEDIAN * resolutionFactor, 0.9)));
    }
    const frDue = clock.add(created, cat.firstResponseMinutes);
    const resDue = clock.add(created, cat.resolutionMinutes);
    const fr = firstResponded !== null && firstResponded <= endMs ? firstResponded : null;
    const res = resolved !== null && resolved <= endMs && fr !== null ? resolved : null;
    const reopened = res !== null && random.chance(0.03);
    const closed = res !== null && res + 14 * DAY <= endMs ? res + 14 * DAY : null;
    const status =
      closed !== null
        ? 'closed'
        : res !== null
          ? 'resolved'
          : fr !== null
            ? random.chance(0.1)
              ? 'waiting_on_resident'
              : 'in_progress'
            : routedAt !== null && routedAt <= endMs
              ? 'routed'
              : 'new';
    const handler = direct
      ? random.pick(tenant.agents)
      : random.pick(tenant.officersByDepartment.get(cat.departmentId) ?? tenant.agents);
    const fcr = direct && onTheSpot && res !== null;
    const lastChange = closed ?? res ?? fr ?? (routedAt !== null && routedAt <= endMs ? routedAt : created);
    const lat = home ? home.lat + (random.next() - 0.5) * 0.015 : null;
    const lon = home ? home.lon + (random.next() - 0.5) * 0.015 : null;

    put(sinks.cases, [
      id,
      T,
      trackingCode(i),
      random.hex64(),
      ch,
      cat.id,
      text(random.pick(DESCRIPTIONS[cat.code] ?? ['Ärende'])),
      num(lat),
      num(lon),
      `${random.pick(STREETS)} ${1 + random.int(80)}`,
      text(home?.id),
      caseLanguage,
      ch === 'web' || ch === 'email' ? `r${i}@example.se` : '\\N',
      ch === 'phone' ? `+4670${String(i).padStart(7, '0')}` : '\\N',
      status,
      priority,
      bool(cat.sensitive),
      leadDepartment,
      fr !== null ? handler : '\\N',
      time(fr),
      time(frDue),
      time(resDue),
      time(fr),
      time(res),
      time(closed),
      res !== null ? (direct ? 'answered' : 'fixed') : '\\N',
      bool(fcr),
      returned ? '1' : '0',
      reopened ? '1' : '0',
      time(created),
      time(lastChange),
    ]);

    // History.
    event(id, 'created', 'resident', null, 'public', '{"to":"new"}', created);
    if (routedAt !== null && routedAt <= endMs) {
      event(
        id,
        'routed',
        'system',
        null,
        'public',
        `{"from":"new","to":"routed","department":"${leadDepartment}"}`,
        routedAt,
      );
      if (returned && fr !== null) {
        event(
          id,
          'returned',
          'staff',
          handler,
          'internal',
          '{"from":"routed","to":"returned","reason":"misrouted"}',
          routedAt + 30 * MINUTE,
        );
        event(
          id,
          'routed',
          'staff',
          random.pick(tenant.agents),
          'public',
          '{"from":"returned","to":"routed"}',
          routedAt + 60 * MINUTE,
        );
      }
      if (fr !== null)
        event(
          id,
          'accepted',
          'staff',
          handler,
          'public',
          '{"from":"routed","to":"accepted"}',
          Math.max(routedAt, fr - MINUTE),
        );
    }
    if (fr !== null && !onTheSpot) {
      put(sinks.messages, [
        random.uuid(),
        T,
        id,
        'to_resident',
        'Tack för ditt ärende. Vi återkommer så snart vi kan.',
        handler,
        leadDepartment,
        time(fr),
      ]);
      if (random.chance(0.25)) {
        const at = fr + Math.floor(random.next() * 2 * DAY);
        if (at <= endMs)
          put(sinks.messages, [
            random.uuid(),
            T,
            id,
            'from_resident',
            'Tack! Här kommer mer information.',
            '\\N',
            '\\N',
            time(at),
          ]);
      }
    }
    if (res !== null) {
      event(id, 'resolved', 'staff', handler, 'public', '{"to":"resolved"}', res);
      if (reopened)
        event(id, 'reopened', 'resident', null, 'public', '{"from":"resolved","to":"reopened"}', res);
      if (closed !== null)
        event(id, 'closed', 'system', null, 'public', '{"from":"resolved","to":"closed"}', closed);
      const ratedAt = res + Math.floor(random.next() * 3 * DAY);
      if (ratedAt <= endMs && random.chance(0.35)) {
        const rating = (ratingsByAge.get(resident.age_band) ?? ratings).draw(random);
        put(sinks.feedback, [
          T,
          id,
          String(rating),
          '\\N',
          bool(rating <= 2 && random.chance(0.3)),
          time(ratedAt),
        ]);
        event(id, 'feedback_received', 'resident', null, 'internal', `{"rating":${rating}}`, ratedAt);
      }
    }

    // Voluntary demographics, kept apart from the case.
    if (random.chance(PROFILE_SHARE)) {
      const groups: Record<string, string> = {};
      for (const [dimension, value] of Object.entries(resident)) {
        if (random.chance(ANSWER_SHARE)) groups[dimension] = value;
      }
      put(sinks.profiles, [random.uuid(), T, id, '\\N', json(groups), time(created), 'v1', time(created)]);
    }

    // Phone and chat: the contact behind the case, and now and then an abandoned one.
    if (ch === 'phone' || ch === 'chat') {
      const wait = Math.max(1, random.logNormal(ch === 'phone' ? 35 : 15, 0.9)) * 1000;
      const offered = created - wait;
      const handle = Math.max(30, random.logNormal(ch === 'phone' ? 240 : 420, 0.6)) * 1000;
      const ended = created + handle;
      const wrapUp = ended + Math.max(5, random.logNormal(60, 0.5)) * 1000;
      put(sinks.contacts, [
        random.uuid(),
        T,
        ch,
        'general',
        `syn-${contactSeq++}`,
        id,
        random.pick(tenant.agents),
        time(offered),
        time(created),
        '\\N',
        time(Math.min(ended, endMs)),
        time(Math.min(wrapUp, endMs)),
        time(offered),
      ]);
      if (random.chance(0.09)) {
        const abandonedOffered = created - Math.floor(random.next() * 30 * MINUTE);
        put(sinks.contacts, [
          random.uuid(),
          T,
          ch,
          'general',
          `syn-${contactSeq++}`,
          '\\N',
          '\\N',
          time(abandonedOffered),
          '\\N',
          time(abandonedOffered + Math.max(2, random.logNormal(70, 0.8)) * 1000),
          '\\N',
          '\\N',
          time(abandonedOffered),
        ]);
      }
    }

    if (pending.length) {
      await Promise.all(pending);
      pending.length = 0;
    }
    if (i > 0 && i % 1_000_000 === 0) log(`${i.toLocaleString('en')} cases generated`);
  }

  const rows: Record<string, number> = {};
  for (const sink of Object.values(sinks)) rows[sink.table] = await sink.end();
  await Promise.all(connections.map((c) => c.end({ timeout: 5 })));
  const tLoad = performance.now();
  log(`COPY done in ${((tLoad - tSetup) / 1000).toFixed(1)} s: ${JSON.stringify(rows)}`);

  Object.assign(rows, await seedPresenceAndDialogues(open, url, tenant, clock, random, startMs, endMs, n));

  if (saved) {
    await restoreIndexes(admin, saved, log);
  }
  const tIndexes = performance.now();
  for (const table of [
    ...LOADED_TABLES,
    'staff_presence',
    'participations',
    'contributions',
    'outcome_links',
  ]) {
    // VACUUM too, not only ANALYZE: it sets the visibility map, as autovacuum has on a live
    // database, so index-only scans (the backlog's) read no heap; a benchmark right after a load
    // would otherwise measure a state no running city is in.
    await admin.unsafe(`vacuum (analyze) "${table}"`);
  }
  const tAnalyze = performance.now();
  await admin.end({ timeout: 5 });
  const s = (a: number, b: number) => Math.round((b - a) / 100) / 10;
  return {
    tenantId,
    slug,
    rows,
    seconds: {
      setup: s(t0, tSetup),
      load: s(tSetup, tLoad),
      indexes: s(tLoad, tIndexes),
      analyze: s(tIndexes, tAnalyze),
      total: s(t0, tAnalyze),
    },
  };
}

/** Presence intervals for every agent on every business day, and residents' dialogues. */
async function seedPresenceAndDialogues(
  open: (url: string) => postgres.Sql,
  url: string,
  tenant: Tenant,
  clock: BusinessClock,
  random: Random,
  startMs: number,
  endMs: number,
  cases: number,
): Promise<Record<string, number>> {
  const T = tenant.tenantId;
  const connections: postgres.Sql[] = [];
  const presence = await openSink(connections, open, url, 'staff_presence', [
    'tenant_id',
    'user_id',
    'status',
    'started_at',
    'ended_at',
  ]);
  const waits: Promise<void>[] = [];
  const put = (sink: CopySink, fields: string[]) => {
    const wait = sink.row(line(fields));
    if (wait) waits.push(wait);
  };

  // Opening spans per local day: consecutive open slots.
  const spans: [number, number][] = [];
  const lastSlot = Math.floor((endMs - startMs) / (15 * MINUTE));
  for (let i = 0; i < lastSlot; i++) {
    if (!clock.isOpenSlot(i)) continue;
    let j = i;
    while (j < lastSlot && clock.isOpenSlot(j)) j++;
    spans.push([clock.slotStart(i), clock.slotStart(j)]);
    i = j;
  }
  for (const [open, close] of spans) {
    for (const agent of tenant.agents) {
      if (random.chance(0.12)) continue; // off that day
      let at = open + Math.floor(random.next() * 20) * MINUTE;
      while (at < close) {
        const status = random.chance(0.55) ? 'busy' : random.chance(0.85) ? 'available' : 'away';
        const until = Math.min(close, at + Math.max(5, random.logNormal(40, 0.7)) * MINUTE);
        put(presence, [T, agent, status, time(at), time(until)]);
        at = until;
      }
      put(presence, [T, agent, 'offline', time(at), time(Math.min(at + 14 * 60 * MINUTE, endMs))]);
    }
    if (waits.length) {
      await Promise.all(waits);
      waits.length = 0;
    }
  }

  // Dialogues: individual participants (with demographic profiles), a paper sign-in aggregate,
  // contributions and outcomes that take some contributions into account.
  const participations = await openSink(connections, open, url, 'participations', [
    'id',
    'tenant_id',
    'dialogue_id',
    'kind',
    'count',
    'groups',
    'language',
    'created_at',
  ]);
  const profiles = await openSink(connections, open, url, 'demographic_profiles', PROFILE_COLUMNS);
  const contributions = await openSink(connections, open, url, 'contributions', [
    'id',
    'tenant_id',
    'dialogue_id',
    'participation_id',
    'source',
    'kind',
    'body',
    'themes',
    'language',
    'groups',
    'created_at',
  ]);
  const dialogueCount = Math.max(4, Math.min(200, Math.round(cases / 50_000)));
  const dialogueRows: Record<string, unknown>[] = [];
  const outcomeRows: Record<string, unknown>[] = [];
  const links: { outcomeId: string; contributionId: string; response: string }[] = [];
  const age = new Weighted(
    RESIDENTS.age_band.items,
    RESIDENTS.age_band.weights.map(
      (w, k) => (w / RESIDENTS.age_band.weights[k]!) * [34, 26, 33, 38, 29][k]! * DISPARITY.dialogueAge[k]!,
    ),
  );
  const gender = new Weighted(RESIDENTS.gender.items, RESIDENTS.gender.weights);
  const district = new Weighted(RESIDENTS.district.items, RESIDENTS.district.weights);
  const language = new Weighted(RESIDENTS.language.items, RESIDENTS.language.weights);
  const themes = ['traffic', 'green_space', 'safety', 'housing', 'culture', 'schools'];
  const methods = ['public_meeting', 'workshop', 'online_survey', 'walk', 'focus_group'];
  for (let d = 0; d < dialogueCount; d++) {
    const dialogueId = random.uuid();
    const opened = startMs + Math.floor(random.next() * (endMs - startMs - 30 * DAY));
    const closedAt = opened + (7 + random.int(40)) * DAY;
    const isClosed = closedAt <= endMs;
    const outcomeIds = isClosed ? [random.uuid(), random.uuid(), random.uuid()] : [];
    dialogueRows.push({
      id: dialogueId,
      tenantId: T,
      title: `Dialog ${d + 1}: ${random.pick(themes)}`,
      question: 'Hur vill du att vi utvecklar området?',
      purpose: 'Inhämta synpunkter inför beslut',
      method: random.pick(methods),
      status: isClosed ? 'reported' : 'open',
      languages: ['sv', 'en'],
      targetGroups: { age_band: { '18-29': 0.2 } },
      openedAt: new Date(opened),
      closedAt: isClosed ? new Date(closedAt) : null,
      reportedAt: isClosed ? new Date(closedAt + 7 * DAY) : null,
      createdAt: new Date(opened - 14 * DAY),
    });
    for (const [k, oid] of outcomeIds.entries()) {
      outcomeRows.push({
        id: oid,
        tenantId: T,
        dialogueId,
        kind: k === 0 ? 'decision' : 'action',
        titles: { sv: `Beslut ${k + 1}`, en: `Decision ${k + 1}` },
        decidedAt: new Date(closedAt + 5 * DAY),
      });
    }
    const people = 40 + random.int(160);
    for (let p = 0; p < people; p++) {
      const participationId = random.uuid();
      const groups = {
        gender: gender.draw(random),
        age_band: age.draw(random),
        district: district.draw(random),
        language: language.draw(random),
      };
      const at = opened + Math.floor(random.next() * (closedAt - opened));
      put(participations, [
        participationId,
        T,
        dialogueId,
        'individual',
        '1',
        '{}',
        groups.language === 'sv' ? 'sv' : 'en',
        time(at),
      ]);
      put(profiles, [random.uuid(), T, '\\N', participationId, json(groups), time(at), 'v1', time(at)]);
      const said = 1 + random.int(3);
      for (let c = 0; c < said; c++) {
        const contributionId = random.uuid();
        put(contributions, [
          contributionId,
          T,
          dialogueId,
          participationId,
          'participant',
          random.pick(['idea', 'concern', 'question', 'proposal']),
          'Mer belysning och fler bänkar längs ån.',
          words([random.pick(themes)]),
          groups.language === 'sv' ? 'sv' : 'en',
          json(groups),
          time(at + c * MINUTE),
        ]);
        if (
          outcomeIds.length &&
          random.chance(DISPARITY.takenByLanguage[groups.language] ?? DISPARITY.taken)
        ) {
          links.push({
            outcomeId: random.pick(outcomeIds),
            contributionId,
            response: random.pick(['taken', 'partly']),
          });
        } else if (outcomeIds.length && random.chance(0.3)) {
          links.push({ outcomeId: random.pick(outcomeIds), contributionId, response: 'not_taken' });
        }
      }
      if (waits.length) {
        await Promise.all(waits);
        waits.length = 0;
      }
    }
    // A paper sign-in sheet counted by the facilitator, per age band.
    for (const band of RESIDENTS.age_band.items.slice(1)) {
      put(participations, [
        random.uuid(),
        T,
        dialogueId,
        'aggregate',
        String(1 + random.int(12)),
        json({ age_band: band }),
        '\\N',
        time(opened),
      ]);
    }
  }

  // Parents first: dialogues and outcomes are few, so a plain insert does; then the COPY streams.
  const setup = createDb(url, { max: 1, applicationName: 'samtal-synthetic' });
  try {
    for (let k = 0; k < dialogueRows.length; k += 500)
      await setup.db
        .insert(schema.dialogues)
        .values(dialogueRows.slice(k, k + 500) as (typeof schema.dialogues.$inferInsert)[]);
    for (let k = 0; k < outcomeRows.length; k += 500)
      await setup.db
        .insert(schema.outcomes)
        .values(outcomeRows.slice(k, k + 500) as (typeof schema.outcomes.$inferInsert)[]);
  } finally {
    await setup.close();
  }
  const rows: Record<string, number> = {
    staff_presence: await presence.end(),
    participations: await participations.end(),
    dialogue_profiles: await profiles.end(),
    contributions: await contributions.end(),
    dialogues: dialogueRows.length,
    outcomes: outcomeRows.length,
  };
  const linkSink = await openSink(connections, open, url, 'outcome_links', [
    'tenant_id',
    'outcome_id',
    'contribution_id',
    'response',
  ]);
  const seen = new Set<string>();
  for (const l of links) {
    const key = `${l.outcomeId}/${l.contributionId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    put(linkSink, [T, l.outcomeId, l.contributionId, l.response]);
    if (waits.length) {
      await Promise.all(waits);
      waits.length = 0;
    }
  }
  rows.outcome_links = await linkSink.end();
  await Promise.all(connections.map((c) => c.end({ timeout: 5 })));
  return rows;
}
