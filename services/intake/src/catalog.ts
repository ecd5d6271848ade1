import {
  addBusinessMinutes,
  type BusinessCalendar,
  loadCalendar,
  roundTheClock,
} from '@samtal/business-time';
import { type Database, schema } from '@samtal/db';
import type { Localised } from '@samtal/db/schema';
import type { AttributeDatatype } from '@samtal/domain';
import { asc, eq } from 'drizzle-orm';
import { TtlCache } from './cache.ts';
import type { Tenant } from './tenants.ts';

export interface AttributeDefinition {
  code: string;
  datatype: AttributeDatatype;
  variable: boolean;
  required: boolean;
  descriptions: Localised;
  datatypeDescription: string | null;
  order: number;
  values: { key: string; names: Localised }[];
}

export interface SlaPolicy {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  warningShare: number | null;
  warningBeforeMinutes: number | null;
  calendar: BusinessCalendar;
}

export interface Category {
  id: string;
  code: string;
  names: Localised;
  descriptions: Localised;
  groupName: string | null;
  keywords: string[];
  sensitive: boolean;
  active: boolean;
  sortOrder: number;
  attributes: AttributeDefinition[];
  sla: SlaPolicy | null;
}

export interface DemographicDimension {
  code: string;
  names: Localised;
  groups: Set<string>;
  /** The groups in the tenant's order, with their names, for the questions residents see. */
  groupList: { code: string; names: Localised }[];
}

/** One tenant's categories (with attributes and SLA), departments and demographic dimensions. */
export interface TenantCatalog {
  categoriesByCode: Map<string, Category>;
  categoriesById: Map<string, Category>;
  /** In display order, active ones only. */
  services: Category[];
  departmentNames: Map<string, string>;
  dimensions: Map<string, DemographicDimension>;
}

/** Picks the text in `language`, else the tenant's default language, else any. */
export function localised(text: Localised, language: string, fallback: string): string {
  return text[language] ?? text[fallback] ?? Object.values(text)[0] ?? '';
}

/** When the first response and the resolution are due for a case created `at`. */
export function dueTimes(
  category: Category,
  at: Date,
): { firstResponse: Date | null; resolution: Date | null } {
  if (!category.sla) return { firstResponse: null, resolution: null };
  const { sla } = category;
  return {
    firstResponse: addBusinessMinutes(sla.calendar, at, sla.firstResponseMinutes),
    resolution: addBusinessMinutes(sla.calendar, at, sla.resolutionMinutes),
  };
}

/**
 * Loads a tenant's catalog in a few queries and keeps it for a short TTL, so a submit reads
 * nothing but what it writes.
 */
export class CatalogCache {
  private readonly cache: TtlCache<TenantCatalog>;

  constructor(
    private readonly db: Database,
    ttlMs: number,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  get(tenant: Tenant): Promise<TenantCatalog> {
    return this.cache.get(tenant.id, () => this.load(tenant));
  }

  clear(): void {
    this.cache.clear();
  }

  private async load(tenant: Tenant): Promise<TenantCatalog> {
    const { categories, categoryAttributes, slaPolicies, departments, demographicDimensions } = schema;
    const [categoryRows, attributeRows, policyRows, departmentRows, dimensionRows] = await Promise.all([
      this.db
        .select()
        .from(categories)
        .where(eq(categories.tenantId, tenant.id))
        .orderBy(asc(categories.sortOrder), asc(categories.code)),
      this.db
        .select()
        .from(categoryAttributes)
        .where(eq(categoryAttributes.tenantId, tenant.id))
        .orderBy(asc(categoryAttributes.sortOrder), asc(categoryAttributes.code)),
      this.db.select().from(slaPolicies).where(eq(slaPolicies.tenantId, tenant.id)),
      this.db
        .select({ id: departments.id, name: departments.name })
        .from(departments)
        .where(eq(departments.tenantId, tenant.id)),
      this.db.select().from(demographicDimensions).where(eq(demographicDimensions.tenantId, tenant.id)),
    ]);

    const calendars = new Map<string, BusinessCalendar>();
    const defaultCalendar = (await loadCalendar(this.db, tenant.id)) ?? roundTheClock(tenant.timeZone);
    for (const calendarId of new Set(policyRows.map((p) => p.calendarId).filter((id) => id !== null))) {
      calendars.set(calendarId, (await loadCalendar(this.db, tenant.id, calendarId)) ?? defaultCalendar);
    }
    const policies = new Map(
      policyRows.map((p): [string, SlaPolicy] => {
        const calendar = (p.calendarId && calendars.get(p.calendarId)) || defaultCalendar;
        return [
          p.id,
          {
            firstResponseMinutes: p.firstResponseMinutes,
            resolutionMinutes: p.resolutionMinutes,
            warningShare: p.warningShare,
            warningBeforeMinutes: p.warningBeforeMinutes,
            calendar,
          },
        ];
      }),
    );

    const list = categoryRows.map(
      (c): Category => ({
        id: c.id,
        code: c.code,
        names: c.names,
        descriptions: c.descriptions,
        groupName: c.groupName,
        keywords: c.keywords,
        sensitive: c.sensitive,
        active: c.active,
        sortOrder: c.sortOrder,
        sla: (c.slaPolicyId && policies.get(c.slaPolicyId)) || null,
        attributes: attributeRows
          .filter((a) => a.categoryId === c.id)
          .map((a, i) => ({
            code: a.code,
            datatype: a.datatype as AttributeDatatype,
            variable: a.variable,
            required: a.required,
            descriptions: a.descriptions,
            datatypeDescription: a.datatypeDescription,
            order: i + 1,
            values: a.values,
          })),
      }),
    );
    return {
      categoriesByCode: new Map(list.map((c) => [c.code, c])),
      categoriesById: new Map(list.map((c) => [c.id, c])),
      services: list.filter((c) => c.active),
      departmentNames: new Map(departmentRows.map((d) => [d.id, d.name])),
      dimensions: new Map(
        dimensionRows
          .filter((d) => d.active)
          .sort((a, b) => a.sortOrder - b.sortOrder)
          .map((d) => [
            d.code,
            {
              code: d.code,
              names: d.names,
              groups: new Set(d.groups.map((g) => g.code)),
              groupList: d.groups,
            },
          ]),
      ),
    };
  }
}
