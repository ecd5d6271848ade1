export * from './availability.ts';
export * from './descriptive.ts';
export * from './equity.ts';
export * from './proportions.ts';
export * from './suppression.ts';
export * from './tally.ts';
