import { type Database, schema } from '@samtal/db';
import { invalidField, NotFoundProblem } from '@samtal/http';
import { TtlCache } from './cache.ts';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
  languages: string[];
  defaultLanguage: string;
  reopenWindowDays: number;
  hideHandlerNames: boolean;
  corsOrigins: string[];
}

/** The header residents' clients send to say which municipality they are talking to. */
export const TENANT_HEADER = 'x-samtal-tenant';

/** Every tenant, read at most once per TTL (a deployment serves a handful of municipalities). */
export class TenantDirectory {
  private readonly cache: TtlCache<Map<string, Tenant>>;

  constructor(
    private readonly db: Database,
    ttlMs: number,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  all(): Promise<Map<string, Tenant>> {
    return this.cache.get('all', async () => {
      const rows = await this.db
        .select({
          id: schema.tenants.id,
          slug: schema.tenants.slug,
          name: schema.tenants.name,
          timeZone: schema.tenants.timeZone,
          languages: schema.tenants.languages,
          defaultLanguage: schema.tenants.defaultLanguage,
          reopenWindowDays: schema.tenants.reopenWindowDays,
          hideHandlerNames: schema.tenants.hideHandlerNames,
          corsOrigins: schema.tenants.corsOrigins,
        })
        .from(schema.tenants);
      return new Map(rows.map((t) => [t.slug, t]));
    });
  }

  /**
   * The tenant a request names (`slug`), or the only tenant of a one-municipality deployment.
   * `field` names where the slug came from, for the error.
   */
  async resolve(slug: string | undefined, field: string): Promise<Tenant> {
    const tenants = await this.all();
    if (!slug) {
      if (tenants.size === 1) return tenants.values().next().value!;
      throw invalidField(field, 'is required: this deployment serves several municipalities');
    }
    const tenant = tenants.get(slug);
    if (!tenant) throw new NotFoundProblem(`No municipality "${slug}"`);
    return tenant;
  }

  clear(): void {
    this.cache.clear();
  }
}
