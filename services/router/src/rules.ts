import type { schema } from '@samtal/db';

export type RoutingRule = typeof schema.routingRules.$inferSelect;

/** What the rules look at, gathered from the case and the tenant's reference data. */
export interface CaseFacts {
  categoryCode: string;
  /** Codes of the districts the case lies in (from its location, or the district of its address). */
  districtCodes: string[];
  description: string;
  language: string;
  channel: string;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Word-ish keyword match, case-insensitive: the keyword must start a word, and may be followed by
 * more letters, so "läcka" also finds "läckan" and "hål" finds "hålet" (Swedish inflects by suffix).
 * Scripts written without spaces (Chinese, Japanese, Korean) match anywhere in the text.
 */
export function mentions(description: string, keyword: string): boolean {
  const word = keyword.trim();
  if (!word) return false;
  if (CJK.test(word)) return description.toLocaleLowerCase().includes(word.toLocaleLowerCase());
  return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}`, 'iu').test(description);
}

/** "zh" in a rule matches a case in "zh-CN"; "zh-CN" matches only "zh-CN" (case-insensitive). */
function languageMatches(wanted: string, language: string): boolean {
  const w = wanted.toLowerCase();
  const l = language.toLowerCase();
  return l === w || l.startsWith(`${w}-`);
}

/** Every condition the rule names must hold; an absent or empty list places no condition. */
export function ruleMatches(rule: Pick<RoutingRule, 'conditions'>, facts: CaseFacts): boolean {
  const { categories, districts, keywords, languages, channels } = rule.conditions;
  if (categories?.length && !categories.includes(facts.categoryCode)) return false;
  if (districts?.length && !districts.some((d) => facts.districtCodes.includes(d))) return false;
  if (keywords?.length && !keywords.some((k) => mentions(facts.description, k))) return false;
  if (languages?.length && !languages.some((l) => languageMatches(l, facts.language))) return false;
  if (channels?.length && !channels.includes(facts.channel)) return false;
  return true;
}

/** The first active rule, by position, whose conditions all hold. */
export function firstMatchingRule<R extends Pick<RoutingRule, 'conditions' | 'position' | 'active'>>(
  rules: R[],
  facts: CaseFacts,
): R | undefined {
  return [...rules]
    .filter((r) => r.active)
    .sort((a, b) => a.position - b.position)
    .find((r) => ruleMatches(r, facts));
}
