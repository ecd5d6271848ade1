import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { ConsolePage } from './desk/Console.tsx';
import { lang, languageName, languages, setLanguage, t } from './i18n.ts';
import { AdminPage } from './manager/Admin.tsx';
import { DashboardPage } from './manager/Dashboard.tsx';
import { FacilitatorPage } from './manager/Facilitator.tsx';
import { ChatPage } from './portal/Chat.tsx';
import { DialoguesPage } from './portal/Dialogues.tsx';
import { SubmitPage } from './portal/Submit.tsx';
import { TrackPage } from './portal/Track.tsx';
import { pathOf, route } from './router.ts';
import { useSignal } from './state.ts';

interface Page {
  path: string;
  title: string;
  area: 'resident' | 'staff';
  render: () => ComponentChildren;
}

function pages(): Page[] {
  return [
    { path: '/', title: t('nav.submit'), area: 'resident', render: () => <SubmitPage /> },
    { path: '/track', title: t('nav.track'), area: 'resident', render: () => <TrackPage /> },
    { path: '/chat', title: t('nav.chat'), area: 'resident', render: () => <ChatPage /> },
    { path: '/dialogues', title: t('nav.dialogues'), area: 'resident', render: () => <DialoguesPage /> },
    { path: '/desk', title: t('nav.desk'), area: 'staff', render: () => <ConsolePage /> },
    { path: '/manager', title: t('nav.manager'), area: 'staff', render: () => <DashboardPage /> },
    { path: '/facilitator', title: t('nav.facilitator'), area: 'staff', render: () => <FacilitatorPage /> },
    { path: '/admin', title: t('nav.admin'), area: 'staff', render: () => <AdminPage /> },
  ];
}

function pageFor(path: string, all: Page[]): Page {
  return (
    all.find((p) => p.path !== '/' && (path === p.path || path.startsWith(`${p.path}/`))) ??
    all.find((p) => p.path === '/')!
  );
}

function LanguageSwitcher() {
  const current = useSignal(lang);
  return (
    <div class="language">
      <label for="language-select">{t('nav.language')}</label>
      <select id="language-select" value={current} onChange={(e) => setLanguage(e.currentTarget.value)}>
        {languages.map((l) => (
          <option key={l} value={l} lang={l}>
            {languageName(l)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function App() {
  useSignal(lang);
  const current = useSignal(route);
  const all = pages();
  const page = pageFor(pathOf(current), all);
  useEffect(() => {
    document.title = `${page.title} · Samtal`;
  });
  const navList = (area: Page['area']) =>
    all
      .filter((p) => p.area === area)
      .map((p) => (
        <li key={p.path}>
          <a href={p.path} aria-current={p === page ? 'page' : undefined}>
            {p.title}
          </a>
        </li>
      ));
  return (
    <>
      <a class="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header class="site-header">
        <div class="brand">
          <a href="/">Samtal</a>
          <span class="tagline">{t('site.tagline')}</span>
        </div>
        <LanguageSwitcher />
        <nav aria-label={t('nav.label')}>
          <ul class="nav-group" aria-label={t('nav.residents')}>
            {navList('resident')}
          </ul>
          <ul class="nav-group nav-group--staff" aria-label={t('nav.staff')}>
            {navList('staff')}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page.render()}
      </main>
      <footer class="site-footer">
        <p>{t('site.footer')}</p>
      </footer>
    </>
  );
}
