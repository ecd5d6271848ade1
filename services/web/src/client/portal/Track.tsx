import { t } from '../i18n.ts';

export function TrackPage() {
  return <h1>{t('nav.track')}</h1>;
}
