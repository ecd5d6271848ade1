import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.ts';
import { formatDateTime, lang, t } from '../i18n.ts';
import { queryOf, route } from '../router.ts';
import { useSignal } from '../state.ts';
import { ErrorSummary, Field, LiveRegion } from '../ui/common.tsx';
import {
  type InquiryView,
  type Receipt,
  rememberedReceipt,
  rememberReceipt,
  type TimelineItem,
} from './types.ts';

const POLL_MS = 15_000;

function statusText(status: string): string {
  const key = `status.${status}`;
  const text = t(key);
  return text === key ? status : text;
}

function TimelineEntry(props: { item: TimelineItem }) {
  const item = props.item;
  if (item.kind === 'message') {
    const fromUs = item.direction === 'to_resident';
    return (
      <li>
        <p class="meta">
          {formatDateTime(item.at)} ·{' '}
          {fromUs ? (item.author ?? item.department ?? t('track.municipality')) : t('track.you')}
        </p>
        <div class={`message message--${fromUs ? 'outbound' : 'inbound'}`}>{item.body}</div>
      </li>
    );
  }
  const eventKey = `event.${item.type}`;
  const eventText = t(eventKey);
  return (
    <li>
      <p class="meta">{formatDateTime(item.at)}</p>
      <p>
        {eventText === eventKey ? item.type : eventText}
        {item.department ? ` · ${item.department}` : ''}
        {item.handler ? ` · ${item.handler}` : ''}
      </p>
    </li>
  );
}

function Feedback(props: { receipt: Receipt; view: InquiryView; onDone: () => void }) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [rehandle, setRehandle] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const canRehandle = rating > 0 && rating <= 2 && props.view.next.rehandlingPossibleUntil;
  async function send(event: Event) {
    event.preventDefault();
    if (!rating) return;
    setBusy(true);
    try {
      await call('intake', `/v1/inquiries/${encodeURIComponent(props.receipt.trackingCode)}/feedback`, {
        bearer: props.receipt.accessToken,
        body: {
          rating,
          ...(comment.trim() ? { comment: comment.trim() } : {}),
          requestRehandling: Boolean(canRehandle && rehandle),
        },
      });
      props.onDone();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby="feedback-heading">
      <h2 id="feedback-heading">{t('feedback.title')}</h2>
      <ErrorSummary error={failure} />
      <form onSubmit={send}>
        <fieldset>
          <legend>{t('feedback.question')}</legend>
          <div class="choices-inline">
            {[1, 2, 3, 4, 5].map((n) => (
              <div class="choice" key={n}>
                <input
                  type="radio"
                  name="rating"
                  id={`rating-${n}`}
                  value={n}
                  checked={rating === n}
                  onChange={() => setRating(n)}
                />
                <label for={`rating-${n}`}>{t(`feedback.rating${n}`)}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <Field id="feedback-comment" label={t('feedback.comment')}>
          {(aria) => (
            <textarea
              {...aria}
              maxLength={2000}
              value={comment}
              onInput={(e) => setComment(e.currentTarget.value)}
            />
          )}
        </Field>
        {canRehandle ? (
          <div class="choice">
            <input
              type="checkbox"
              id="rehandle"
              checked={rehandle}
              onChange={(e) => setRehandle(e.currentTarget.checked)}
            />
            <label for="rehandle">
              {t('feedback.rehandle', { until: formatDateTime(props.view.next.rehandlingPossibleUntil) })}
            </label>
          </div>
        ) : null}
        <div class="actions">
          <button type="submit" disabled={!rating || busy}>
            {t('feedback.send')}
          </button>
        </div>
      </form>
    </section>
  );
}

function CaseView(props: { receipt: Receipt; view: InquiryView; reload: () => void }) {
  const v = props.view;
  const [message, setMessage] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const [note, setNote] = useState('');
  async function send(event: Event) {
    event.preventDefault();
    if (!message.trim()) return;
    try {
      await call('intake', `/v1/inquiries/${encodeURIComponent(props.receipt.trackingCode)}/messages`, {
        bearer: props.receipt.accessToken,
        body: { body: message.trim() },
      });
      setMessage('');
      setNote(t('track.messageSent'));
      props.reload();
    } catch (error) {
      setFailure(error);
    }
  }
  return (
    <>
      <section aria-labelledby="case-heading">
        <h2 id="case-heading">
          {t('track.case', { code: v.trackingCode })} —{' '}
          <span data-testid="case-status">{statusText(v.status)}</span>
        </h2>
        <dl>
          <dt>{t('track.category')}</dt>
          <dd>{v.service.name}</dd>
          <dt>{t('track.submitted')}</dt>
          <dd>{formatDateTime(v.createdAt)}</dd>
          {v.department ? (
            <>
              <dt>{t('track.department')}</dt>
              <dd>{v.department}</dd>
            </>
          ) : null}
          {v.expectedFirstResponseAt ? (
            <>
              <dt>{t('track.expectedAnswer')}</dt>
              <dd>{formatDateTime(v.expectedFirstResponseAt)}</dd>
            </>
          ) : null}
          <dt>{t('track.description')}</dt>
          <dd class="message">{v.description}</dd>
        </dl>
      </section>
      {v.next.awaitingInformation ? (
        <div class="notice notice--warning">
          <p>{t('track.awaitingInformation')}</p>
        </div>
      ) : null}
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">{t('track.timeline')}</h2>
        <ol class="timeline" data-testid="timeline">
          {v.timeline.map((item, i) => (
            <TimelineEntry key={`${item.at}-${i}`} item={item} />
          ))}
        </ol>
      </section>
      {v.next.canSendMessage ? (
        <section aria-labelledby="message-heading">
          <h2 id="message-heading">
            {v.next.awaitingInformation ? t('track.answer') : t('track.writeMessage')}
          </h2>
          <ErrorSummary error={failure} />
          <form onSubmit={send}>
            <Field id="resident-message" label={t('track.message')}>
              {(aria) => (
                <textarea
                  {...aria}
                  maxLength={4000}
                  value={message}
                  onInput={(e) => setMessage(e.currentTarget.value)}
                />
              )}
            </Field>
            <div class="actions">
              <button type="submit">{t('track.send')}</button>
            </div>
          </form>
          <LiveRegion message={note} />
        </section>
      ) : null}
      {v.feedback ? (
        <div class="notice notice--ok" data-testid="feedback-given">
          <p>{t('feedback.thanks', { rating: v.feedback.rating })}</p>
        </div>
      ) : v.next.canGiveFeedback ? (
        <Feedback receipt={props.receipt} view={v} onDone={props.reload} />
      ) : null}
    </>
  );
}

export function TrackPage() {
  useSignal(lang);
  const current = useSignal(route);
  const remembered = rememberedReceipt();
  const fromUrl = queryOf(current).get('code') ?? '';
  const [code, setCode] = useState(fromUrl || remembered?.trackingCode || '');
  const [token, setToken] = useState(
    remembered && (!fromUrl || fromUrl === remembered.trackingCode) ? remembered.accessToken : '',
  );
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [view, setView] = useState<InquiryView | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!receipt) return;
    const controller = new AbortController();
    const load = () =>
      call<InquiryView>(
        'intake',
        `/v1/inquiries/${encodeURIComponent(receipt.trackingCode)}?lang=${lang.get()}`,
        {
          bearer: receipt.accessToken,
          signal: controller.signal,
        },
      ).then(
        (v) => {
          setView(v);
          setFailure(null);
        },
        (error) => {
          if ((error as Error).name !== 'AbortError') setFailure(error);
        },
      );
    load();
    const timer = setInterval(load, POLL_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [receipt, tick]);

  function open(event: Event) {
    event.preventDefault();
    const next = { trackingCode: code.trim().toUpperCase(), accessToken: token.trim() };
    if (!next.trackingCode || !next.accessToken) return;
    rememberReceipt(next);
    setView(null);
    setReceipt(next);
  }

  return (
    <>
      <h1>{t('track.title')}</h1>
      <form onSubmit={open} class="filters">
        <Field id="tracking-code" label={t('track.code')} hint={t('track.codeHint')}>
          {(aria) => (
            <input
              {...aria}
              type="text"
              autocomplete="off"
              spellcheck={false}
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field id="access-token" label={t('track.token')}>
          {(aria) => (
            <input
              {...aria}
              type="password"
              autocomplete="off"
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="actions">
          <button type="submit">{t('track.open')}</button>
          {receipt ? (
            <button type="button" class="secondary" onClick={() => setTick((n) => n + 1)}>
              {t('track.refresh')}
            </button>
          ) : null}
        </div>
      </form>
      <ErrorSummary error={failure} />
      {receipt && view ? (
        <CaseView receipt={receipt} view={view} reload={() => setTick((n) => n + 1)} />
      ) : null}
    </>
  );
}
