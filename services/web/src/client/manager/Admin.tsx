import { t } from '../i18n.ts';

export function AdminPage() {
  return <h1>{t('nav.admin')}</h1>;
}
