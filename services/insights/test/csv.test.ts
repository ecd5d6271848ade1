import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, flatten, parseCsv, toCsv } from '../src/csv.ts';

describe('CSV export', () => {
  it('writes a BOM, CRLF lines, quotes what needs quoting and marks suppressed cells', () => {
    const text = toCsv([
      { group: 'Malmö, söder', count: 12, share: 0.5, note: 'says "hi"' },
      { group: 'unknown', count: { suppressed: true }, share: null },
    ]);
    expect(text).toBe(
      '\uFEFFgroup,count,share,note\r\n"Malmö, söder",12,0.5,"says ""hi"""\r\nunknown,suppressed,,\r\n',
    );
  });
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(toCsv([{ a: '=HYPERLINK("x")', b: '-5', c: '-x' }])).toBe(
      '\uFEFFa,b,c\r\n"\'=HYPERLINK(""x"")",-5,"\'-x"\r\n',
    );
  });
  it('flattens nested objects to dotted columns', () => {
    expect(flatten({ a: { b: 1, c: { d: 'x' } }, e: [1, 2] })).toEqual({ 'a.b': 1, 'a.c.d': 'x', e: '1; 2' });
  });
});

describe('CSV import parser', () => {
  it('reads quoted fields, doubled quotes, line breaks in quotes, ; or , and keeps line numbers', () => {
    const { header, records } = parseCsv('\uFEFFA;B\r\n"x;1";"say ""hi"""\r\n\r\n"multi\nline";2\n3;4');
    expect(header).toEqual(['a', 'b']);
    expect(records).toEqual([
      { line: 2, values: { a: 'x;1', b: 'say "hi"' } },
      { line: 4, values: { a: 'multi\nline', b: '2' } },
      { line: 6, values: { a: '3', b: '4' } },
    ]);
  });
  it('marks rows with the wrong number of fields, and throws on an unclosed quote', () => {
    expect(parseCsv('a,b\n1\n').records[0]).toMatchObject({
      line: 2,
      problem: expect.stringContaining('1 fields'),
    });
    expect(() => parseCsv('a,b\n"1,2\n')).toThrow(CsvSyntaxError);
  });
  it('an empty file has no header and no records', () => {
    expect(parseCsv('')).toEqual({ header: [], records: [] });
  });
});
