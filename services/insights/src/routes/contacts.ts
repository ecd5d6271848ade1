import type { InsightsRoutes } from './types.ts';

export const contactRoutes: InsightsRoutes = async () => {};
