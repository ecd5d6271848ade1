import { t } from '../i18n.ts';

export function ChatPage() {
  return <h1>{t('nav.chat')}</h1>;
}
