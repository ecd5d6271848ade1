import type { DbHandle } from '@samtal/db';
import { UNKNOWN_GROUP } from '@samtal/domain';
import {
  disparity,
  isSuppressed,
  type MaybeSuppressed,
  type RateDisparity,
  rateDisparity,
  representationRatio,
  roseIndex,
  SUPPRESSED,
  suppressTable1D,
  wilsonInterval,
} from '@samtal/indicators';
import type { Period, TenantContext } from './context.ts';
import { addEquityFact, type EquitySums, emptyEquitySums, equityFact, type FactContext } from './facts.ts';
import { toPg } from './pg-time.ts';
import { type CaseFilters, CURSOR_ROWS, caseFilterSql, epochMs } from './queries.ts';
import { addEncodedTally } from './tally-codec.ts';

/**
 * Equity indicators. Individual demographic profiles are read only here, only to count them into
 * groups; nothing below returns a row about a person, and every count goes through small-cell
 * suppression (k of the tenant) before it leaves.
 */

export interface Dimension {
  code: string;
  names: Record<string, string>;
  groups: { code: string; names: Record<string, string> }[];
}

export async function loadDimensions(db: DbHandle, tenantId: string, only?: string): Promise<Dimension[]> {
  const rows = await db.sql<Dimension[]>`
    select code, names, groups from demographic_dimensions
     where tenant_id = ${tenantId} and active ${only ? db.sql`and code = ${only}` : db.sql``}
     order by sort_order, code`;
  return rows.map((r) => ({ code: r.code, names: r.names, groups: r.groups }));
}

/** The newest baseline year per dimension: dimension → { year, group → population }. */
export async function loadBaselines(
  db: DbHandle,
  tenantId: string,
): Promise<Map<string, { year: number; population: Map<string, number> }>> {
  const rows = await db.sql<{ dimension: string; year: number; group_code: string; population: number }[]>`
    select b.dimension, b.year, b.group_code, b.population::float8 as population
      from population_baselines b
     where b.tenant_id = ${tenantId}
       and b.year = (select max(year) from population_baselines x
                      where x.tenant_id = b.tenant_id and x.dimension = b.dimension)`;
  const out = new Map<string, { year: number; population: Map<string, number> }>();
  for (const r of rows) {
    let entry = out.get(r.dimension);
    if (!entry) {
      entry = { year: r.year, population: new Map() };
      out.set(r.dimension, entry);
    }
    entry.population.set(r.group_code, r.population);
  }
  return out;
}

/** The group a set of answers puts someone in for a dimension: a configured group, else unknown. */
export function groupOf(dimension: Dimension, answers: Record<string, string> | null | undefined): string {
  const answer = answers?.[dimension.code];
  return answer && dimension.groups.some((g) => g.code === answer) ? answer : UNKNOWN_GROUP;
}

const round = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined ? null : Number(v.toFixed(digits));

export interface GroupCountRow {
  group: string;
  count: MaybeSuppressed<number>;
  share: MaybeSuppressed<number | null>;
  populationShare: number | null;
  representationRatio: MaybeSuppressed<number | null>;
}

/**
 * Counts per group (all configured groups plus unknown, zeros included), suppressed; shares of the
 * total; representation against the baseline and the Rose index.
 *
 * Representation compares the shares among people whose group is known with the population shares
 * (the census has no "unknown"). Because that share's denominator is total − unknown, a ratio is
 * published only while the unknown cell is visible (else it would reveal the hidden unknown count),
 * and the Rose index only when no cell of the dimension is hidden.
 */
export function groupCountTable(
  dimension: Dimension,
  counts: Map<string, number>,
  baseline: { year: number; population: Map<string, number> } | undefined,
  k: number,
) {
  const codes = [...dimension.groups.map((g) => g.code), UNKNOWN_GROUP];
  const table = suppressTable1D(
    codes.map((group) => ({ group, count: counts.get(group) ?? 0 })),
    k,
  );
  const total = codes.reduce((sum, g) => sum + (counts.get(g) ?? 0), 0);
  const known = total - (counts.get(UNKNOWN_GROUP) ?? 0);
  const unknownHidden = isSuppressed(table.cells.at(-1)!.count);
  const populationTotal = baseline ? [...baseline.population.values()].reduce((a, b) => a + b, 0) : 0;
  const populationShare = (group: string) =>
    baseline && populationTotal > 0 && group !== UNKNOWN_GROUP
      ? (baseline.population.get(group) ?? 0) / populationTotal
      : null;
  const groups: GroupCountRow[] = table.cells.map((cell) => {
    const hidden = isSuppressed(cell.count);
    const count = counts.get(cell.group) ?? 0;
    const p = populationShare(cell.group);
    return {
      group: cell.group,
      count: cell.count,
      share: hidden ? SUPPRESSED : round(total > 0 ? count / total : null),
      populationShare: round(p),
      representationRatio:
        hidden || unknownHidden
          ? SUPPRESSED
          : round(p === null || known === 0 ? null : representationRatio(count / known, p), 3),
    };
  });
  let rose: MaybeSuppressed<number | null> = null;
  if (baseline && populationTotal > 0 && known > 0) {
    if (table.cells.some((c) => isSuppressed(c.count))) rose = SUPPRESSED;
    else {
      const observed = Object.fromEntries(
        dimension.groups.map((g) => [g.code, (counts.get(g.code) ?? 0) / known]),
      );
      const population = Object.fromEntries(
        [...baseline.population.entries()].map(([g, n]) => [g, n / populationTotal]),
      );
      rose = round(roseIndex(observed, population));
    }
  }
  return {
    total: table.total,
    baselineYear: baseline?.year ?? null,
    roseIndex: rose,
    groups,
    hidden: new Set(table.cells.filter((c) => isSuppressed(c.count)).map((c) => c.group)),
  };
}

/** A rate for one group: published only over at least k people and when the group is not hidden. */
export function groupRate(numerator: number, denominator: number, hidden: boolean, k: number) {
  if (hidden || denominator < k) return SUPPRESSED;
  const ci = wilsonInterval(numerator, denominator);
  return {
    n: denominator,
    value: round(numerator / denominator),
    ci: ci && { lower: round(ci.lower)!, upper: round(ci.upper)! },
  };
}

function publicDisparity(d: RateDisparity | ReturnType<typeof disparity>) {
  return {
    ratio: round(d.ratio, 3),
    lowestGroup: d.lowestGroup,
    highestGroup: d.highestGroup,
    flagged: d.flagged,
    clearGap: 'clearGap' in d ? d.clearGap : null,
    pValue: 'pValue' in d ? round(d.pValue) : null,
  };
}

/** Where case equity is answered from: the daily equity rollups, or the cases themselves. */
export type EquitySource = 'rollup' | 'exact';

/**
 * Reach and service parity of cases per demographic dimension, for cases created in the period.
 * Disparity ratios compare the groups that answered (unknown is left out: it is not a group of
 * residents but missing data) and only groups whose numbers are published.
 *
 * The rollups answer the city-wide and per-channel cuts once they have been built for every
 * dimension asked about; other filters, `source=exact`, and a tenant whose rollups are not built
 * (yet) are answered from the cases. Both add the same facts with the same code (facts.ts), so they
 * agree, which the equity test checks.
 */
export async function caseEquity(
  db: DbHandle,
  tenant: TenantContext,
  period: Period,
  filters: CaseFilters,
  context: Omit<FactContext, 'calendar'>,
  onlyDimension?: string,
  source: 'auto' | EquitySource = 'auto',
) {
  const dimensions = await loadDimensions(db, tenant.id, onlyDimension);
  const baselines = await loadBaselines(db, tenant.id);
  const rollup =
    source !== 'exact' && (await equityRollupCovers(db, tenant.id, filters, dimensions))
      ? await rollupEquitySums(db, tenant.id, period, filters.channel, dimensions)
      : null;
  const sums = rollup ?? (await exactEquitySums(db, tenant, period, filters, context, dimensions));
  return {
    source: (rollup ? 'rollup' : 'exact') as EquitySource,
    dimensions: dimensions.map((dimension) =>
      equityOfDimension(
        dimension,
        sums.get(dimension.code)!,
        baselines.get(dimension.code),
        tenant.smallCellK,
      ),
    ),
  };
}

/** Per dimension, per group: the service numbers of the period's cases, straight from the cases. */
async function exactEquitySums(
  db: DbHandle,
  tenant: TenantContext,
  period: Period,
  filters: CaseFilters,
  context: Omit<FactContext, 'calendar'>,
  dimensions: Dimension[],
): Promise<Map<string, Map<string, EquitySums>>> {
  const { sql } = db;
  // Plain joins here, unlike forEachCase: over 1 M cases a 30-day equity query ran in 0.47 s with
  // the planner's hash joins and 0.84 s with per-case LATERAL lookups of profile and feedback (two
  // probes per case); for periods of months the hash joins win by more. See docs/performance.md.
  const query = sql<
    {
      created_at: number;
      first_responded_at: number | null;
      first_response_due_at: number | null;
      resolved_at: number | null;
      rating: number | null;
      groups: Record<string, string> | null;
    }[]
  >`
    select ${epochMs(sql, 'c.created_at')} as created_at,
           ${epochMs(sql, 'c.first_responded_at')} as first_responded_at,
           ${epochMs(sql, 'c.first_response_due_at')} as first_response_due_at,
           ${epochMs(sql, 'c.resolved_at')} as resolved_at, f.rating, p.groups
      from cases c
      left join demographic_profiles p on p.tenant_id = c.tenant_id and p.case_id = c.id
      left join feedback f on f.tenant_id = c.tenant_id and f.case_id = c.id
     where c.tenant_id = ${tenant.id} and c.created_at >= ${toPg(period.start)} and c.created_at < ${toPg(period.end)}
       and c.parent_case_id is null and c.status <> 'merged'
       ${caseFilterSql(sql, filters)}`;
  const sums = new Map(dimensions.map((d) => [d.code, new Map<string, EquitySums>()]));
  const now = context.now.getTime();
  // The rows come in cursor batches and are added up at once: nothing per case is kept.
  for await (const batch of query.cursor(CURSOR_ROWS)) {
    for (const r of batch) {
      const responded = r.first_responded_at;
      const fact = equityFact(
        {
          respondedMs: responded,
          dueMs: r.first_response_due_at,
          resolvedMs: r.resolved_at,
          rating: r.rating,
        },
        responded === null
          ? null
          : Math.round(context.businessMinutes(tenant.calendar, new Date(r.created_at), new Date(responded))),
        now,
      );
      for (const dimension of dimensions) {
        addEquityFact(groupSums(sums.get(dimension.code)!, groupOf(dimension, r.groups)), fact);
      }
    }
  }
  return sums;
}

export function groupSums(groups: Map<string, EquitySums>, group: string): EquitySums {
  let s = groups.get(group);
  if (!s) {
    s = emptyEquitySums();
    groups.set(group, s);
  }
  return s;
}

/** Can the equity rollups answer this? Only the channel filter is a rollup cut. */
async function equityRollupCovers(
  db: DbHandle,
  tenantId: string,
  filters: CaseFilters,
  dimensions: Dimension[],
): Promise<boolean> {
  const { channel: _channel, ...others } = filters;
  if (Object.values(others).some((v) => v !== undefined)) return false;
  const [state] = await db.sql<{ equity_dimensions: string[] }[]>`
    select equity_dimensions from insight_rollup_state where tenant_id = ${tenantId}`;
  return state !== undefined && dimensions.every((d) => state.equity_dimensions.includes(d.code));
}

/** Per dimension, per group: the service numbers summed from the daily equity rollups. */
async function rollupEquitySums(
  db: DbHandle,
  tenantId: string,
  period: Period,
  channel: string | undefined,
  dimensions: Dimension[],
): Promise<Map<string, Map<string, EquitySums>>> {
  const { sql } = db;
  const sums = new Map(dimensions.map((d) => [d.code, new Map<string, EquitySums>()]));
  if (dimensions.length === 0) return sums;
  const rows = await sql<
    {
      dimension: string;
      answer: string | null;
      cases: number;
      first_response_counts: Buffer;
      resolved: number;
      sla_due: number;
      sla_met: number;
      ratings: number;
      satisfied: number;
    }[]
  >`
    select dimension, answer, cases, first_response_counts, resolved, sla_due, sla_met, ratings, satisfied
      from insight_equity_daily
     where tenant_id = ${tenantId} and day between ${period.from} and ${period.to}
       and dimension in ${sql(dimensions.map((d) => d.code))}
       and ${channel ? sql`channel = ${channel}` : sql`channel is null`}`;
  const byCode = new Map(dimensions.map((d) => [d.code, d]));
  for (const r of rows) {
    const dimension = byCode.get(r.dimension)!;
    const answers = r.answer === null ? null : { [r.dimension]: r.answer };
    const s = groupSums(sums.get(r.dimension)!, groupOf(dimension, answers));
    s.cases += r.cases;
    addEncodedTally(s.firstResponseMinutes, r.first_response_counts);
    s.resolved += r.resolved;
    s.slaDue += r.sla_due;
    s.slaMet += r.sla_met;
    s.ratings += r.ratings;
    s.satisfied += r.satisfied;
  }
  return sums;
}

/** One dimension's published table: counts, representation, per-group service, disparities. */
function equityOfDimension(
  dimension: Dimension,
  service: Map<string, EquitySums>,
  baseline: { year: number; population: Map<string, number> } | undefined,
  k: number,
) {
  const counts = new Map([...service.entries()].map(([group, s]) => [group, s.cases]));
  const table = groupCountTable(dimension, counts, baseline, k);
  const published = (group: string) => !table.hidden.has(group) && group !== UNKNOWN_GROUP;
  const rateInputs = (pick: (s: EquitySums) => [number, number]) =>
    Object.fromEntries(
      [...service.entries()]
        .filter(([g, s]) => published(g) && pick(s)[1] >= k)
        .map(([g, s]) => [g, { numerator: pick(s)[0], denominator: pick(s)[1] }]),
    );
  const medians = Object.fromEntries(
    [...service.entries()]
      .filter(([g, s]) => published(g) && s.firstResponseMinutes.n >= k)
      .map(([g, s]) => [g, s.firstResponseMinutes.quantile(0.5)]),
  );
  return {
    dimension: dimension.code,
    names: dimension.names,
    total: table.total,
    baselineYear: table.baselineYear,
    roseIndex: table.roseIndex,
    groups: table.groups.map((row) => {
      const s = service.get(row.group);
      const hidden = table.hidden.has(row.group);
      const responded = s?.firstResponseMinutes;
      return {
        ...row,
        names: dimension.groups.find((g) => g.code === row.group)?.names ?? null,
        medianFirstResponseMinutes:
          hidden || !responded || responded.n < k ? SUPPRESSED : round(responded.quantile(0.5), 1),
        resolutionRate: groupRate(s?.resolved ?? 0, s?.cases ?? 0, hidden, k),
        slaCompliance: groupRate(s?.slaMet ?? 0, s?.slaDue ?? 0, hidden, k),
        satisfaction: groupRate(s?.satisfied ?? 0, s?.ratings ?? 0, hidden, k),
      };
    }),
    disparity: {
      medianFirstResponse: publicDisparity(disparity(medians)),
      resolutionRate: publicDisparity(rateDisparity(rateInputs((s) => [s.resolved, s.cases]))),
      slaCompliance: publicDisparity(rateDisparity(rateInputs((s) => [s.slaMet, s.slaDue]))),
      satisfaction: publicDisparity(rateDisparity(rateInputs((s) => [s.satisfied, s.ratings]))),
    },
  };
}

/**
 * Reach, heard and influence in residents' dialogues per dimension.
 * - reach: participants per group — registered individuals (group from their demographic profile)
 *   plus facilitators' aggregate counts (`kind = 'aggregate'`, `count` people of `groups`);
 * - heard: contributions per group — the contribution's own self-reported group, else its
 *   participant's profile, else unknown;
 * - influence: the share of a group's contributions linked to an outcome that took them into
 *   account (`outcome_links.response` is `taken` or `partly`; `not_taken` counts as considered
 *   but not taken, i.e. not influence).
 * Participations and contributions count when recorded in the period.
 */
export async function dialogueEquity(
  db: DbHandle,
  tenant: TenantContext,
  period: Period,
  dialogueId?: string,
  onlyDimension?: string,
) {
  const { sql } = db;
  const dimensions = await loadDimensions(db, tenant.id, onlyDimension);
  const baselines = await loadBaselines(db, tenant.id);
  const dialogueFilter = (alias: string) =>
    dialogueId ? sql`and ${sql(alias)}.dialogue_id = ${dialogueId}` : sql``;
  const participants = await sql<
    { kind: string; count: number; groups: Record<string, string>; profile: Record<string, string> | null }[]
  >`
    select p.kind, p.count, p.groups, d.groups as profile
      from participations p
      left join demographic_profiles d on d.tenant_id = p.tenant_id and d.participation_id = p.id
     where p.tenant_id = ${tenant.id} and p.created_at >= ${toPg(period.start)} and p.created_at < ${toPg(period.end)}
       ${dialogueFilter('p')}`;
  const contributions = await sql<
    {
      groups: Record<string, string>;
      profile: Record<string, string> | null;
      aggregate: Record<string, string> | null;
      influenced: boolean;
    }[]
  >`
    select c.groups, d.groups as profile, case when p.kind = 'aggregate' then p.groups end as aggregate,
           exists (select 1 from outcome_links l where l.tenant_id = c.tenant_id and l.contribution_id = c.id
                    and l.response in ('taken', 'partly')) as influenced
      from contributions c
      left join participations p on p.tenant_id = c.tenant_id and p.id = c.participation_id
      left join demographic_profiles d on d.tenant_id = c.tenant_id and d.participation_id = c.participation_id
     where c.tenant_id = ${tenant.id} and c.created_at >= ${toPg(period.start)} and c.created_at < ${toPg(period.end)}
       ${dialogueFilter('c')}`;
  const k = tenant.smallCellK;
  return dimensions.map((dimension) => {
    const reach = new Map<string, number>();
    for (const p of participants) {
      const group = groupOf(dimension, p.kind === 'aggregate' ? p.groups : p.profile);
      reach.set(group, (reach.get(group) ?? 0) + (p.kind === 'aggregate' ? p.count : 1));
    }
    const heard = new Map<string, number>();
    const influenced = new Map<string, number>();
    for (const c of contributions) {
      const own = c.groups?.[dimension.code] ? c.groups : (c.profile ?? c.aggregate);
      const group = groupOf(dimension, own);
      heard.set(group, (heard.get(group) ?? 0) + 1);
      if (c.influenced) influenced.set(group, (influenced.get(group) ?? 0) + 1);
    }
    const baseline = baselines.get(dimension.code);
    const reachTable = groupCountTable(dimension, reach, baseline, k);
    const heardTable = groupCountTable(dimension, heard, baseline, k);
    const influenceInputs = Object.fromEntries(
      [...heard.entries()]
        .filter(([g, n]) => g !== UNKNOWN_GROUP && !heardTable.hidden.has(g) && n >= k)
        .map(([g, n]) => [g, { numerator: influenced.get(g) ?? 0, denominator: n }]),
    );
    return {
      dimension: dimension.code,
      names: dimension.names,
      baselineYear: reachTable.baselineYear,
      reach: { total: reachTable.total, roseIndex: reachTable.roseIndex, groups: reachTable.groups },
      heard: {
        total: heardTable.total,
        groups: heardTable.groups.map((g) => ({
          group: g.group,
          count: g.count,
          share: g.share,
          influence: groupRate(
            influenced.get(g.group) ?? 0,
            heard.get(g.group) ?? 0,
            heardTable.hidden.has(g.group),
            k,
          ),
        })),
      },
      disparity: { influence: publicDisparity(rateDisparity(influenceInputs)) },
    };
  });
}
