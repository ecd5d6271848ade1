import { t } from '../i18n.ts';

export function ConsolePage() {
  return <h1>{t('nav.desk')}</h1>;
}
