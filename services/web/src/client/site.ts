/** What the web server tells the front end at start (GET /config.json). */
export interface SiteConfig {
  tenant: string;
}

export const site: SiteConfig = { tenant: 'vasteras' };

export async function loadSiteConfig(): Promise<void> {
  try {
    const response = await fetch('/config.json', { headers: { accept: 'application/json' } });
    if (response.ok) Object.assign(site, (await response.json()) as SiteConfig);
  } catch {
    // The dev server has no /config.json; the default tenant will do there.
  }
}
