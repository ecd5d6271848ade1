/**
 * Small-cell suppression. A count below k (the tenant's `small_cell_k`, default 5) could point at
 * a handful of identifiable residents, so it is never published — and neither is anything that
 * would let a reader work it out again from the totals that are published.
 *
 * Rules (the same for 1-D and 2-D tables):
 * 1. Primary: every cell with a count below k is suppressed — including 0, which is "fewer than
 *    k" too and would otherwise reveal that nobody in a group did something.
 * 2. Secondary: in every line that adds up to a published total, the suppressed cells must
 *    (a) be at least two, and (b) together hold at least k, or be all cells of the line.
 *    Otherwise the smallest visible cell of that line is suppressed as well, and so on.
 *    (a) stops "total − visible cells = the hidden cell"; (b) stops the hidden cells together
 *    being a small cell (e.g. two hidden zeros whose sum the total reveals as 0).
 * 3. A total below k is itself suppressed, with every cell under it.
 *
 * Suppressed cells are returned as `{ suppressed: true }` — never as 0 and never with the count.
 */

export interface Suppressed {
  suppressed: true;
}

export type MaybeSuppressed<T> = T | Suppressed;

export const SUPPRESSED: Suppressed = Object.freeze({ suppressed: true as const });

export function isSuppressed(value: unknown): value is Suppressed {
  return typeof value === 'object' && value !== null && (value as Suppressed).suppressed === true;
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`suppression: k must be a whole number ≥ 1, got ${k}`);
}

/**
 * Decides which entries of one line (cells adding up to a published total) to hide, given those
 * already hidden. Returns the new hidden set (it only grows). Ties for "smallest" are broken by
 * position, so the result is deterministic.
 */
function secondaryForLine(counts: readonly number[], hidden: readonly boolean[], k: number): boolean[] {
  const out = [...hidden];
  for (;;) {
    let hiddenCount = 0;
    let hiddenSum = 0;
    for (let i = 0; i < counts.length; i++) {
      if (out[i]) {
        hiddenCount++;
        hiddenSum += counts[i]!;
      }
    }
    const needsMore = hiddenCount > 0 && hiddenCount < counts.length && (hiddenCount === 1 || hiddenSum < k);
    if (!needsMore) return out;
    let next = -1;
    for (let i = 0; i < counts.length; i++) {
      if (!out[i] && (next === -1 || counts[i]! < counts[next]!)) next = i;
    }
    out[next] = true;
  }
}

export interface Cell {
  group: string;
  count: number;
}

export interface SuppressedTable1D {
  cells: { group: string; count: MaybeSuppressed<number> }[];
  total: MaybeSuppressed<number>;
  /** Which groups were hidden: below k (primary) or to protect another (secondary). */
  reasons: Record<string, 'primary' | 'secondary'>;
}

/**
 * Suppresses a one-dimensional table of counts whose total is published (the total is the sum of
 * the cells). See the module comment for the rules.
 */
export function suppressTable1D(cells: readonly Cell[], k: number): SuppressedTable1D {
  checkK(k);
  const counts = cells.map((c) => c.count);
  const total = counts.reduce((a, b) => a + b, 0);
  const primary = counts.map((c) => c < k);
  const hidden = total < k ? counts.map(() => true) : secondaryForLine(counts, primary, k);
  const reasons: Record<string, 'primary' | 'secondary'> = {};
  cells.forEach((c, i) => {
    if (hidden[i]) reasons[c.group] = primary[i] ? 'primary' : 'secondary';
  });
  return {
    cells: cells.map((c, i) => ({ group: c.group, count: hidden[i] ? SUPPRESSED : c.count })),
    total: total < k ? SUPPRESSED : total,
    reasons,
  };
}

export interface SuppressedTable2D {
  rows: string[];
  columns: string[];
  /** cells[r][c] */
  cells: MaybeSuppressed<number>[][];
  rowTotals: MaybeSuppressed<number>[];
  columnTotals: MaybeSuppressed<number>[];
  total: MaybeSuppressed<number>;
}

/**
 * Suppresses a two-dimensional table published with its row totals, column totals and grand total.
 *
 * The table is extended by its margins to an (R+1)×(C+1) grid; every row of that grid (cells and
 * row total) and every column (cells and column total) is a line in the sense of rule 2, and a
 * hidden margin counts like a hidden cell. Margins below k are primary-suppressed like cells.
 * Lines are revisited until nothing changes. This is the usual hypercube-style heuristic: it stops
 * every recovery from a single row or column equation; it is not an optimal (fewest-cells) solution.
 */
export function suppressTable2D(
  rows: readonly string[],
  columns: readonly string[],
  counts: readonly (readonly number[])[],
  k: number,
): SuppressedTable2D {
  checkK(k);
  const R = rows.length;
  const C = columns.length;
  if (counts.length !== R || counts.some((row) => row.length !== C)) {
    throw new RangeError('suppressTable2D: counts must be rows × columns');
  }
  // Extended grid: row R holds column totals, column C row totals, [R][C] the grand total.
  const grid: number[][] = Array.from({ length: R + 1 }, () => new Array<number>(C + 1).fill(0));
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const v = counts[r]![c]!;
      grid[r]![c] = v;
      grid[r]![C]! += v;
      grid[R]![c]! += v;
      grid[R]![C]! += v;
    }
  }
  const hidden = grid.map((row) => row.map((v) => v < k));
  let changed = true;
  while (changed) {
    changed = false;
    // Each row line: cells r,0..C-1 plus row total r,C (the grand-total row R too).
    for (let r = 0; r <= R; r++) {
      const line = grid[r]!;
      const next = secondaryForLine(line, hidden[r]!, k);
      for (let c = 0; c <= C; c++) {
        if (next[c] && !hidden[r]![c]) {
          hidden[r]![c] = true;
          changed = true;
        }
      }
    }
    for (let c = 0; c <= C; c++) {
      const line = grid.map((row) => row[c]!);
      const next = secondaryForLine(
        line,
        hidden.map((row) => row[c]!),
        k,
      );
      for (let r = 0; r <= R; r++) {
        if (next[r] && !hidden[r]![c]) {
          hidden[r]![c] = true;
          changed = true;
        }
      }
    }
  }
  const show = (r: number, c: number): MaybeSuppressed<number> => (hidden[r]![c] ? SUPPRESSED : grid[r]![c]!);
  return {
    rows: [...rows],
    columns: [...columns],
    cells: Array.from({ length: R }, (_, r) => Array.from({ length: C }, (_, c) => show(r, c))),
    rowTotals: Array.from({ length: R }, (_, r) => show(r, C)),
    columnTotals: Array.from({ length: C }, (_, c) => show(R, c)),
    total: show(R, C),
  };
}
