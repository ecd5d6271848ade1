import { signal } from './state.ts';

/**
 * Every language is one JSON file in ./i18n/ named by its BCP 47 tag; adding a file adds the
 * language to the switcher. Keys missing from a file fall back to English, then to the key itself.
 */
type Messages = Record<string, string>;
const files = import.meta.glob<Messages>('./i18n/*.json', { eager: true, import: 'default' });

export const catalogs: Record<string, Messages> = Object.fromEntries(
  Object.entries(files).map(([path, messages]) => [path.replace(/^.*\/(.+)\.json$/, '$1'), messages]),
);
export const languages = Object.keys(catalogs).sort();
const fallback = 'en';

function pickInitial(): string {
  const saved = localStorage.getItem('samtal.lang');
  if (saved && catalogs[saved]) return saved;
  for (const wanted of navigator.languages ?? []) {
    const exact = languages.find((l) => l.toLowerCase() === wanted.toLowerCase());
    if (exact) return exact;
    const base = languages.find((l) => l.split('-')[0] === wanted.split('-')[0]);
    if (base) return base;
  }
  return 'sv';
}

export const lang = signal(pickInitial());

export function setLanguage(next: string): void {
  if (!catalogs[next]) return;
  localStorage.setItem('samtal.lang', next);
  lang.set(next);
}

/** Keeps <html lang dir> in step with the chosen language (screen readers, hyphenation, fonts). */
export function applyDocumentLanguage(): void {
  const apply = (l: string) => {
    document.documentElement.lang = l;
    document.documentElement.dir = catalogs[l]?._dir === 'rtl' ? 'rtl' : 'ltr';
  };
  apply(lang.get());
  lang.subscribe(apply);
}

/** The translated text for `key`, with `{name}` placeholders filled from `vars`. */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const l = lang.get();
  const text = catalogs[l]?.[key] ?? catalogs[fallback]?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** The language's own name ("Svenska", "中文（简体）") for the switcher. */
export const languageName = (l: string): string => catalogs[l]?._name ?? l;

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang.get(), { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

export function formatNumber(value: number, digits = 0): string {
  return new Intl.NumberFormat(lang.get(), {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(value);
}
