import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.ts';
import { formatDateTime, t } from '../i18n.ts';
import { ErrorSummary, Field, LiveRegion } from '../ui/common.tsx';

interface ChatLine {
  from: string;
  body: string;
  at: string;
}
interface ChatView {
  chatId: string;
  offeredAt: string;
  agentId: string | null;
  language?: string | null;
  transcript?: ChatLine[];
}

/** Live chat messages for the console, from the desk's live socket (type chat.*). */
export type ChatSignal = { type: string; chatId: string; body?: string; from?: string; at?: string };

/**
 * The agent's chat window: waiting chats (offered to available agents), accept one, talk, end.
 * Fed by GET /v1/chats and the live socket's chat.* messages.
 */
export function ChatWindow(props: { signal: ChatSignal | null }) {
  const [waiting, setWaiting] = useState<ChatView[]>([]);
  const [active, setActive] = useState<ChatView | null>(null);
  const [lines, setLines] = useState<ChatLine[]>([]);
  const [text, setText] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const [note, setNote] = useState('');

  const refresh = () =>
    call<{ waiting: ChatView[]; mine: ChatView[] }>('desk', '/v1/chats').then(
      (r) => setWaiting(r.waiting),
      () => setWaiting([]),
    );
  useEffect(() => {
    void refresh();
  }, []);
  useEffect(() => {
    const s = props.signal;
    if (!s) return;
    if (s.type === 'chat.offered') setNote(t('chat.offered'));
    if (s.type === 'chat.message' && active && s.chatId === active.chatId) {
      setLines((l) => [
        ...l,
        { from: s.from ?? 'resident', body: s.body ?? '', at: s.at ?? new Date().toISOString() },
      ]);
    }
    if (s.type === 'chat.closed' && active && s.chatId === active.chatId) setNote(t('chat.ended'));
    void refresh();
  }, [props.signal]);

  async function accept(chatId: string) {
    try {
      const chat = await call<ChatView>('desk', `/v1/chats/${chatId}/accept`, { method: 'POST' });
      setActive(chat);
      setLines(chat.transcript ?? []);
      void refresh();
    } catch (error) {
      setFailure(error);
    }
  }
  async function send(event: Event) {
    event.preventDefault();
    if (!active || !text.trim()) return;
    try {
      const line = await call<ChatLine>('desk', `/v1/chats/${active.chatId}/messages`, {
        body: { body: text.trim() },
      });
      setLines((l) => [...l, line]);
      setText('');
    } catch (error) {
      setFailure(error);
    }
  }
  async function end() {
    if (!active) return;
    await call('desk', `/v1/chats/${active.chatId}/end`, { method: 'POST' }).catch(setFailure);
    setActive(null);
    setLines([]);
  }

  return (
    <section aria-labelledby="chat-heading" class="card">
      <h2 id="chat-heading">{t('chat.window')}</h2>
      <ErrorSummary error={failure} />
      <LiveRegion message={note} />
      {active ? (
        <>
          <div class="chat-log" role="log" aria-live="polite" aria-label={t('chat.conversation')}>
            {lines.map((l, i) => (
              <p key={`${l.at}-${i}`}>
                <strong>{l.from === 'agent' ? t('chat.you') : t('chat.resident')}:</strong> {l.body}{' '}
                <span class="meta">{formatDateTime(l.at)}</span>
              </p>
            ))}
          </div>
          <form onSubmit={send}>
            <Field id="agent-chat-message" label={t('chat.message')}>
              {(aria) => (
                <input
                  {...aria}
                  type="text"
                  autocomplete="off"
                  value={text}
                  onInput={(e) => setText(e.currentTarget.value)}
                />
              )}
            </Field>
            <div class="actions">
              <button type="submit">{t('chat.send')}</button>
              <button type="button" class="secondary" onClick={() => void end()}>
                {t('chat.end')}
              </button>
            </div>
          </form>
        </>
      ) : waiting.length ? (
        <ul class="queue">
          {waiting.map((c) => (
            <li key={c.chatId}>
              {t('chat.waitingSince', { when: formatDateTime(c.offeredAt) })}{' '}
              {c.language ? `· ${c.language}` : ''}{' '}
              <button type="button" onClick={() => void accept(c.chatId)}>
                {t('chat.accept')}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">{t('chat.noneWaiting')}</p>
      )}
    </section>
  );
}
