import type { DbHandle } from '@samtal/db';
import type { App } from '@samtal/http';
import type { BusinessMinutesFn } from '../business-time.ts';
import type { TenantContext } from '../context.ts';
import type { InsightsMetrics } from '../plugins/metrics.ts';

/** What route modules get from buildApp. */
export interface RouteDeps {
  db: DbHandle;
  businessMinutes: BusinessMinutesFn;
  now: () => Date;
  /** Loads a tenant's context (cached briefly). */
  tenant: (tenantId: string) => Promise<TenantContext>;
  metrics: InsightsMetrics;
  wallboardIntervalMs: number;
}

export type InsightsRoutes = (app: App, deps: RouteDeps) => Promise<void>;
