import { useEffect, useRef, useState } from 'preact/hooks';
import { socketUrl } from '../api.ts';
import { formatDateTime, lang, t } from '../i18n.ts';
import { site } from '../site.ts';
import { useSignal } from '../state.ts';
import { Field } from '../ui/common.tsx';
import { Receipt } from './Submit.tsx';
import { rememberReceipt, type Submitted } from './types.ts';

interface Line {
  from: 'resident' | 'agent' | 'system';
  body: string;
  at: string;
}

type State = 'idle' | 'connecting' | 'waiting' | 'answered' | 'ended';

/**
 * Resident chat over the desk's public WebSocket (/v1/public/:tenant/chat): offered to available
 * agents; one accepts; messages both ways; the chat may become a case (tracking code and key).
 */
export function ChatPage() {
  const language = useSignal(lang);
  const [state, setState] = useState<State>('idle');
  const [lines, setLines] = useState<Line[]>([]);
  const [text, setText] = useState('');
  const [receipt, setReceipt] = useState<Submitted | null>(null);
  const socket = useRef<WebSocket | null>(null);
  const say = (from: Line['from'], body: string, at = new Date().toISOString()) =>
    setLines((l) => [...l, { from, body, at }]);

  useEffect(() => () => socket.current?.close(), []);

  function start() {
    setState('connecting');
    setLines([]);
    const ws = new WebSocket(
      socketUrl(
        'desk',
        `/v1/public/${encodeURIComponent(site.tenant)}/chat?language=${encodeURIComponent(language)}`,
      ),
    );
    socket.current = ws;
    ws.addEventListener('message', (event) => {
      let m: { type: string; [key: string]: unknown };
      try {
        m = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (m.type === 'opened') {
        setState('waiting');
        say('system', t('chat.waiting'));
      } else if (m.type === 'answered') {
        setState('answered');
        say(
          'system',
          typeof m.agentName === 'string' ? t('chat.answeredBy', { name: m.agentName }) : t('chat.answered'),
        );
      } else if (m.type === 'message') {
        say('agent', String(m.body), String(m.at));
      } else if (m.type === 'case_created') {
        const r = { trackingCode: String(m.trackingCode), accessToken: String(m.accessToken) };
        rememberReceipt(r);
        setReceipt({
          ...r,
          status: 'new',
          createdAt: new Date().toISOString(),
          expectedFirstResponseAt: null,
          expectedResolutionAt: null,
        });
      } else if (m.type === 'ended') {
        setState('ended');
        say('system', t('chat.ended'));
      }
    });
    ws.addEventListener('close', () => {
      setState((s) => (s === 'idle' ? s : 'ended'));
    });
    ws.addEventListener('error', () => say('system', t('chat.failed')));
  }

  function send(event: Event) {
    event.preventDefault();
    const body = text.trim();
    if (!body || socket.current?.readyState !== WebSocket.OPEN) return;
    socket.current.send(JSON.stringify({ type: 'message', body }));
    say('resident', body);
    setText('');
  }

  function end() {
    socket.current?.send(JSON.stringify({ type: 'end' }));
    socket.current?.close();
    setState('ended');
  }

  const open = state === 'waiting' || state === 'answered';
  return (
    <>
      <h1>{t('nav.chat')}</h1>
      <p>{t('chat.intro')}</p>
      {state === 'idle' || state === 'ended' ? (
        <div class="actions">
          <button type="button" onClick={start}>
            {state === 'ended' ? t('chat.again') : t('chat.start')}
          </button>
          <a href="/">{t('chat.useForm')}</a>
        </div>
      ) : null}
      {lines.length ? (
        <div class="chat-log" role="log" aria-live="polite" aria-label={t('chat.conversation')}>
          {lines.map((l, i) => (
            <p key={`${l.at}-${i}`} class={l.from === 'system' ? 'meta' : undefined}>
              {l.from === 'system' ? (
                l.body
              ) : (
                <>
                  <strong>{l.from === 'agent' ? t('chat.agent') : t('track.you')}:</strong> {l.body}
                </>
              )}{' '}
              <span class="meta">{formatDateTime(l.at)}</span>
            </p>
          ))}
        </div>
      ) : null}
      {open ? (
        <form onSubmit={send}>
          <Field id="chat-message" label={t('chat.message')}>
            {(aria) => (
              <input
                {...aria}
                type="text"
                autocomplete="off"
                maxLength={4000}
                value={text}
                onInput={(e) => setText(e.currentTarget.value)}
              />
            )}
          </Field>
          <div class="actions">
            <button type="submit">{t('chat.send')}</button>
            <button type="button" class="secondary" onClick={end}>
              {t('chat.end')}
            </button>
          </div>
        </form>
      ) : null}
      {receipt ? <Receipt submitted={receipt} /> : null}
    </>
  );
}
