import { describe, expect, it } from 'vitest';
import { isSuppressed, SUPPRESSED, suppressTable1D, suppressTable2D } from '../src/index.ts';

const S = SUPPRESSED;

describe('one-dimensional suppression with secondary suppression', () => {
  it('leaves a table with no small cell alone', () => {
    expect(
      suppressTable1D(
        [
          { group: 'a', count: 5 },
          { group: 'b', count: 6 },
        ],
        5,
      ),
    ).toEqual({
      cells: [
        { group: 'a', count: 5 },
        { group: 'b', count: 6 },
      ],
      total: 11,
      reasons: {},
    });
  });

  it('hides the next smallest cell when only one is small, so the total cannot reveal it', () => {
    const t = suppressTable1D(
      [
        { group: 'a', count: 10 },
        { group: 'b', count: 3 },
        { group: 'c', count: 20 },
      ],
      5,
    );
    expect(t.cells).toEqual([
      { group: 'a', count: S },
      { group: 'b', count: S },
      { group: 'c', count: 20 },
    ]);
    expect(t.total).toBe(33);
    expect(t.reasons).toEqual({ a: 'secondary', b: 'primary' });
  });

  it('keeps hiding until the hidden cells together hold at least k', () => {
    // b + c = 4 < 5 would reveal "fewer than 5 between them": hide a too.
    const t = suppressTable1D(
      [
        { group: 'a', count: 10 },
        { group: 'b', count: 3 },
        { group: 'c', count: 1 },
        { group: 'd', count: 20 },
      ],
      5,
    );
    expect(t.cells.map((c) => isSuppressed(c.count))).toEqual([true, true, true, false]);
    expect(t.total).toBe(34);
  });

  it('treats a group with zero cases as a small cell, marked and not 0', () => {
    const t = suppressTable1D(
      [
        { group: 'unknown', count: 0 },
        { group: 'women', count: 12 },
        { group: 'men', count: 30 },
      ],
      5,
    );
    expect(t.cells).toEqual([
      { group: 'unknown', count: S },
      { group: 'women', count: S },
      { group: 'men', count: 30 },
    ]);
    expect(t.total).toBe(42);
  });

  it('suppresses every cell when every cell is small (the total may stay)', () => {
    const t = suppressTable1D(
      [
        { group: 'a', count: 2 },
        { group: 'b', count: 2 },
        { group: 'c', count: 3 },
      ],
      5,
    );
    expect(t.cells.every((c) => isSuppressed(c.count))).toBe(true);
    expect(t.total).toBe(7);
  });

  it('suppresses the total too when it is below k', () => {
    const t = suppressTable1D(
      [
        { group: 'a', count: 1 },
        { group: 'b', count: 2 },
      ],
      5,
    );
    expect(t.cells.every((c) => isSuppressed(c.count))).toBe(true);
    expect(t.total).toEqual(S);
  });

  it('handles an empty table and rejects a bad k', () => {
    expect(suppressTable1D([], 5)).toEqual({ cells: [], total: S, reasons: {} });
    expect(() => suppressTable1D([], 0)).toThrow(RangeError);
  });

  it('k = 1 hides nothing but empty cells', () => {
    const t = suppressTable1D(
      [
        { group: 'a', count: 1 },
        { group: 'b', count: 1 },
      ],
      1,
    );
    expect(t.cells.map((c) => c.count)).toEqual([1, 1]);
  });
});

describe('two-dimensional suppression', () => {
  it('protects a small cell along its row and its column', () => {
    //          x   y   z | total
    // men     10   2   8 |  20
    // women    7   9   6 |  22
    // total   17  11  14 |  42
    const t = suppressTable2D(
      ['men', 'women'],
      ['x', 'y', 'z'],
      [
        [10, 2, 8],
        [7, 9, 6],
      ],
      5,
    );
    expect(t.cells).toEqual([
      [10, S, S],
      [7, S, S],
    ]);
    expect(t.rowTotals).toEqual([20, 22]);
    expect(t.columnTotals).toEqual([17, 11, 14]);
    expect(t.total).toBe(42);
  });

  it('never leaves a row or column with exactly one hidden entry', () => {
    const counts = [
      [1, 20, 30, 4],
      [12, 0, 15, 40],
      [25, 33, 2, 18],
    ];
    const t = suppressTable2D(['a', 'b', 'c'], ['w', 'x', 'y', 'z'], counts, 5);
    const grid = [...t.cells.map((row, r) => [...row, t.rowTotals[r]]), [...t.columnTotals, t.total]];
    for (const line of [...grid, ...grid[0]!.map((_, c) => grid.map((row) => row[c]))]) {
      expect(line.filter(isSuppressed).length).not.toBe(1);
    }
    // every primary cell is hidden
    expect(isSuppressed(t.cells[0]![0])).toBe(true);
    expect(isSuppressed(t.cells[1]![1])).toBe(true);
    expect(isSuppressed(t.cells[2]![2])).toBe(true);
    expect(isSuppressed(t.cells[0]![3])).toBe(true);
  });

  it('hides a small margin and everything it would reveal', () => {
    // row "b" totals 4 < 5: its total and both its cells are small.
    const t = suppressTable2D(
      ['a', 'b'],
      ['x', 'y'],
      [
        [20, 30],
        [1, 3],
      ],
      5,
    );
    expect(t.rowTotals[1]).toEqual(S);
    expect(t.cells[1]).toEqual([S, S]);
    // column lines then each have one hidden cell → the "a" cells are hidden too.
    expect(t.cells[0]).toEqual([S, S]);
  });

  it('rejects a ragged table', () => {
    expect(() => suppressTable2D(['a'], ['x', 'y'], [[1]], 5)).toThrow(RangeError);
  });
});
