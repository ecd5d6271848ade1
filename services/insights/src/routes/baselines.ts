import { UnprocessableProblem } from '@samtal/http';
import { z } from 'zod';
import { loadDimensions } from '../equity.ts';
import { insightsGuard, requireInsights } from '../plugins/auth.ts';
import { errorResponses, format, problem } from '../schemas.ts';
import { sendTable } from '../send.ts';
import { parseCsvOr400 } from './contacts.ts';
import type { InsightsRoutes } from './types.ts';

/**
 * Population baselines: each municipality's population per demographic group (census data), the
 * yardstick for representation. Versioned by year: importing a year replaces that year of the
 * dimensions in the file and leaves other years alone; indicators use each dimension's latest year.
 */

const COLUMNS = ['dimension', 'group', 'count', 'share', 'year', 'source'];
/** A share is kept as parts per million: the representation ratio only needs proportions. */
const SHARE_SCALE = 1_000_000;

const rejectedRow = z.object({ line: z.number().int(), field: z.string(), message: z.string() });

const baselineRow = z.object({
  year: z.number().int(),
  dimension: z.string(),
  group: z.string(),
  population: z.number().describe('People in the group, or parts per million when imported as shares'),
  source: z.string().nullable(),
  importedAt: z.string(),
});

export const baselineRoutes: InsightsRoutes = async (app, deps) => {
  app.get(
    '/v1/baselines',
    {
      onRequest: insightsGuard(),
      schema: {
        summary: 'Population baselines of this municipality, every year',
        tags: ['equity'],
        querystring: z.object({ format }),
        response: { 200: z.object({ baselines: z.array(baselineRow) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const staff = requireInsights(request);
      const rows = await deps.db.sql<
        {
          year: number;
          dimension: string;
          group_code: string;
          population: number;
          source: string | null;
          imported_at: string;
        }[]
      >`
        select year, dimension, group_code, population::float8 as population, source, imported_at::text as imported_at
          from population_baselines where tenant_id = ${staff.tenantId}
         order by year desc, dimension, group_code`;
      const baselines = rows.map((r) => ({
        year: r.year,
        dimension: r.dimension,
        group: r.group_code,
        population: r.population,
        source: r.source,
        importedAt: r.imported_at,
      }));
      return sendTable(reply, request.query.format, { baselines }, () => baselines, 'population-baselines');
    },
  );

  app.post(
    '/v1/baselines/import',
    {
      onRequest: insightsGuard('insights.import'),
      schema: {
        summary: 'Import population baselines from CSV',
        description: [
          'Body: text/csv with a header row. Columns: dimension, group, year, and either count (people, a whole',
          'number) or share (0–1; a decimal comma is fine) per row, optionally source. Dimension and group must be',
          'configured for the municipality (the "unknown" group has no baseline). Within one dimension and year, rows',
          'are all counts or all shares, and shares add up to 1 (±0.01). Every row is validated; if any is rejected',
          'nothing is imported (422 listing line, column and reason). A year already imported for a dimension is',
          'replaced as a whole.',
        ].join(' '),
        tags: ['equity'],
        consumes: ['text/csv'],
        body: z.string().min(1, 'the CSV file is empty'),
        response: {
          200: z.object({
            rows: z.number().int(),
            imported: z.number().int(),
            replaced: z.array(z.object({ dimension: z.string(), year: z.number().int() })),
          }),
          422: problem,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const staff = requireInsights(request, 'insights.import');
      const { header, records } = parseCsvOr400(request.body);
      const unknown = header.filter((h) => !COLUMNS.includes(h));
      const missing = ['dimension', 'group', 'year'].filter((c) => !header.includes(c));
      if (!header.includes('count') && !header.includes('share')) missing.push('count or share');
      if (unknown.length || missing.length) {
        throw new UnprocessableProblem('The header is not a baseline file', {
          errors: [
            ...(unknown.length
              ? [{ field: '(header)', message: `unknown columns: ${unknown.join(', ')}` }]
              : []),
            ...(missing.length
              ? [{ field: '(header)', message: `missing columns: ${missing.join(', ')}` }]
              : []),
          ],
        });
      }
      const dimensions = new Map((await loadDimensions(deps.db, staff.tenantId)).map((d) => [d.code, d]));
      const rejected: z.infer<typeof rejectedRow>[] = [];
      const reject = (line: number, field: string, message: string) =>
        rejected.push({ line, field, message });
      type Parsed = {
        line: number;
        dimension: string;
        group: string;
        year: number;
        count?: number;
        share?: number;
        source: string | null;
      };
      const parsed: Parsed[] = [];
      const seen = new Map<string, number>();
      for (const row of records) {
        if (row.problem) {
          reject(row.line, '(row)', row.problem);
          continue;
        }
        const v = row.values;
        const before = rejected.length;
        const dimension = dimensions.get(v.dimension ?? '');
        if (!dimension)
          reject(row.line, 'dimension', `"${v.dimension ?? ''}" is not a dimension of this municipality`);
        else if (!dimension.groups.some((g) => g.code === v.group)) {
          reject(row.line, 'group', `"${v.group ?? ''}" is not a group of ${dimension.code}`);
        }
        const year = Number(v.year);
        if (!/^\d{4}$/.test(v.year ?? '') || year < 1900 || year > 2100)
          reject(row.line, 'year', 'must be a year such as 2025');
        const countText = v.count ?? '';
        const shareText = (v.share ?? '').replace(',', '.');
        let count: number | undefined;
        let share: number | undefined;
        if (countText !== '' && shareText !== '') reject(row.line, 'share', 'give count or share, not both');
        else if (countText !== '') {
          count = Number(countText);
          if (!/^\d+$/.test(countText) || !Number.isSafeInteger(count))
            reject(row.line, 'count', 'must be a whole number ≥ 0');
        } else if (shareText !== '') {
          share = Number(shareText);
          if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(shareText))
            reject(row.line, 'share', 'must be a number from 0 to 1');
        } else reject(row.line, 'count', 'give count or share');
        if (rejected.length > before) continue;
        const key = `${v.dimension}|${v.group}|${year}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          reject(row.line, 'group', `repeats line ${earlier}`);
          continue;
        }
        seen.set(key, row.line);
        parsed.push({
          line: row.line,
          dimension: v.dimension!,
          group: v.group!,
          year,
          count,
          share,
          source: v.source || null,
        });
      }
      // Per dimension and year: one kind of number, and shares that add up.
      const sets = new Map<string, Parsed[]>();
      for (const p of parsed) {
        const key = `${p.dimension}|${p.year}`;
        sets.set(key, [...(sets.get(key) ?? []), p]);
      }
      for (const rows of sets.values()) {
        const shares = rows.filter((r) => r.share !== undefined);
        if (shares.length && shares.length !== rows.length) {
          const odd = rows.find((r) => (r.share === undefined) !== (rows[0]!.share === undefined))!;
          reject(
            odd.line,
            odd.share === undefined ? 'count' : 'share',
            'mixes counts and shares within one dimension and year',
          );
        } else if (shares.length) {
          const sum = shares.reduce((a, r) => a + r.share!, 0);
          if (Math.abs(sum - 1) > 0.01) {
            reject(
              rows.at(-1)!.line,
              'share',
              `the shares of ${rows[0]!.dimension} ${rows[0]!.year} add up to ${sum.toFixed(3)}, not 1`,
            );
          }
        }
      }
      rejected.sort((a, b) => a.line - b.line);
      deps.metrics.importedRows.inc({ import: 'baselines', outcome: 'rejected' }, rejected.length);
      if (rejected.length) {
        throw new UnprocessableProblem(`${rejected.length} row(s) rejected; nothing was imported`, {
          errors: rejected.map((r) => ({ field: `line ${r.line}: ${r.field}`, message: r.message })),
          rejected,
        });
      }
      await deps.db.sql.begin(async (tx) => {
        for (const rows of sets.values()) {
          const { dimension, year } = rows[0]!;
          await tx`delete from population_baselines
                    where tenant_id = ${staff.tenantId} and dimension = ${dimension} and year = ${year}`;
          for (const r of rows) {
            const population = r.count ?? Math.round(r.share! * SHARE_SCALE);
            await tx`insert into population_baselines (tenant_id, year, dimension, group_code, population, source)
                     values (${staff.tenantId}, ${year}, ${dimension}, ${r.group}, ${population}, ${r.source})`;
          }
        }
      });
      deps.metrics.importedRows.inc({ import: 'baselines', outcome: 'imported' }, parsed.length);
      return {
        rows: records.length,
        imported: parsed.length,
        replaced: [...sets.values()].map((rows) => ({ dimension: rows[0]!.dimension, year: rows[0]!.year })),
      };
    },
  );
};
