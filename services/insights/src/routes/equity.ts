import type { InsightsRoutes } from './types.ts';

export const equityRoutes: InsightsRoutes = async () => {};
