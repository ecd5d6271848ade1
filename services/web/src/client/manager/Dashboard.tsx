import { useEffect, useState } from 'preact/hooks';
import { apiUrl, call, socketUrl } from '../api.ts';
import { LineChart, RateBars, RepresentationBars } from '../charts/charts.tsx';
import { SignedInAs, StaffOnly } from '../desk/SignIn.tsx';
import { formatDateTime, formatNumber, lang, t } from '../i18n.ts';
import { pathOf, route } from '../router.ts';
import { useSignal } from '../state.ts';
import { Field, Loading, TableWrap, Unavailable, useLoad } from '../ui/common.tsx';
import { type Indicators, IndicatorsView, useDimensions } from './Facilitator.tsx';

/**
 * Insights API paths (services/insights, routes/*.ts). Insights registers its routes without a
 * version prefix today; when it moves them under /v1, INSIGHTS_BASE is the one line to change.
 */
const INSIGHTS_BASE = '';
const INSIGHTS = {
  availability: `${INSIGHTS_BASE}/availability`,
  equity: `${INSIGHTS_BASE}/equity`,
  dialogueEquity: `${INSIGHTS_BASE}/equity/dialogues`,
  wallboard: `${INSIGHTS_BASE}/wallboard`,
};

type Suppressed = { suppressed: true };
const isSuppressed = (v: unknown): v is Suppressed =>
  typeof v === 'object' && v !== null && 'suppressed' in v;

interface Share {
  numerator: number;
  denominator: number;
  value: number | null;
  ci: { lower: number; upper: number } | null;
}

interface Metrics {
  cases: number;
  contacts: {
    offered: number;
    answered: number;
    abandoned: number;
    serviceLevel: number | null;
    asaSeconds: number | null;
    abandonmentRate: number | null;
    ahtSeconds: number | null;
  };
  firstResponseMinutes: { n: number; median: number | null; p90: number | null };
  resolutionMinutes: { n: number; median: number | null; p90: number | null };
  slaFirstResponse: Share;
  slaResolution: Share;
  firstContactResolution: Share;
  directAnswerRate: Share;
  kkikEmail: Share;
  rates12345: { response: Share; resolution: Share; satisfaction: Share | Suppressed };
  csat: { ratings: number; index: number | null } | Suppressed;
}

interface Availability {
  tenant: { slug: string; name: string; timeZone: string };
  period: { from: string; to: string; interval: string };
  source: string;
  rollupRefreshedAt: string | null;
  totals: Metrics;
  trend: (Metrics & { bucket: string })[];
  occupancy: { value: number | null };
  backlog: { open: number; ageHours: { median: number | null; p90: number | null; max: number | null } };
}

type Cell<T> = T | Suppressed;
interface GroupRate {
  n: number;
  value: number | null;
  ci: { lower: number; upper: number } | null;
}
interface Disparity {
  ratio: number | null;
  flagged: boolean;
  clearGap: boolean | null;
}
interface EquityDimension {
  dimension: string;
  names: Record<string, string>;
  total: Cell<number>;
  baselineYear: number | null;
  roseIndex: Cell<number | null>;
  groups: {
    group: string;
    names: Record<string, string> | null;
    count: Cell<number>;
    share: Cell<number | null>;
    populationShare: number | null;
    representationRatio: Cell<number | null>;
    medianFirstResponseMinutes: Cell<number | null>;
    resolutionRate: Cell<GroupRate>;
    slaCompliance: Cell<GroupRate>;
    satisfaction: Cell<GroupRate>;
  }[];
  disparity: {
    resolutionRate: Disparity;
    slaCompliance: Disparity;
    satisfaction: Disparity;
    medianFirstResponse: Disparity;
  };
}

const percent = (v: number | null | undefined) => (v == null ? '—' : `${formatNumber(v * 100, 1)} %`);
const nameOf = (names: Record<string, string> | null | undefined, fallback: string) =>
  names?.[lang.get()] ?? names?.en ?? fallback;

interface Filters {
  from: string;
  to: string;
  interval: string;
  channel: string;
  department: string;
  category: string;
}

/** Empty dates: insights' default, the last 30 days up to today in the municipality's time zone. */
function defaultFilters(): Filters {
  return { from: '', to: '', interval: 'day', channel: '', department: '', category: '' };
}

function queryString(f: Filters & { source?: string }, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) params.set(k, v);
  return params.toString();
}

function FilterForm(props: { value: Filters; onApply: (f: Filters) => void }) {
  const [f, setF] = useState(props.value);
  const set = (k: keyof Filters) => (e: Event) =>
    setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <form
      class="filters"
      aria-label={t('dash.filters')}
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(f);
      }}
    >
      <Field id="f-from" label={t('dash.from')}>
        {(aria) => <input {...aria} type="date" value={f.from} onInput={set('from')} />}
      </Field>
      <Field id="f-to" label={t('dash.to')}>
        {(aria) => <input {...aria} type="date" value={f.to} onInput={set('to')} />}
      </Field>
      <Field id="f-interval" label={t('dash.interval')}>
        {(aria) => (
          <select {...aria} value={f.interval} onChange={set('interval')}>
            {['day', 'week', 'month'].map((i) => (
              <option key={i} value={i}>
                {t(`dash.interval.${i}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="f-channel" label={t('dash.channel')}>
        {(aria) => (
          <select {...aria} value={f.channel} onChange={set('channel')}>
            <option value="">{t('dash.all')}</option>
            {['web', 'chat', 'phone', 'email', 'walk_in', 'app', 'open311'].map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="f-department" label={t('dash.department')}>
        {(aria) => <input {...aria} type="text" value={f.department} onInput={set('department')} />}
      </Field>
      <Field id="f-category" label={t('dash.category')}>
        {(aria) => <input {...aria} type="text" value={f.category} onInput={set('category')} />}
      </Field>
      <button type="submit">{t('dash.apply')}</button>
    </form>
  );
}

function Tiles(props: { a: Availability }) {
  const m = props.a.totals;
  const csat = isSuppressed(m.csat)
    ? t('indicators.suppressed')
    : m.csat.index == null
      ? '—'
      : formatNumber(m.csat.index, 0);
  const tiles: [string, string, string][] = [
    ['cases', t('dash.cases'), formatNumber(m.cases)],
    ['backlog', t('dash.backlog'), formatNumber(props.a.backlog.open)],
    ['sla', t('dash.slaFirstResponse'), percent(m.slaFirstResponse.value)],
    ['fcr', t('dash.fcr'), percent(m.firstContactResolution.value)],
    [
      'median',
      t('dash.medianFirstResponse'),
      m.firstResponseMinutes.median == null
        ? '—'
        : t('sla.minutes', { m: Math.round(m.firstResponseMinutes.median) }),
    ],
    ['serviceLevel', t('dash.serviceLevel'), percent(m.contacts.serviceLevel)],
    ['abandonment', t('dash.abandonment'), percent(m.contacts.abandonmentRate)],
    ['csat', t('dash.csat'), csat],
  ];
  return (
    <ul class="tiles">
      {tiles.map(([key, label, value]) => (
        <li class="tile" key={key} data-testid={`tile-${key}`}>
          <span class="value">{value}</span>
          {label}
        </li>
      ))}
    </ul>
  );
}

function AvailabilityView(props: { filters: Filters & { source?: string }; tick: number }) {
  const data = useLoad(
    (signal) =>
      call<Availability>('insights', `${INSIGHTS.availability}?${queryString(props.filters)}`, { signal }),
    [queryString(props.filters), props.tick],
  );
  if (data.loading && !data.data) return <Loading />;
  if (data.error && !data.data) return <Unavailable error={data.error} what={t('dash.availability')} />;
  const a = data.data!;
  const points = (pick: (m: Metrics) => number | null) => a.trend.map((m) => ({ x: m.bucket, y: pick(m) }));
  return (
    <>
      <p class="meta">
        {a.tenant.name} · {a.period.from} – {a.period.to} · {t('dash.source', { source: a.source })}
        {a.rollupRefreshedAt
          ? ` · ${t('dash.refreshed', { when: formatDateTime(a.rollupRefreshedAt) })}`
          : ''}
      </p>
      <Tiles a={a} />
      <p>
        <a
          class="button secondary"
          href={apiUrl(
            'insights',
            `${INSIGHTS.availability}?${queryString(props.filters, { format: 'csv' })}`,
          )}
          download="availability.csv"
        >
          {t('dash.csv')}
        </a>
      </p>
      <LineChart
        title={t('dash.casesOverTime')}
        series={[{ name: t('dash.cases'), points: points((m) => m.cases) }]}
        testId="chart-cases"
      />
      <LineChart
        title={t('dash.slaOverTime')}
        max={1}
        format={(v) => percent(v)}
        series={[
          { name: t('dash.slaFirstResponse'), points: points((m) => m.slaFirstResponse.value) },
          { name: t('dash.slaResolution'), points: points((m) => m.slaResolution.value) },
        ]}
      />
      <RateBars
        title={t('dash.rates12345')}
        rows={[
          { label: t('dash.rate.response'), ...rateOf(a.totals.rates12345.response) },
          { label: t('dash.rate.resolution'), ...rateOf(a.totals.rates12345.resolution) },
          { label: t('dash.rate.satisfaction'), ...rateOf(a.totals.rates12345.satisfaction) },
          { label: t('dash.kkik'), ...rateOf(a.totals.kkikEmail) },
          { label: t('dash.directAnswer'), ...rateOf(a.totals.directAnswerRate) },
        ]}
      />
    </>
  );
}

function rateOf(s: Share | Suppressed | GroupRate) {
  if (isSuppressed(s)) return { value: null, ci: null, n: null, suppressed: true };
  return { value: s.value, ci: s.ci, n: 'denominator' in s ? s.denominator : s.n, suppressed: false };
}

function EquityView(props: { filters: Filters; tick: number }) {
  const data = useLoad(
    (signal) =>
      call<{ k: number; dimensions: EquityDimension[] }>(
        'insights',
        `${INSIGHTS.equity}?${queryString(props.filters)}`,
        { signal },
      ),
    [queryString(props.filters), props.tick],
  );
  if (data.loading && !data.data) return <Loading />;
  if (data.error && !data.data) return <Unavailable error={data.error} what={t('dash.equity')} />;
  const e = data.data!;
  return (
    <>
      <p class="hint">{t('dash.suppressionNote', { k: e.k })}</p>
      <p>
        <a
          class="button secondary"
          href={apiUrl('insights', `${INSIGHTS.equity}?${queryString(props.filters, { format: 'csv' })}`)}
          download="equity.csv"
        >
          {t('dash.csv')}
        </a>
      </p>
      {e.dimensions.map((d) => {
        const label = (g: EquityDimension['groups'][number]) =>
          g.group === 'unknown' ? t('demographics.preferNot') : nameOf(g.names, g.group);
        const dimName = nameOf(d.names, d.dimension);
        const bars = (
          title: string,
          pick: (g: EquityDimension['groups'][number]) => Cell<GroupRate>,
          disparity: Disparity,
        ) => (
          <>
            <RateBars
              title={title}
              flagged={disparity.flagged}
              rows={d.groups.map((g) => ({ label: label(g), ...rateOf(pick(g)) }))}
            />
            <p class={disparity.flagged ? 'notice notice--warning' : 'meta'}>
              {t('dash.disparity', {
                ratio: disparity.ratio == null ? '—' : formatNumber(disparity.ratio, 2),
              })}
              {disparity.flagged ? ` ${t('dash.disparityFlagged')}` : ''}
              {disparity.clearGap ? ` ${t('dash.clearGap')}` : ''}
            </p>
          </>
        );
        return (
          <section key={d.dimension} aria-labelledby={`dim-${d.dimension}`}>
            <h2 id={`dim-${d.dimension}`}>{dimName}</h2>
            <p class="meta">
              {t('dash.rose', {
                value: isSuppressed(d.roseIndex)
                  ? t('indicators.suppressed')
                  : d.roseIndex == null
                    ? '—'
                    : formatNumber(d.roseIndex, 2),
              })}
              {d.baselineYear ? ` · ${t('dash.baselineYear', { year: d.baselineYear })}` : ''}
            </p>
            <RepresentationBars
              title={t('dash.reach', { dimension: dimName })}
              rows={d.groups
                .filter((g) => g.group !== 'unknown')
                .map((g) => ({
                  label: label(g),
                  share: isSuppressed(g.share) ? null : g.share,
                  baseline: g.populationShare,
                  ratio: isSuppressed(g.representationRatio) ? null : g.representationRatio,
                  suppressed: isSuppressed(g.share),
                }))}
            />
            {bars(
              t('dash.slaByGroup', { dimension: dimName }),
              (g) => g.slaCompliance,
              d.disparity.slaCompliance,
            )}
            {bars(
              t('dash.resolutionByGroup', { dimension: dimName }),
              (g) => g.resolutionRate,
              d.disparity.resolutionRate,
            )}
            {bars(
              t('dash.satisfactionByGroup', { dimension: dimName }),
              (g) => g.satisfaction,
              d.disparity.satisfaction,
            )}
          </section>
        );
      })}
    </>
  );
}

/** The wallboard: today's numbers, pushed over the insights WebSocket, else refreshed every 15 s. */
function WallboardView() {
  // Exact queries: the wallboard must move with every case, not wait for the next rollup.
  const [filters] = useState<Filters & { source: string }>(() => ({ ...defaultFilters(), source: 'exact' }));
  const [tick, setTick] = useState(0);
  const [mode, setMode] = useState<'live' | 'polling'>('polling');
  useEffect(() => {
    let ws: WebSocket | null = null;
    let poll: ReturnType<typeof setInterval> | undefined = setInterval(() => setTick((n) => n + 1), 15_000);
    try {
      ws = new WebSocket(socketUrl('insights', INSIGHTS.wallboard));
      ws.addEventListener('message', () => {
        setMode('live');
        if (poll) {
          clearInterval(poll);
          poll = undefined;
        }
        setTick((n) => n + 1);
      });
    } catch {
      ws = null;
    }
    return () => {
      clearInterval(poll);
      ws?.close();
    };
  }, []);
  return (
    <>
      <p class="meta" data-testid="wallboard-mode">
        {mode === 'live' ? t('dash.wallboardLive') : t('dash.wallboardPolling')}
      </p>
      <AvailabilityView filters={filters} tick={tick} />
    </>
  );
}

interface DialogueReport {
  from: string;
  to: string;
  period: string;
  completed: { period: string; method: string; dialogues: number }[];
  completedTotal: number;
  pooled: Indicators;
}

/** Dialogues completed per period and method, and reach, heard and influence pooled over them. */
function DialogueReports() {
  const today = new Date();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const [range, setRange] = useState({
    from: iso(new Date(today.getFullYear() - 1, today.getMonth(), 1)),
    to: iso(new Date(today.getTime() + 86_400_000)),
    period: 'quarter',
  });
  const [draft, setDraft] = useState(range);
  const dimensions = useDimensions();
  const query = new URLSearchParams(range).toString();
  const data = useLoad(
    (signal) => call<DialogueReport>('dialogue', `/v1/dialogue-indicators?${query}`, { signal }),
    [query],
  );
  return (
    <>
      <form
        class="filters"
        aria-label={t('dash.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setRange(draft);
        }}
      >
        <Field id="dialogue-from" label={t('dash.from')}>
          {(aria) => (
            <input
              {...aria}
              type="date"
              value={draft.from}
              onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field id="dialogue-to" label={t('dash.to')}>
          {(aria) => (
            <input
              {...aria}
              type="date"
              value={draft.to}
              onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field id="dialogue-period" label={t('dash.interval')}>
          {(aria) => (
            <select
              {...aria}
              value={draft.period}
              onChange={(e) => setDraft({ ...draft, period: e.currentTarget.value })}
            >
              {['month', 'quarter', 'year'].map((p) => (
                <option key={p} value={p}>
                  {t(`dash.period.${p}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit">{t('dash.apply')}</button>
      </form>
      {data.loading && !data.data ? <Loading /> : null}
      {data.error ? <Unavailable error={data.error} what={t('dash.dialogues')} /> : null}
      {data.data && !data.data.completedTotal ? <p>{t('dash.noDialogues')}</p> : null}
      {data.data?.completedTotal ? (
        <>
          <TableWrap label={t('dash.completedDialogues')}>
            <table>
              <caption>{t('dash.completedDialogues')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('charts.period')}</th>
                  <th scope="col">{t('admin.field.method')}</th>
                  <th scope="col">{t('dash.dialogueCount')}</th>
                </tr>
              </thead>
              <tbody>
                {data.data.completed.map((r) => (
                  <tr key={`${r.period}-${r.method}`}>
                    <td>{r.period}</td>
                    <td>{t(`dialogues.method.${r.method}`)}</td>
                    <td>{formatNumber(r.dialogues)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <h3>{t('facilitate.indicators')}</h3>
          <IndicatorsView indicators={data.data.pooled} dimensions={dimensions.data ?? []} />
        </>
      ) : null}
    </>
  );
}

const TABS = [
  { path: '/manager', key: 'dash.availability' },
  { path: '/manager/equity', key: 'dash.equity' },
  { path: '/manager/wallboard', key: 'dash.wallboard' },
  { path: '/manager/dialogues', key: 'dash.dialogues' },
];

function Dashboard() {
  const path = pathOf(useSignal(route));
  const [filters, setFilters] = useState<Filters>(defaultFilters);
  const [tick, setTick] = useState(0);
  const tab = TABS.find((x) => x.path === path) ?? TABS[0]!;
  return (
    <>
      <h1>{t('dash.title')}</h1>
      <SignedInAs />
      <nav aria-label={t('dash.sections')}>
        <ul class="tabs">
          {TABS.map((x) => (
            <li key={x.path}>
              <a href={x.path} aria-current={x === tab ? 'page' : undefined}>
                {t(x.key)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{t(tab.key)}</h2>
      {tab.path === '/manager' || tab.path === '/manager/equity' ? (
        <>
          <FilterForm value={filters} onApply={setFilters} />
          <p>
            <button type="button" class="secondary" onClick={() => setTick((n) => n + 1)}>
              {t('dash.refresh')}
            </button>
          </p>
        </>
      ) : null}
      {tab.path === '/manager' ? <AvailabilityView filters={filters} tick={tick} /> : null}
      {tab.path === '/manager/equity' ? <EquityView filters={filters} tick={tick} /> : null}
      {tab.path === '/manager/wallboard' ? <WallboardView /> : null}
      {tab.path === '/manager/dialogues' ? <DialogueReports /> : null}
    </>
  );
}

export function DashboardPage() {
  useSignal(lang);
  return <StaffOnly>{() => <Dashboard />}</StaffOnly>;
}
