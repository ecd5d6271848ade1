import { useState } from 'preact/hooks';
import { ApiError, call } from '../api.ts';
import { formatDateTime, lang, t } from '../i18n.ts';
import { queryOf, route } from '../router.ts';
import { site } from '../site.ts';
import { useSignal } from '../state.ts';
import { ErrorSummary, Field, Loading, Unavailable, useLoad } from '../ui/common.tsx';

/** Shapes of the dialogue service's public routes (services/dialogue, routes/public.ts). */
interface PublicDialogue {
  id: string;
  language: string;
  title: string;
  question: string;
  purpose: string;
  method: string;
  status: string;
  languages: string[];
  sessions: { place: string; startsAt: string; endsAt?: string }[];
  partners: string[];
  canRegister: boolean;
  canContribute: boolean;
  outcomesPublished: boolean;
}

interface SurveyQuestion {
  id: string;
  position: number;
  kind: 'single_choice' | 'multiple_choice' | 'scale' | 'free_text';
  prompt: string;
  options: { key: string; label: string }[];
  scaleMin: number | null;
  scaleMax: number | null;
  required: boolean;
  demographic: boolean;
}

type Cell = number | { suppressed: true };

interface YouSaidWeDid {
  dialogue: PublicDialogue;
  outcomes: {
    kind: string;
    title: string;
    description: string;
    decidedAt: string | null;
    responses: {
      response: 'taken' | 'partly' | 'not_taken';
      reason: string | null;
      contribution: { kind: string; body: string; themes: string[] };
    }[];
  }[];
  indicators: { participants: Cell; contributions: Cell };
}

const base = () => `/v1/public/${encodeURIComponent(site.tenant)}/dialogues`;
const cellText = (c: Cell) => (typeof c === 'number' ? String(c) : t('indicators.suppressed'));

function Survey(props: { dialogue: PublicDialogue }) {
  const language = useSignal(lang);
  const survey = useLoad(
    (signal) =>
      call<{ questions: SurveyQuestion[] }>(
        'dialogue',
        `${base()}/${props.dialogue.id}/survey?lang=${language}`,
        { signal },
      ),
    [props.dialogue.id, language],
  );
  const [answers, setAnswers] = useState<Record<string, string | number | string[]>>({});
  const [consent, setConsent] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  if (survey.loading) return <Loading />;
  if (survey.error) return <Unavailable error={survey.error} what={t('dialogues.survey')} />;
  const questions = [...(survey.data?.questions ?? [])].sort((a, b) => a.position - b.position);
  if (!questions.length) return null;
  if (done) {
    return (
      <div class="notice notice--ok" role="status">
        <p>{t('dialogues.surveyThanks')}</p>
      </div>
    );
  }
  const demographicAnswered = questions.some((q) => q.demographic && answers[q.id] !== undefined);
  async function send(event: Event) {
    event.preventDefault();
    try {
      await call('dialogue', `${base()}/${props.dialogue.id}/survey/responses`, {
        body: {
          language,
          answers: Object.entries(answers).map(([questionId, value]) => ({ questionId, value })),
          ...(demographicAnswered && consent
            ? { demographicsConsent: { consent: true, consentTextVersion: 'web-2026-1' } }
            : {}),
        },
      });
      setDone(true);
    } catch (error) {
      setFailure(error);
    }
  }
  return (
    <section aria-labelledby="survey-heading">
      <h2 id="survey-heading">{t('dialogues.survey')}</h2>
      <ErrorSummary error={failure} />
      <form onSubmit={send}>
        {questions.map((q) => {
          const id = `q-${q.id}`;
          const value = answers[q.id];
          const set = (v: string | number | string[]) => setAnswers((prev) => ({ ...prev, [q.id]: v }));
          if (q.kind === 'free_text') {
            return (
              <Field key={q.id} id={id} label={q.prompt} required={q.required}>
                {(aria) => (
                  <textarea
                    {...aria}
                    maxLength={5000}
                    value={(value as string) ?? ''}
                    onInput={(e) => set(e.currentTarget.value)}
                  />
                )}
              </Field>
            );
          }
          const options =
            q.kind === 'scale'
              ? Array.from({ length: (q.scaleMax ?? 5) - (q.scaleMin ?? 1) + 1 }, (_, i) => {
                  const n = (q.scaleMin ?? 1) + i;
                  return { key: String(n), label: String(n) };
                })
              : q.demographic
                ? [
                    ...q.options.filter((o) => o.key !== 'unknown'),
                    { key: 'unknown', label: t('demographics.preferNot') },
                  ]
                : q.options;
          const multiple = q.kind === 'multiple_choice';
          const chosen = Array.isArray(value) ? value : value !== undefined ? [String(value)] : [];
          return (
            <fieldset key={q.id}>
              <legend>
                {q.prompt}
                {q.required ? <span class="required"> ({t('form.required')})</span> : null}
              </legend>
              {q.demographic ? <p class="hint">{t('demographics.why')}</p> : null}
              <div class="choices-inline">
                {options.map((o) => (
                  <div class="choice" key={o.key}>
                    <input
                      type={multiple ? 'checkbox' : 'radio'}
                      name={id}
                      id={`${id}-${o.key}`}
                      checked={chosen.includes(o.key)}
                      onChange={(e) => {
                        if (q.kind === 'scale') set(Number(o.key));
                        else if (!multiple) set(o.key);
                        else
                          set(
                            e.currentTarget.checked ? [...chosen, o.key] : chosen.filter((k) => k !== o.key),
                          );
                      }}
                    />
                    <label for={`${id}-${o.key}`}>{o.label}</label>
                  </div>
                ))}
              </div>
            </fieldset>
          );
        })}
        {demographicAnswered ? (
          <div class="choice">
            <input
              type="checkbox"
              id="survey-consent"
              checked={consent}
              onChange={(e) => setConsent(e.currentTarget.checked)}
            />
            <label for="survey-consent">{t('demographics.consent')}</label>
          </div>
        ) : null}
        <div class="actions">
          <button type="submit">{t('dialogues.sendAnswers')}</button>
        </div>
      </form>
    </section>
  );
}

const tokenKey = (id: string) => `samtal.dialogue.${id}`;

/** Signing up to take part: the participant token lets later contributions count as theirs. */
function Register(props: { dialogue: PublicDialogue; onRegistered: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const fieldError = (field: string) =>
    failure instanceof ApiError ? failure.fields.find((f) => f.field === field)?.message : undefined;
  async function send(event: Event) {
    event.preventDefault();
    setFailure(null);
    try {
      const result = await call<{ participantToken: string }>(
        'dialogue',
        `${base()}/${props.dialogue.id}/participants`,
        {
          body: {
            language: lang.get(),
            ...(name.trim() ? { name: name.trim() } : {}),
            ...(email.trim() ? { email: email.trim() } : {}),
          },
        },
      );
      localStorage.setItem(tokenKey(props.dialogue.id), result.participantToken);
      props.onRegistered();
    } catch (error) {
      setFailure(error);
    }
  }
  return (
    <section aria-labelledby="register-heading">
      <h2 id="register-heading">{t('dialogues.register')}</h2>
      <p>{t('dialogues.registerIntro')}</p>
      <ErrorSummary error={failure} fieldIds={{ name: 'register-name', email: 'register-email' }} />
      <form onSubmit={send} noValidate>
        <Field id="register-name" label={t('submit.name')} error={fieldError('name')}>
          {(aria) => (
            <input
              {...aria}
              type="text"
              autocomplete="name"
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field id="register-email" label={t('submit.email')} error={fieldError('email')}>
          {(aria) => (
            <input
              {...aria}
              type="email"
              autocomplete="email"
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="actions">
          <button type="submit">{t('dialogues.registerSend')}</button>
        </div>
      </form>
    </section>
  );
}

/** Saying something while the dialogue is open: as a registered participant, or anonymously. */
function Contribute(props: { dialogue: PublicDialogue; token: string | null }) {
  const [kind, setKind] = useState('idea');
  const [body, setBody] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const [sent, setSent] = useState(0);
  const bodyError =
    failure instanceof ApiError ? failure.fields.find((f) => f.field === 'body')?.message : undefined;
  async function send(event: Event) {
    event.preventDefault();
    setFailure(null);
    try {
      await call('dialogue', `${base()}/${props.dialogue.id}/contributions`, {
        body: {
          kind,
          body,
          language: lang.get(),
          ...(props.token ? { participantToken: props.token } : {}),
        },
      });
      setBody('');
      setSent((n) => n + 1);
    } catch (error) {
      setFailure(error);
    }
  }
  return (
    <section aria-labelledby="contribute-heading">
      <h2 id="contribute-heading">{t('dialogues.contribute')}</h2>
      {props.token ? <p class="meta">{t('dialogues.asParticipant')}</p> : null}
      <ErrorSummary error={failure} fieldIds={{ body: 'contribution-body' }} />
      {sent ? (
        <div class="notice notice--ok" role="status">
          <p>{t('dialogues.contributed')}</p>
        </div>
      ) : null}
      <form onSubmit={send} noValidate>
        <Field id="contribution-kind" label={t('dialogues.kind')}>
          {(aria) => (
            <select {...aria} value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
              {['idea', 'concern', 'question', 'proposal'].map((k) => (
                <option key={k} value={k}>
                  {t(`contribution.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="contribution-body" label={t('dialogues.yourContribution')} error={bodyError} required>
          {(aria) => (
            <textarea
              {...aria}
              maxLength={10_000}
              value={body}
              onInput={(e) => setBody(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="actions">
          <button type="submit">{t('dialogues.sendContribution')}</button>
        </div>
      </form>
    </section>
  );
}

function Outcomes(props: { dialogue: PublicDialogue }) {
  const language = useSignal(lang);
  const page = useLoad(
    (signal) =>
      call<YouSaidWeDid>('dialogue', `${base()}/${props.dialogue.id}/outcomes?lang=${language}`, { signal }),
    [props.dialogue.id, language],
  );
  if (page.loading) return <Loading />;
  if (page.error) return <Unavailable error={page.error} what={t('dialogues.youSaidWeDid')} />;
  const data = page.data!;
  return (
    <section aria-labelledby="ysw-heading">
      <h2 id="ysw-heading">{t('dialogues.youSaidWeDid')}</h2>
      <p>
        {t('dialogues.reach', {
          participants: cellText(data.indicators.participants),
          contributions: cellText(data.indicators.contributions),
        })}
      </p>
      {data.outcomes.map((o) => (
        <article class="card" key={o.title}>
          <h3>{o.title}</h3>
          <p>{o.description}</p>
          {o.decidedAt ? (
            <p class="meta">{t('dialogues.decided', { when: formatDateTime(o.decidedAt) })}</p>
          ) : null}
          <table>
            <caption class="visually-hidden">{t('dialogues.youSaid')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('dialogues.youSaid')}</th>
                <th scope="col">{t('dialogues.weDid')}</th>
              </tr>
            </thead>
            <tbody>
              {o.responses.map((r) => (
                <tr key={r.contribution.body}>
                  <td>{r.contribution.body}</td>
                  <td>
                    <strong>{t(`dialogues.response.${r.response}`)}</strong>
                    {r.reason ? ` — ${r.reason}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
    </section>
  );
}

function DialogueView(props: { id: string }) {
  const language = useSignal(lang);
  const d = useLoad(
    (signal) => call<PublicDialogue>('dialogue', `${base()}/${props.id}?lang=${language}`, { signal }),
    [props.id, language],
  );
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(tokenKey(props.id)));
  if (d.loading) return <Loading />;
  if (d.error) return <Unavailable error={d.error} what={t('nav.dialogues')} />;
  const dialogue = d.data!;
  return (
    <article lang={dialogue.language}>
      <h1>{dialogue.title}</h1>
      <p>
        <a href="/dialogues">{t('dialogues.all')}</a>
      </p>
      <p class="meta">
        {t(`dialogues.method.${dialogue.method}`)} · {t(`dialogues.status.${dialogue.status}`)}
      </p>
      <h2>{t('dialogues.question')}</h2>
      <p>{dialogue.question}</p>
      <h2>{t('dialogues.purpose')}</h2>
      <p>{dialogue.purpose}</p>
      {dialogue.sessions.length ? (
        <>
          <h2>{t('dialogues.sessions')}</h2>
          <ul>
            {dialogue.sessions.map((s) => (
              <li key={s.startsAt}>
                {formatDateTime(s.startsAt)} — {s.place}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {dialogue.canRegister && !token ? (
        <Register
          dialogue={dialogue}
          onRegistered={() => setToken(localStorage.getItem(tokenKey(dialogue.id)))}
        />
      ) : null}
      {token && dialogue.canRegister ? (
        <div class="notice notice--ok" role="status">
          <p>{t('dialogues.registered')}</p>
        </div>
      ) : null}
      {dialogue.canContribute ? <Contribute dialogue={dialogue} token={token} /> : null}
      {dialogue.canContribute ? <Survey dialogue={dialogue} /> : null}
      {dialogue.outcomesPublished ? <Outcomes dialogue={dialogue} /> : null}
    </article>
  );
}

export function DialoguesPage() {
  const language = useSignal(lang);
  const current = useSignal(route);
  const id = queryOf(current).get('id');
  const list = useLoad(
    (signal) => call<{ dialogues: PublicDialogue[] }>('dialogue', `${base()}?lang=${language}`, { signal }),
    [language],
  );
  if (id) return <DialogueView id={id} />;
  return (
    <>
      <h1>{t('nav.dialogues')}</h1>
      <p>{t('dialogues.intro')}</p>
      {list.loading ? <Loading /> : null}
      {list.error ? <Unavailable error={list.error} what={t('nav.dialogues')} /> : null}
      {list.data && !list.data.dialogues.length ? <p>{t('dialogues.none')}</p> : null}
      <ul class="cards">
        {(list.data?.dialogues ?? []).map((d) => (
          <li class="card" key={d.id} lang={d.language}>
            <h2>
              <a href={`/dialogues?id=${d.id}`}>{d.title}</a>
            </h2>
            <p>{d.question}</p>
            <p class="meta">
              {t(`dialogues.method.${d.method}`)} · {t(`dialogues.status.${d.status}`)}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
