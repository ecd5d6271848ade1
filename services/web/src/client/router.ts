import { signal } from './state.ts';

/** History-API routing over the paths the server answers with index.html (see server APP_PATHS). */
export const route = signal(location.pathname + location.search);

export function navigate(to: string, replace = false): void {
  if (to === route.get()) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  route.set(to);
  // Move focus to the new page's heading so screen-reader and keyboard users know it changed.
  queueMicrotask(() => {
    const heading = document.querySelector<HTMLElement>('main h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  });
}

addEventListener('popstate', () => route.set(location.pathname + location.search));

/** Same-origin link clicks become client-side navigation. */
export function interceptLinks(): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    const anchor = (event.target as Element).closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    // In-page links (the skip link, error summaries) keep the browser's own focus behaviour.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}

export function pathOf(r: string): string {
  return r.split('?')[0] ?? '/';
}

export function queryOf(r: string): URLSearchParams {
  return new URLSearchParams(r.split('?')[1] ?? '');
}
