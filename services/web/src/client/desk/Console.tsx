import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api.ts';
import { formatDateTime, lang, t } from '../i18n.ts';
import { navigate, queryOf, route } from '../router.ts';
import { useSignal } from '../state.ts';
import { ErrorSummary, Field, LiveRegion, Loading, Unavailable, useLoad } from '../ui/common.tsx';
import { type ChatSignal, ChatWindow } from './ChatWindow.tsx';
import { connectLive, type LiveState, type LiveTopic } from './live.ts';
import { SignedInAs, StaffOnly } from './SignIn.tsx';
import { SlaBadge } from './Sla.tsx';
import { hasRole, type Me, me } from './session.ts';
import { type CaseDetail, type CaseSummary, type Department, itemsOf } from './types.ts';

const PRESENCE = ['available', 'busy', 'away', 'offline'] as const;

function eventText(type: string): string {
  const key = `event.${type}`;
  const text = t(key);
  return text === key ? type : text;
}

function statusText(status: string): string {
  const key = `status.${status}`;
  const text = t(key);
  return text === key ? status : text;
}

function PresenceSwitch() {
  const [status, setStatus] = useState<string>('');
  const [note, setNote] = useState('');
  useEffect(() => {
    call<{ status: string }>('desk', '/v1/presence/me').then(
      (p) => setStatus(p.status),
      () => setStatus(''),
    );
  }, []);
  async function change(next: string) {
    const previous = status;
    setStatus(next);
    try {
      await call('desk', '/v1/presence/me', { method: 'PUT', body: { status: next } });
      setNote(t('presence.changed', { status: t(`presence.${next}`) }));
    } catch {
      setStatus(previous);
      setNote(t('presence.failed'));
    }
  }
  return (
    <div class="field">
      <label for="presence">{t('presence.label')}</label>
      <select id="presence" value={status} onChange={(e) => void change(e.currentTarget.value)}>
        {status === '' ? <option value="">—</option> : null}
        {PRESENCE.map((p) => (
          <option key={p} value={p}>
            {t(`presence.${p}`)}
          </option>
        ))}
      </select>
      <LiveRegion message={note} />
    </div>
  );
}

function useDepartments() {
  // Names of the routing targets (desk GET /v1/departments, readable by everyone who works cases).
  return useLoad(
    (signal) =>
      call<Department[] | { items: Department[] }>('desk', '/v1/departments', { signal }).then(
        itemsOf,
        () => [] as Department[],
      ),
    [],
  );
}

function QueueList(props: { items: CaseSummary[]; selected: string | null; fresh: Set<string>; who: Me }) {
  if (!props.items.length) return <p>{t('desk.emptyQueue')}</p>;
  return (
    <ul class="queue" data-testid="queue">
      {props.items.map((c) => (
        <li
          key={c.id}
          aria-current={c.id === props.selected ? 'true' : undefined}
          class={props.fresh.has(c.id) ? 'new' : undefined}
          data-tracking-code={c.trackingCode}
        >
          <a href={`/desk?case=${c.id}`}>
            <strong>{c.trackingCode}</strong>
          </a>{' '}
          <span class="badge">{statusText(c.status)}</span>{' '}
          {c.sensitive ? <span class="badge">{t('desk.sensitive')}</span> : null}
          <p class="meta">
            {formatDateTime(c.createdAt)} · {c.channel} · {c.language}
            {c.role ? ` · ${t(`desk.role.${c.role}`)}` : ''}
          </p>
          <p>{c.description.length > 140 ? `${c.description.slice(0, 140)}…` : c.description}</p>
          <p class="meta" data-testid="claim">
            {c.claimedBy
              ? c.claimedBy.id === props.who.userId
                ? t('desk.claimedByYou')
                : t('desk.claimedBy', { name: c.claimedBy.displayName })
              : t('desk.unclaimed')}
          </p>
          <SlaBadge c={c} />
        </li>
      ))}
    </ul>
  );
}

function CaseActions(props: {
  c: CaseDetail;
  who: Me;
  departments: Department[];
  onChanged: (note: string) => void;
}) {
  const c = props.c;
  const [reply, setReply] = useState('');
  const [note, setNote] = useState('');
  const [lead, setLead] = useState('');
  const [reason, setReason] = useState('');
  const [resolution, setResolution] = useState('answered');
  const [question, setQuestion] = useState('');
  const [kbQuery, setKbQuery] = useState('');
  const [kbResults, setKbResults] = useState<{ id: string; title: string; body: string }[] | null>(null);
  const [kbArticle, setKbArticle] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(null);
  const mine = c.claimedBy?.id === props.who.userId;
  const officer = Boolean(c.leadDepartmentId && props.who.departmentIds.includes(c.leadDepartmentId));

  const act = (path: string, body: unknown, done: string, reset?: () => void) => async (event?: Event) => {
    event?.preventDefault();
    setFailure(null);
    try {
      await call('desk', `/v1/cases/${c.id}${path}`, { method: 'POST', body });
      reset?.();
      props.onChanged(done);
    } catch (error) {
      setFailure(error);
    }
  };

  async function searchKb(event: Event) {
    event.preventDefault();
    try {
      const result = await call<{ results: { articleId: string; title: string; snippet: string }[] }>(
        'desk',
        `/v1/knowledge/search?q=${encodeURIComponent(kbQuery)}&language=${encodeURIComponent(c.language)}`,
      );
      setKbResults(
        result.results.map((r) => ({
          id: r.articleId,
          title: r.title,
          body: r.snippet.replace(/<\/?b>/g, ''),
        })),
      );
    } catch (error) {
      setKbResults(null);
      setFailure(error);
    }
  }

  async function insertArticle(id: string, fallback: string) {
    const article = await call<{ body: string }>('desk', `/v1/knowledge/by-id/${id}`).catch(() => ({
      body: fallback,
    }));
    setReply((r) => (r ? `${r}\n\n${article.body}` : article.body));
    setKbArticle(id);
  }

  return (
    <>
      <ErrorSummary error={failure} />
      <div class="actions">
        {c.claimedBy && !mine ? (
          <p class="notice notice--warning">{t('desk.claimedBy', { name: c.claimedBy.displayName })}</p>
        ) : null}
        {!c.claimedBy ? (
          <button type="button" onClick={() => void act('/claim', {}, t('desk.claimed'))()}>
            {t('desk.claim')}
          </button>
        ) : null}
        {mine ? (
          <button
            type="button"
            class="secondary"
            onClick={() => void act('/release', {}, t('desk.released'))()}
          >
            {t('desk.release')}
          </button>
        ) : null}
        {officer && c.status === 'routed' ? (
          <button type="button" onClick={() => void act('/accept', {}, t('desk.accepted'))()}>
            {t('desk.accept')}
          </button>
        ) : null}
      </div>

      <section aria-labelledby="reply-heading">
        <h3 id="reply-heading">{t('desk.replyTitle')}</h3>
        <form
          onSubmit={act(
            '/replies',
            { body: reply.trim(), ...(kbArticle ? { knowledgeArticleId: kbArticle } : {}) },
            t('desk.replied'),
            () => {
              setReply('');
              setKbArticle(undefined);
            },
          )}
        >
          <Field id="reply" label={t('desk.reply')} hint={t('desk.replyHint', { language: c.language })}>
            {(aria) => <textarea {...aria} value={reply} onInput={(e) => setReply(e.currentTarget.value)} />}
          </Field>
          <div class="actions">
            <button type="submit" disabled={!reply.trim()}>
              {t('desk.sendReply')}
            </button>
          </div>
        </form>
        <details>
          <summary>{t('desk.kb')}</summary>
          <form onSubmit={searchKb} class="filters">
            <Field id="kb-query" label={t('desk.kbSearch')}>
              {(aria) => (
                <input
                  {...aria}
                  type="search"
                  value={kbQuery}
                  onInput={(e) => setKbQuery(e.currentTarget.value)}
                />
              )}
            </Field>
            <button type="submit" class="secondary">
              {t('desk.search')}
            </button>
          </form>
          {kbResults ? (
            kbResults.length ? (
              <ul>
                {kbResults.map((a) => (
                  <li key={a.id}>
                    <strong>{a.title}</strong>{' '}
                    <button type="button" class="link" onClick={() => void insertArticle(a.id, a.body)}>
                      {t('desk.insert')}
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t('desk.kbNone')}</p>
            )
          ) : null}
        </details>
      </section>

      <section aria-labelledby="note-heading">
        <h3 id="note-heading">{t('desk.noteTitle')}</h3>
        <form onSubmit={act('/notes', { body: note.trim() }, t('desk.noted'), () => setNote(''))}>
          <Field id="note" label={t('desk.note')} hint={t('desk.noteHint')}>
            {(aria) => <textarea {...aria} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
          </Field>
          <button type="submit" class="secondary" disabled={!note.trim()}>
            {t('desk.addNote')}
          </button>
        </form>
      </section>

      <section aria-labelledby="route-heading">
        <h3 id="route-heading">{t('desk.routeTitle')}</h3>
        <form
          onSubmit={act(
            '/route',
            { leadDepartmentId: lead, ...(reason.trim() ? { reason: reason.trim() } : {}) },
            t('desk.routed'),
          )}
          class="filters"
        >
          <Field id="route-lead" label={t('desk.leadDepartment')}>
            {(aria) => (
              <select {...aria} value={lead} onChange={(e) => setLead(e.currentTarget.value)}>
                <option value="">—</option>
                {props.departments
                  .filter((d) => d.active)
                  .map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name}
                    </option>
                  ))}
              </select>
            )}
          </Field>
          <Field id="route-reason" label={t('desk.reason')}>
            {(aria) => (
              <input {...aria} type="text" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            )}
          </Field>
          <button type="submit" class="secondary" disabled={!lead}>
            {t('desk.route')}
          </button>
        </form>
        {officer && ['routed', 'accepted'].includes(c.status) ? (
          <button
            type="button"
            class="secondary"
            disabled={!reason.trim()}
            onClick={() => void act('/return', { reason: reason.trim() }, t('desk.returned'))()}
          >
            {t('desk.return')}
          </button>
        ) : null}
      </section>

      <section aria-labelledby="resolve-heading">
        <h3 id="resolve-heading">{t('desk.resolveTitle')}</h3>
        <form
          onSubmit={act('/request-information', { question: question.trim() }, t('desk.asked'), () =>
            setQuestion(''),
          )}
        >
          <Field id="question" label={t('desk.question')}>
            {(aria) => (
              <input
                {...aria}
                type="text"
                value={question}
                onInput={(e) => setQuestion(e.currentTarget.value)}
              />
            )}
          </Field>
          <button type="submit" class="secondary" disabled={!question.trim()}>
            {t('desk.askResident')}
          </button>
        </form>
        <form onSubmit={act('/resolve', { resolutionCode: resolution }, t('desk.resolved'))} class="filters">
          <Field id="resolution" label={t('desk.resolution')}>
            {(aria) => (
              <select {...aria} value={resolution} onChange={(e) => setResolution(e.currentTarget.value)}>
                {['answered', 'fixed', 'referred', 'not_municipal'].map((r) => (
                  <option key={r} value={r}>
                    {t(`desk.resolution.${r}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit">{t('desk.resolve')}</button>
        </form>
      </section>
    </>
  );
}

function CasePanel(props: {
  id: string;
  who: Me;
  departments: Department[];
  version: number;
  onChanged: () => void;
}) {
  const detail = useLoad(
    (signal) => call<CaseDetail>('desk', `/v1/cases/${props.id}`, { signal }),
    [props.id, props.version],
  );
  const [note, setNote] = useState('');
  const names = new Map(props.departments.map((d) => [d.id, d.name]));
  if (detail.error) return <Unavailable error={detail.error} what={t('desk.case')} />;
  if (!detail.data) return <Loading />;
  const c = detail.data;
  const timeline = [
    ...c.events.map((e) => ({ at: e.createdAt, key: `e${e.id}`, event: e })),
    ...c.messages.map((m) => ({ at: m.createdAt, key: `m${m.id}`, message: m })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <section aria-labelledby="case-title" class="card">
      <h2 id="case-title">
        {t('desk.caseTitle', { code: c.trackingCode })} <span class="badge">{statusText(c.status)}</span>
      </h2>
      <SlaBadge c={c} />
      <dl>
        <dt>{t('desk.received')}</dt>
        <dd>
          {formatDateTime(c.createdAt)} · {c.channel} · {c.language}
        </dd>
        {c.leadDepartmentId ? (
          <>
            <dt>{t('desk.leadDepartment')}</dt>
            <dd>{names.get(c.leadDepartmentId) ?? c.leadDepartmentId}</dd>
          </>
        ) : null}
        {c.address ? (
          <>
            <dt>{t('track.where')}</dt>
            <dd>{c.address}</dd>
          </>
        ) : null}
        {Object.keys(c.attributes).length ? (
          <>
            <dt>{t('desk.attributes')}</dt>
            <dd>
              {Object.entries(c.attributes)
                .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
                .join(' · ')}
            </dd>
          </>
        ) : null}
        {c.contact.name || c.contact.email || c.contact.phone ? (
          <>
            <dt>{t('desk.contact')}</dt>
            <dd>{[c.contact.name, c.contact.email, c.contact.phone].filter(Boolean).join(' · ')}</dd>
          </>
        ) : null}
      </dl>
      <h3>{t('desk.description')}</h3>
      <p class="message">{c.description}</p>
      <CaseActions
        c={c}
        who={props.who}
        departments={props.departments}
        onChanged={(n) => {
          setNote(n);
          detail.reload();
          // Claims and releases change the queue too; don't wait for the live feed to say so.
          props.onChanged();
        }}
      />
      <LiveRegion message={note} />
      <h3>{t('desk.timeline')}</h3>
      <ol class="timeline" data-testid="desk-timeline">
        {timeline.map((item) =>
          'message' in item && item.message ? (
            <li key={item.key}>
              <p class="meta">
                {formatDateTime(item.at)} · {t(`desk.direction.${item.message.direction}`)}
              </p>
              <div
                class={`message message--${item.message.direction === 'internal_note' ? 'internal' : item.message.direction}`}
              >
                {item.message.body}
              </div>
            </li>
          ) : 'event' in item && item.event ? (
            <li key={item.key}>
              <p class="meta">{formatDateTime(item.at)}</p>
              <p>
                {eventText(item.event.type)}
                {item.event.visibility === 'internal' ? ` (${t('desk.internal')})` : ''}
              </p>
            </li>
          ) : null,
        )}
      </ol>
    </section>
  );
}

function Workspace(props: { who: Me }) {
  const who = props.who;
  const current = useSignal(route);
  const selected = queryOf(current).get('case');
  const departments = useDepartments();
  const agent = hasRole(who, 'agent', 'supervisor', 'admin');
  const officerDepartments = hasRole(who, 'department_officer') ? who.departmentIds : [];
  const [view, setView] = useState<'agent' | 'department'>(agent ? 'agent' : 'department');
  const [items, setItems] = useState<CaseSummary[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const [live, setLive] = useState<LiveState>('connecting');
  const [announcement, setAnnouncement] = useState('');
  const [version, setVersion] = useState(0);
  const known = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [chatSignal, setChatSignal] = useState<ChatSignal | null>(null);

  const load = useCallback(async () => {
    try {
      const lists =
        view === 'agent'
          ? [await call<{ items: CaseSummary[] }>('desk', '/v1/agent/queue?limit=100')]
          : await Promise.all(
              officerDepartments.map((id) =>
                call<{ items: CaseSummary[] }>('desk', `/v1/departments/${id}/queue?limit=100`),
              ),
            );
      const next = lists.flatMap((l) => l.items);
      if (known.current) {
        const arrived = next.filter((c) => !known.current!.has(c.id));
        if (arrived.length) {
          setFresh(new Set(arrived.map((c) => c.id)));
          setAnnouncement(t('desk.arrived', { n: arrived.length }));
        }
      }
      known.current = new Set(next.map((c) => c.id));
      setItems(next);
      setFailure(null);
    } catch (error) {
      setFailure(error);
    }
  }, [view, officerDepartments.join(',')]);

  useEffect(() => {
    known.current = null;
    void load();
  }, [load]);

  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | undefined;
    const topics: LiveTopic[] =
      view === 'agent'
        ? [
            { kind: 'queue', queue: 'new' },
            { kind: 'queue', queue: 'triage' },
          ]
        : officerDepartments.map((departmentId) => ({ kind: 'department' as const, departmentId }));
    if (!topics.length) return;
    const stop = connectLive({
      topics,
      onState: setLive,
      onEvent: (event) => {
        // Coalesce bursts of events into one reload of the queue (and of the open case).
        clearTimeout(pending);
        pending = setTimeout(() => {
          void load();
          if (selected && event.caseId === selected) setVersion((v) => v + 1);
        }, 150);
      },
      onReset: () => void load(),
      onMessage: (message) => setChatSignal(message as ChatSignal),
    });
    return () => {
      clearTimeout(pending);
      stop();
    };
  }, [view, load, selected]);

  return (
    <>
      <h1>{t('desk.title')}</h1>
      <SignedInAs />
      <div class="filters">
        <PresenceSwitch />
        {agent && officerDepartments.length ? (
          <div class="field">
            <label for="desk-view">{t('desk.view')}</label>
            <select
              id="desk-view"
              value={view}
              onChange={(e) => setView(e.currentTarget.value as 'agent' | 'department')}
            >
              <option value="agent">{t('desk.agentQueue')}</option>
              <option value="department">{t('desk.departmentQueue')}</option>
            </select>
          </div>
        ) : null}
        <p class="meta" data-testid="live-state" data-state={live}>
          <span class={`badge ${live === 'live' ? 'sla--ok' : 'sla--warning'}`}>
            {t(`desk.live.${live}`)}
          </span>
        </p>
      </div>
      <LiveRegion message={announcement} />
      <ErrorSummary error={failure} />
      <div class="desk">
        <section aria-labelledby="queue-heading">
          <h2 id="queue-heading">
            {view === 'agent' ? t('desk.agentQueue') : t('desk.departmentQueue')} ({items.length})
          </h2>
          <QueueList items={items} selected={selected} fresh={fresh} who={who} />
          {agent ? <ChatWindow signal={chatSignal} /> : null}
        </section>
        <div>
          {selected ? (
            <>
              <p>
                <button type="button" class="link" onClick={() => navigate('/desk')}>
                  {t('desk.closeCase')}
                </button>
              </p>
              <CasePanel
                id={selected}
                who={who}
                departments={departments.data ?? []}
                version={version}
                onChanged={() => void load()}
              />
            </>
          ) : (
            <p class="hint">{t('desk.pick')}</p>
          )}
        </div>
      </div>
    </>
  );
}

export function ConsolePage() {
  useSignal(lang);
  return <StaffOnly>{() => <Workspace who={me.get()!} />}</StaffOnly>;
}
