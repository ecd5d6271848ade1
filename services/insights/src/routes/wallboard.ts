import type { InsightsRoutes } from './types.ts';

export const wallboardRoutes: InsightsRoutes = async () => {};
