import type { InsightsRoutes } from './types.ts';

export const baselineRoutes: InsightsRoutes = async () => {};
