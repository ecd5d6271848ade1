import type { InsightsRoutes } from './types.ts';

export const partnerRoutes: InsightsRoutes = async () => {};
