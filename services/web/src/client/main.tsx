import { render } from 'preact';
import { App } from './App.tsx';
import { applyDocumentLanguage } from './i18n.ts';
import { interceptLinks } from './router.ts';
import { loadSiteConfig } from './site.ts';

applyDocumentLanguage();
interceptLinks();
await loadSiteConfig();
render(<App />, document.getElementById('app')!);
