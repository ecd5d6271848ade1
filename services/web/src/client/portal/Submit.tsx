import { t } from '../i18n.ts';

export function SubmitPage() {
  return <h1>{t('nav.submit')}</h1>;
}
