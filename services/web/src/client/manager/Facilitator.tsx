import { useState } from 'preact/hooks';
import { ApiError, call } from '../api.ts';
import { SignedInAs, StaffOnly } from '../desk/SignIn.tsx';
import { formatNumber, lang, languageName, languages, t } from '../i18n.ts';
import type { DemographicDimension } from '../portal/types.ts';
import { useSignal } from '../state.ts';
import { ErrorSummary, Field, LiveRegion, Loading, TableWrap, Unavailable, useLoad } from '../ui/common.tsx';
import { ResourceEditor, type ResourceSpec, type Row } from '../ui/resource.tsx';

/**
 * The dialogue facilitator's pages over the dialogue service (services/dialogue): plan a dialogue,
 * move it through planned → open → closed → reported, record who came (aggregate counts), what was
 * said and what was done about it, and read its reach, heard and influence indicators.
 */
const METHODS = [
  'public_meeting',
  'workshop',
  'online_survey',
  'walk_and_talk',
  'focus_group',
  'school_visit',
  'digital_forum',
  'other',
];
const KINDS = ['idea', 'concern', 'question', 'proposal', 'vote'];
const RESPONSES = ['taken', 'partly', 'not_taken'] as const;
type Cell = number | { suppressed: true };

interface Dialogue {
  id: string;
  title: string;
  status: string;
  allowedActions: string[];
  venueTotal: number | null;
}
interface Participation {
  total: number;
  registered: number;
  counted: number;
  venueTotal: number | null;
  sheet: { groups: Record<string, string>; count: number }[];
}
interface Contribution {
  id: string;
  kind: string;
  body: string;
  themes: string[];
  response: string | null;
}
interface Outcome {
  id: string;
  kind: string;
  titles: Record<string, string>;
  links: {
    contributionId: string;
    response: string;
    reason: string | null;
    contribution: { body: string };
  }[];
}
export interface Indicators {
  smallCellK: number;
  participants: Cell;
  contributions: Cell;
  dimensions: {
    dimension: string;
    reach: {
      roseIndex: number | null;
      groups: {
        group: string;
        participants: Cell;
        share: number | null;
        populationShare: number | null;
        representationRatio: number | null;
      }[];
    };
    heard: { groups: { group: string; contributions: Cell; share: number | null }[] };
    influence: { groups: { group: string; rate: number | null }[] };
  }[];
  womenAndMen: { reached: { ratio: number | null; equal: boolean | null } } | null;
}

const base = (id: string) => `/v1/dialogues/${id}`;
const cellText = (c: Cell | undefined) =>
  c === undefined ? '—' : typeof c === 'number' ? formatNumber(c) : t('indicators.suppressed');
const pct = (v: number | null | undefined) => (v == null ? '—' : `${formatNumber(v * 100, 1)} %`);
const ratio = (v: number | null | undefined) => (v == null ? '—' : formatNumber(v, 2));
const pick = (texts: Record<string, string>) => texts[lang.get()] ?? Object.values(texts)[0] ?? '';

export function useDimensions() {
  const language = useSignal(lang);
  return useLoad(
    (signal) =>
      call<DemographicDimension[]>(
        'intake',
        `/v1/demographic-dimensions?lang=${encodeURIComponent(language)}`,
        {
          signal,
        },
      ),
    [language],
  );
}

/** Problems of a failed request about one field path (or a member of it). */
function problemsAt(error: unknown, path: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const found = error.fields.filter((f) => f.field === path || f.field.startsWith(`${path}.`));
  return found.length ? found.map((f) => f.message).join('; ') : undefined;
}

function Lifecycle(props: { dialogue: Dialogue; onChanged: () => void }) {
  const [failure, setFailure] = useState<unknown>(null);
  const [note, setNote] = useState('');
  async function act(action: string) {
    setFailure(null);
    try {
      await call('dialogue', `${base(props.dialogue.id)}/transitions`, { body: { action } });
      setNote(t(`facilitate.done.${action}`));
      props.onChanged();
    } catch (error) {
      setFailure(error);
    }
  }
  return (
    <section aria-labelledby="lifecycle-heading">
      <h4 id="lifecycle-heading">{t('facilitate.lifecycle')}</h4>
      <p>
        {t('facilitate.statusIs')}{' '}
        <strong data-testid="dialogue-status">{t(`dialogues.status.${props.dialogue.status}`)}</strong>
      </p>
      <ErrorSummary error={failure} />
      <div class="actions">
        {props.dialogue.allowedActions.map((a) => (
          <button type="button" key={a} onClick={() => void act(a)}>
            {t(`facilitate.action.${a}`)}
          </button>
        ))}
      </div>
      <LiveRegion message={note} />
    </section>
  );
}

/** The sign-in sheet: people per demographic group, replacing the previous tally. */
function Reach(props: { dialogue: Dialogue; dimensions: DemographicDimension[]; onChanged: () => void }) {
  const id = props.dialogue.id;
  const summary = useLoad(
    (signal) => call<Participation>('dialogue', `${base(id)}/participation`, { signal }),
    [id],
  );
  const [rows, setRows] = useState<{ groups: Record<string, string>; count: string }[] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [note, setNote] = useState('');
  if (summary.loading && !summary.data) return <Loading />;
  if (summary.error) return <Unavailable error={summary.error} what={t('facilitate.reach')} />;
  const data = summary.data!;
  const current = rows ?? data.sheet.map((r) => ({ groups: r.groups, count: String(r.count) }));
  const editable = rows ?? (current.length ? current : [{ groups: {}, count: '' }]);
  const set = (i: number, change: Partial<(typeof editable)[number]>) =>
    setRows(editable.map((r, j) => (j === i ? { ...r, ...change } : r)));
  async function save(event: Event) {
    event.preventDefault();
    setFailure(null);
    try {
      await call('dialogue', `${base(id)}/participation/counts`, {
        method: 'PUT',
        body: {
          rows: editable
            .filter((r) => r.count.trim() !== '')
            .map((r) => ({
              groups: Object.fromEntries(Object.entries(r.groups).filter(([, g]) => g)),
              count: Number(r.count),
            })),
        },
      });
      setRows(null);
      setNote(t('admin.saved'));
      summary.reload();
      props.onChanged();
    } catch (error) {
      setFailure(error);
    }
  }
  return (
    <section aria-labelledby="reach-heading">
      <h4 id="reach-heading">{t('facilitate.reach')}</h4>
      <ul class="stats">
        <li>
          {t('facilitate.total')}: <strong data-testid="reach-total">{formatNumber(data.total)}</strong>
        </li>
        <li>
          {t('facilitate.registered')}: {formatNumber(data.registered)}
        </li>
        <li>
          {t('facilitate.counted')}: {formatNumber(data.counted)}
        </li>
        <li>
          {t('admin.field.venueTotal')}: {data.venueTotal == null ? '—' : formatNumber(data.venueTotal)}
        </li>
      </ul>
      {props.dialogue.status !== 'open' && props.dialogue.status !== 'closed' ? null : (
        <form onSubmit={save} aria-labelledby="counts-heading" noValidate>
          <h5 id="counts-heading">{t('facilitate.counts')}</h5>
          <p class="hint">{t('facilitate.countsHint')}</p>
          <ErrorSummary error={failure} />
          {editable.map((row, i) => (
            <fieldset key={i} aria-invalid={problemsAt(failure, `rows.${i}`) ? 'true' : undefined}>
              <legend>{t('facilitate.row', { n: i + 1 })}</legend>
              {problemsAt(failure, `rows.${i}.groups`) ? (
                <p class="error-text">{problemsAt(failure, `rows.${i}.groups`)}</p>
              ) : null}
              {props.dimensions.map((d) => (
                <Field key={d.code} id={`row-${i}-${d.code}`} label={d.name}>
                  {(aria) => (
                    <select
                      {...aria}
                      value={row.groups[d.code] ?? ''}
                      onChange={(e) => set(i, { groups: { ...row.groups, [d.code]: e.currentTarget.value } })}
                    >
                      <option value="">{t('demographics.preferNot')}</option>
                      {d.groups
                        .filter((g) => g.code !== 'unknown')
                        .map((g) => (
                          <option key={g.code} value={g.code}>
                            {g.name}
                          </option>
                        ))}
                    </select>
                  )}
                </Field>
              ))}
              <Field
                id={`row-${i}-count`}
                label={t('facilitate.people')}
                error={problemsAt(failure, `rows.${i}.count`)}
              >
                {(aria) => (
                  <input
                    {...aria}
                    type="text"
                    inputMode="numeric"
                    value={row.count}
                    onInput={(e) => set(i, { count: e.currentTarget.value })}
                  />
                )}
              </Field>
            </fieldset>
          ))}
          <div class="actions">
            <button
              type="button"
              class="secondary"
              onClick={() => setRows([...editable, { groups: {}, count: '' }])}
            >
              {t('facilitate.addRow')}
            </button>
            <button type="submit">{t('facilitate.saveCounts')}</button>
          </div>
          <LiveRegion message={note} />
        </form>
      )}
    </section>
  );
}

/** What was said (recorded by the facilitator) and the outcomes that answer it. */
function Heard(props: { dialogue: Dialogue; onChanged: () => void }) {
  const id = props.dialogue.id;
  const contributions = useLoad(
    (signal) => call<{ contributions: Contribution[] }>('dialogue', `${base(id)}/contributions`, { signal }),
    [id],
  );
  const outcomes = useLoad(
    (signal) => call<{ outcomes: Outcome[] }>('dialogue', `${base(id)}/outcomes`, { signal }),
    [id],
  );
  const said = contributions.data?.contributions ?? [];
  const contributionSpec: ResourceSpec = {
    id: `contribution-${id}`,
    title: t('facilitate.contributions'),
    load: async () => said as unknown as Row[],
    columns: [
      'kind',
      'body',
      'themes',
      {
        label: t('facilitate.response'),
        render: (r) => (r.response ? t(`dialogues.response.${r.response}`) : '—'),
      },
    ],
    rowLabel: (r) => String(r.body).slice(0, 40),
    fields: [
      {
        name: 'kind',
        kind: 'select',
        required: true,
        options: () => KINDS.map((k) => ({ value: k, label: t(`contribution.${k}`) })),
      },
      { name: 'body', kind: 'textarea', required: true, label: 'facilitate.said' },
      { name: 'themes', kind: 'list', hint: 'admin.hint.list' },
    ],
    // What was said is recorded while the dialogue is open.
    create:
      props.dialogue.status !== 'open'
        ? undefined
        : async (body) => {
            const result = await call('dialogue', `${base(id)}/contributions`, { body });
            contributions.reload();
            return result;
          },
  };
  const [kind, setKind] = useState('decision');
  const [titles, setTitles] = useState<Record<string, string>>({});
  const [links, setLinks] = useState<Record<string, { response: string; reason: string }>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [note, setNote] = useState('');
  async function addOutcome(event: Event) {
    event.preventDefault();
    setFailure(null);
    try {
      await call('dialogue', `${base(id)}/outcomes`, {
        body: {
          kind,
          titles: Object.fromEntries(Object.entries(titles).filter(([, v]) => v.trim())),
          links: Object.entries(links)
            .filter(([, l]) => l.response)
            .map(([contributionId, l]) => ({
              contributionId,
              response: l.response,
              ...(l.reason.trim() ? { reason: l.reason.trim() } : {}),
            })),
        },
      });
      setTitles({});
      setLinks({});
      setNote(t('admin.added'));
      outcomes.reload();
      contributions.reload();
      props.onChanged();
    } catch (error) {
      setFailure(error);
    }
  }
  const linkIndex = Object.entries(links)
    .filter(([, l]) => l.response)
    .map(([cid]) => cid);
  const linkProblem = (cid: string, member: string) => {
    const i = linkIndex.indexOf(cid);
    return i < 0 ? undefined : problemsAt(failure, `links.${i}.${member}`);
  };
  return (
    <>
      <section aria-labelledby={`said-${id}`}>
        <h4 id={`said-${id}`}>{t('facilitate.contributions')}</h4>
        {contributions.loading && !contributions.data ? <Loading /> : null}
        {contributions.data ? (
          <ResourceEditor
            spec={contributionSpec}
            rows={said as unknown as Row[]}
            reload={contributions.reload}
          />
        ) : null}
      </section>
      <section aria-labelledby={`outcomes-${id}`}>
        <h4 id={`outcomes-${id}`}>{t('facilitate.outcomes')}</h4>
        {(outcomes.data?.outcomes ?? []).map((o) => (
          <article class="card" key={o.id}>
            <h5>
              {t(`facilitate.kind.${o.kind}`)}: {pick(o.titles)}
            </h5>
            <ul>
              {o.links.map((l) => (
                <li key={l.contributionId}>
                  “{l.contribution.body}” — {t(`dialogues.response.${l.response}`)}
                  {l.reason ? ` (${l.reason})` : ''}
                </li>
              ))}
            </ul>
          </article>
        ))}
        {props.dialogue.status === 'planned' || props.dialogue.status === 'reported' ? null : (
          <form onSubmit={addOutcome} aria-labelledby={`new-outcome-${id}`} noValidate>
            <h5 id={`new-outcome-${id}`}>{t('facilitate.newOutcome')}</h5>
            <ErrorSummary error={failure} />
            <Field id={`outcome-kind-${id}`} label={t('facilitate.outcomeKind')}>
              {(aria) => (
                <select {...aria} value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
                  {['decision', 'action'].map((k) => (
                    <option key={k} value={k}>
                      {t(`facilitate.kind.${k}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <fieldset aria-invalid={problemsAt(failure, 'titles') ? 'true' : undefined}>
              <legend>{t('facilitate.outcomeTitle')}</legend>
              {problemsAt(failure, 'titles') ? (
                <p class="error-text">{problemsAt(failure, 'titles')}</p>
              ) : null}
              {languages.map((l) => (
                <div class="field field--inline" key={l}>
                  <label for={`outcome-title-${id}-${l}`}>{languageName(l)}</label>
                  <input
                    type="text"
                    id={`outcome-title-${id}-${l}`}
                    lang={l}
                    value={titles[l] ?? ''}
                    onInput={(e) => setTitles({ ...titles, [l]: e.currentTarget.value })}
                  />
                </div>
              ))}
            </fieldset>
            {said.length ? (
              <fieldset>
                <legend>{t('facilitate.answers')}</legend>
                {said.map((c) => {
                  const link = links[c.id] ?? { response: '', reason: '' };
                  const setLink = (change: Partial<typeof link>) =>
                    setLinks({ ...links, [c.id]: { ...link, ...change } });
                  return (
                    <div key={c.id} class="card">
                      <p>“{c.body}”</p>
                      <Field
                        id={`link-${c.id}`}
                        label={t('facilitate.response')}
                        error={linkProblem(c.id, 'contributionId')}
                      >
                        {(aria) => (
                          <select
                            {...aria}
                            value={link.response}
                            onChange={(e) => setLink({ response: e.currentTarget.value })}
                          >
                            <option value="">{t('facilitate.notLinked')}</option>
                            {RESPONSES.map((r) => (
                              <option key={r} value={r}>
                                {t(`dialogues.response.${r}`)}
                              </option>
                            ))}
                          </select>
                        )}
                      </Field>
                      {link.response && link.response !== 'taken' ? (
                        <Field
                          id={`reason-${c.id}`}
                          label={t('facilitate.reason')}
                          error={linkProblem(c.id, 'reason')}
                        >
                          {(aria) => (
                            <input
                              {...aria}
                              type="text"
                              value={link.reason}
                              onInput={(e) => setLink({ reason: e.currentTarget.value })}
                            />
                          )}
                        </Field>
                      ) : null}
                    </div>
                  );
                })}
              </fieldset>
            ) : null}
            <div class="actions">
              <button type="submit">{t('facilitate.addOutcome')}</button>
            </div>
            <LiveRegion message={note} />
          </form>
        )}
      </section>
    </>
  );
}

function IndicatorTables(props: { dialogue: Dialogue; dimensions: DemographicDimension[]; version: number }) {
  const id = props.dialogue.id;
  const data = useLoad(
    (signal) => call<Indicators>('dialogue', `${base(id)}/indicators`, { signal }),
    [id, props.version],
  );
  if (data.loading && !data.data) return <Loading />;
  if (data.error) return <Unavailable error={data.error} what={t('facilitate.indicators')} />;
  return (
    <section aria-labelledby={`indicators-${id}`}>
      <h4 id={`indicators-${id}`}>{t('facilitate.indicators')}</h4>
      <IndicatorsView indicators={data.data!} dimensions={props.dimensions} />
    </section>
  );
}

/** Reach, heard and influence per group of each dimension (one dialogue, or several pooled). */
export function IndicatorsView(props: { indicators: Indicators; dimensions: DemographicDimension[] }) {
  const ind = props.indicators;
  const names = new Map(props.dimensions.map((d) => [d.code, d]));
  const groupName = (dimension: string, group: string) =>
    group === 'unknown'
      ? t('demographics.preferNot')
      : (names.get(dimension)?.groups.find((g) => g.code === group)?.name ?? group);
  return (
    <>
      <p>
        {t('dialogues.reach', {
          participants: cellText(ind.participants),
          contributions: cellText(ind.contributions),
        })}{' '}
        {t('facilitate.smallCells', { k: ind.smallCellK })}
      </p>
      {ind.womenAndMen ? (
        <p>
          {t('facilitate.womenAndMen', { ratio: ratio(ind.womenAndMen.reached.ratio) })}{' '}
          {ind.womenAndMen.reached.equal === false ? <strong>{t('facilitate.unequal')}</strong> : null}
        </p>
      ) : null}
      {ind.dimensions.map((d) => {
        const heard = new Map(d.heard.groups.map((g) => [g.group, g]));
        const influence = new Map(d.influence.groups.map((g) => [g.group, g]));
        const title = names.get(d.dimension)?.name ?? d.dimension;
        return (
          <TableWrap key={d.dimension} label={title}>
            <table>
              <caption>
                {title} · {t('dash.rose', { value: ratio(d.reach.roseIndex) })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('charts.group')}</th>
                  <th scope="col">{t('facilitate.participants')}</th>
                  <th scope="col">{t('charts.share')}</th>
                  <th scope="col">{t('charts.baseline')}</th>
                  <th scope="col">{t('charts.ratio')}</th>
                  <th scope="col">{t('facilitate.heardShare')}</th>
                  <th scope="col">{t('facilitate.influence')}</th>
                </tr>
              </thead>
              <tbody>
                {d.reach.groups.map((g) => (
                  <tr key={g.group}>
                    <th scope="row">{groupName(d.dimension, g.group)}</th>
                    <td>{cellText(g.participants)}</td>
                    <td>{pct(g.share)}</td>
                    <td>{pct(g.populationShare)}</td>
                    <td>{ratio(g.representationRatio)}</td>
                    <td>{pct(heard.get(g.group)?.share)}</td>
                    <td>{pct(influence.get(g.group)?.rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        );
      })}
    </>
  );
}

/** Everything about one dialogue, below the list. */
function DialogueWork(props: { id: string; onChanged: () => void }) {
  const dialogue = useLoad((signal) => call<Dialogue>('dialogue', base(props.id), { signal }), [props.id]);
  const dimensions = useDimensions();
  const [version, setVersion] = useState(0);
  if (dialogue.loading && !dialogue.data) return <Loading />;
  if (dialogue.error) return <Unavailable error={dialogue.error} what={t('nav.facilitator')} />;
  const d = dialogue.data!;
  const changed = () => {
    dialogue.reload();
    setVersion((n) => n + 1);
    props.onChanged();
  };
  return (
    <>
      <h3>{d.title}</h3>
      <Lifecycle dialogue={d} onChanged={changed} />
      <Reach dialogue={d} dimensions={dimensions.data ?? []} onChanged={changed} />
      <Heard dialogue={d} onChanged={changed} />
      <IndicatorTables dialogue={d} dimensions={dimensions.data ?? []} version={version} />
      {d.status === 'reported' ? (
        <p>
          <a href={`/dialogues?id=${d.id}`}>{t('facilitate.publicPage')}</a>
        </p>
      ) : null}
    </>
  );
}

function Facilitator() {
  useSignal(lang);
  const spec: ResourceSpec = {
    id: 'dialogue',
    title: t('facilitate.dialogues'),
    load: (signal) =>
      call<{ dialogues: Row[] }>('dialogue', '/v1/dialogues', { signal }).then((d) => d.dialogues),
    columns: [
      'title',
      'method',
      { label: t('admin.field.status'), render: (r) => t(`dialogues.status.${r.status}`) },
      'createdAt',
    ],
    rowLabel: (r) => String(r.title),
    fields: [
      { name: 'title', kind: 'text', required: true },
      { name: 'question', kind: 'textarea', required: true },
      { name: 'purpose', kind: 'textarea', required: true },
      {
        name: 'method',
        kind: 'select',
        required: true,
        options: () => METHODS.map((m) => ({ value: m, label: t(`dialogues.method.${m}`) })),
      },
      {
        name: 'languages',
        kind: 'multi',
        required: true,
        options: () => languages.map((l) => ({ value: l, label: languageName(l) })),
      },
      { name: 'partners', kind: 'list', hint: 'admin.hint.list' },
      { name: 'venueTotal', kind: 'number', nullable: true, hint: 'facilitate.venueTotalHint' },
    ],
    create: (body) => call('dialogue', '/v1/dialogues', { body }),
    update: (r, body) => call('dialogue', base(String(r.id)), { method: 'PATCH', body }),
    editable: (r) => r.status === 'planned' || r.status === 'open',
    detail: {
      label: t('facilitate.work'),
      render: (r, reload) => <DialogueWork key={String(r.id)} id={String(r.id)} onChanged={reload} />,
    },
  };
  const list = useLoad((signal) => spec.load(signal), []);
  return (
    <>
      <h1>{t('nav.facilitator')}</h1>
      <SignedInAs />
      <p>{t('facilitate.intro')}</p>
      <h2>{t('facilitate.dialogues')}</h2>
      {list.loading && !list.data ? <Loading /> : null}
      {list.error ? <Unavailable error={list.error} what={t('facilitate.dialogues')} /> : null}
      {list.data ? <ResourceEditor spec={spec} rows={list.data} reload={list.reload} /> : null}
    </>
  );
}

export function FacilitatorPage() {
  useSignal(lang);
  return <StaffOnly>{() => <Facilitator />}</StaffOnly>;
}
