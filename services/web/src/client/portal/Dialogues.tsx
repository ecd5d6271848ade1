import { t } from '../i18n.ts';

export function DialoguesPage() {
  return <h1>{t('nav.dialogues')}</h1>;
}
