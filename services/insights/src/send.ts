import type { FastifyReply } from 'fastify';
import { toCsv } from './csv.ts';

/**
 * Answers with the JSON body, or with `rows` as CSV when the caller asked for `format=csv`.
 * A string with a non-JSON content type bypasses the response serializer, so the zod schema
 * still guards every JSON answer.
 */
export function sendTable<T>(
  reply: FastifyReply,
  format: 'json' | 'csv',
  body: T,
  rows: () => Record<string, unknown>[],
  filename: string,
): T {
  if (format === 'csv') {
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}.csv"`)
      .send(toCsv(rows()));
    return reply as unknown as T;
  }
  return body;
}
