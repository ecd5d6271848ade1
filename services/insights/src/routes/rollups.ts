import type { InsightsRoutes } from './types.ts';

export const rollupRoutes: InsightsRoutes = async () => {};
