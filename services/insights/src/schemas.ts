import { z } from 'zod';

/** Shared zod pieces of the insights API; `.describe()` texts become the OpenAPI documentation. */

export const suppressed = z
  .object({ suppressed: z.literal(true) })
  .describe('Hidden by small-cell suppression (fewer than k people, or it would reveal such a cell)');

export const maybeSuppressed = <T extends z.ZodType>(schema: T) => z.union([schema, suppressed]);

export const interval = z.object({ lower: z.number(), upper: z.number() });

export const share = z
  .object({
    numerator: z.number().int(),
    denominator: z.number().int(),
    value: z.number().nullable().describe('numerator ÷ denominator; null when the denominator is 0'),
    ci: interval.nullable().describe('Wilson 95 % score interval; null when the denominator is 0'),
  })
  .describe('A proportion with its Wilson 95 % interval');

export const format = z
  .enum(['json', 'csv'])
  .default('json')
  .describe('csv: the table as text/csv with a UTF-8 BOM (opens in Excel); nested columns are dotted');

export const isoDate = z.iso.date();

export const periodQuery = {
  from: isoDate
    .optional()
    .describe('First day (YYYY-MM-DD, tenant local time, inclusive); default 29 days before `to`'),
  to: isoDate.optional().describe('Last day (inclusive); default today'),
};

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .describe('RFC 9457 problem details');

export const errorResponses = { 400: problem, 401: problem, 403: problem, 404: problem };
