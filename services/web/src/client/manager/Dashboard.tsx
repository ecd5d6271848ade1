import { t } from '../i18n.ts';

export function DashboardPage() {
  return <h1>{t('nav.manager')}</h1>;
}
