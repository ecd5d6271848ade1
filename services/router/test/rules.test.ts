import { describe, expect, it } from 'vitest';
import { containsPoint, distanceMetres } from '../src/geo.ts';
import { type CaseFacts, firstMatchingRule, mentions, ruleMatches } from '../src/rules.ts';

const facts: CaseFacts = {
  categoryCode: 'pothole',
  districtCodes: ['centrum'],
  description: 'Ett stort hålet i asfalten vid Stora torget, nära lampan',
  language: 'sv',
  channel: 'web',
};

const rule = (position: number, conditions: object, active = true) => ({
  position,
  active,
  conditions: conditions as never,
  name: `rule ${position}`,
});

describe('routing rule conditions', () => {
  it('matches on category codes', () => {
    expect(ruleMatches(rule(1, { categories: ['pothole', 'streetlight'] }), facts)).toBe(true);
    expect(ruleMatches(rule(1, { categories: ['noise'] }), facts)).toBe(false);
  });

  it('matches on district codes', () => {
    expect(ruleMatches(rule(1, { districts: ['backby', 'centrum'] }), facts)).toBe(true);
    expect(ruleMatches(rule(1, { districts: ['backby'] }), facts)).toBe(false);
    expect(ruleMatches(rule(1, { districts: ['centrum'] }), { ...facts, districtCodes: [] })).toBe(false);
  });

  it('matches keywords as words, case-insensitively, allowing Swedish endings', () => {
    expect(mentions(facts.description, 'ASFALT')).toBe(true); // "asfalten"
    expect(mentions(facts.description, 'hål')).toBe(true); // "hålet"
    expect(mentions(facts.description, 'torg')).toBe(true); // "torget"
    expect(mentions(facts.description, 'alt')).toBe(false); // inside "asfalten", not a word start
    expect(mentions('路灯坏了，晚上很黑', '路灯')).toBe(true); // no spaces in Chinese: substring
    expect(mentions('Price is $5 (approx.)', '(approx.)')).toBe(true); // regex characters are literal
    expect(ruleMatches(rule(1, { keywords: ['läcka', 'lampa'] }), facts)).toBe(true); // "lampan"
    expect(ruleMatches(rule(1, { keywords: ['läcka'] }), facts)).toBe(false);
  });

  it('matches languages, a primary tag covering its regional variants', () => {
    expect(ruleMatches(rule(1, { languages: ['sv'] }), facts)).toBe(true);
    expect(ruleMatches(rule(1, { languages: ['zh'] }), { ...facts, language: 'zh-CN' })).toBe(true);
    expect(ruleMatches(rule(1, { languages: ['zh-CN'] }), { ...facts, language: 'zh-TW' })).toBe(false);
    expect(ruleMatches(rule(1, { languages: ['en'] }), facts)).toBe(false);
  });

  it('matches channels', () => {
    expect(ruleMatches(rule(1, { channels: ['web', 'app'] }), facts)).toBe(true);
    expect(ruleMatches(rule(1, { channels: ['phone'] }), facts)).toBe(false);
  });

  it('requires every present condition, and treats an empty list as no condition', () => {
    expect(
      ruleMatches(rule(1, { categories: ['pothole'], districts: ['centrum'], channels: [] }), facts),
    ).toBe(true);
    expect(ruleMatches(rule(1, { categories: ['pothole'], districts: ['backby'] }), facts)).toBe(false);
    expect(ruleMatches(rule(1, {}), facts)).toBe(true);
  });

  it('takes the first active matching rule by position, whatever the list order', () => {
    const rules = [
      rule(30, { categories: ['pothole'] }),
      rule(10, { categories: ['pothole'] }, false),
      rule(20, { districts: ['centrum'] }),
      rule(5, { channels: ['phone'] }),
    ];
    expect(firstMatchingRule(rules, facts)?.position).toBe(20);
    expect(firstMatchingRule(rules, { ...facts, districtCodes: [] })?.position).toBe(30);
    expect(firstMatchingRule(rules, { ...facts, categoryCode: 'noise', districtCodes: [] })).toBeUndefined();
  });
});

describe('geometry', () => {
  const square = {
    type: 'Polygon' as const,
    coordinates: [
      [
        [16.535, 59.601],
        [16.555, 59.601],
        [16.555, 59.621],
        [16.535, 59.621],
        [16.535, 59.601],
      ],
      // A hole in the middle (a park that belongs to another district).
      [
        [16.544, 59.61],
        [16.546, 59.61],
        [16.546, 59.612],
        [16.544, 59.612],
        [16.544, 59.61],
      ],
    ],
  };

  it('finds points inside a polygon, outside its holes', () => {
    expect(containsPoint(square, 59.605, 16.54)).toBe(true);
    expect(containsPoint(square, 59.611, 16.545)).toBe(false); // in the hole
    expect(containsPoint(square, 59.63, 16.54)).toBe(false);
    const multi = {
      type: 'MultiPolygon' as const,
      coordinates: [
        square.coordinates,
        [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      ],
    };
    expect(containsPoint(multi, 0.2, 0.5)).toBe(true);
  });

  it('measures great-circle distance in metres', () => {
    // One thousandth of a degree of latitude is about 111 m.
    expect(
      distanceMetres({ latitude: 59.611, longitude: 16.545 }, { latitude: 59.612, longitude: 16.545 }),
    ).toBeCloseTo(111.2, 0);
    // Stockholm to Gothenburg, about 398 km as the crow flies.
    const km =
      distanceMetres({ latitude: 59.3293, longitude: 18.0686 }, { latitude: 57.7089, longitude: 11.9746 }) /
      1000;
    expect(km).toBeGreaterThan(390);
    expect(km).toBeLessThan(405);
  });
});
