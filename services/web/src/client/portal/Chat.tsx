import { t } from '../i18n.ts';

/**
 * Resident chat. The desk's public chat endpoint (issue 5: "a resident opens a chat over WebSocket
 * from the public side") is not in the desk yet; until it is, this page says so and points to the form.
 */
export function ChatPage() {
  return (
    <>
      <h1>{t('nav.chat')}</h1>
      <div class="notice notice--warning" role="status">
        <p>{t('chat.unavailable')}</p>
      </div>
      <p>
        <a href="/">{t('chat.useForm')}</a>
      </p>
    </>
  );
}
