import { type Executor, schema as s } from '@samtal/db';
import { UNKNOWN_GROUP } from '@samtal/domain';
import { ConflictProblem, type FieldProblem, NotFoundProblem, ValidationProblem } from '@samtal/http';
import { and, eq } from 'drizzle-orm';
import type { DialogueStatus } from './lifecycle.ts';

export type DialogueRow = typeof s.dialogues.$inferSelect;

export interface TenantInfo {
  id: string;
  slug: string;
  name: string;
  languages: string[];
  defaultLanguage: string;
  smallCellK: number;
}

const tenantColumns = {
  id: s.tenants.id,
  slug: s.tenants.slug,
  name: s.tenants.name,
  languages: s.tenants.languages,
  defaultLanguage: s.tenants.defaultLanguage,
  smallCellK: s.tenants.smallCellK,
};

export async function tenantById(db: Executor, tenantId: string): Promise<TenantInfo> {
  const [tenant] = await db.select(tenantColumns).from(s.tenants).where(eq(s.tenants.id, tenantId));
  if (!tenant) throw new NotFoundProblem('No such municipality');
  return tenant;
}

export async function tenantBySlug(db: Executor, slug: string): Promise<TenantInfo> {
  const [tenant] = await db.select(tenantColumns).from(s.tenants).where(eq(s.tenants.slug, slug));
  if (!tenant) throw new NotFoundProblem(`No municipality "${slug}"`);
  return tenant;
}

/** dimension code → its group codes (without the implied "unknown"). */
export type Dimensions = Map<string, { groups: string[]; names: Record<string, string> }>;

export async function dimensionsOf(db: Executor, tenantId: string): Promise<Dimensions> {
  const rows = await db
    .select()
    .from(s.demographicDimensions)
    .where(and(eq(s.demographicDimensions.tenantId, tenantId), eq(s.demographicDimensions.active, true)))
    .orderBy(s.demographicDimensions.sortOrder);
  return new Map(rows.map((r) => [r.code, { groups: r.groups.map((g) => g.code), names: r.names }]));
}

/** Problems with a dimension → group map against the tenant's dimensions ("unknown" is always allowed). */
export function groupProblems(
  groups: Record<string, string>,
  dimensions: Dimensions,
  field: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [dimension, group] of Object.entries(groups)) {
    const known = dimensions.get(dimension);
    if (!known)
      problems.push({ field: `${field}.${dimension}`, message: `unknown dimension "${dimension}"` });
    else if (group !== UNKNOWN_GROUP && !known.groups.includes(group))
      problems.push({
        field: `${field}.${dimension}`,
        message: `unknown group "${group}"; expected one of ${[...known.groups, UNKNOWN_GROUP].join(', ')}`,
      });
  }
  return problems;
}

export function assertGroups(groups: Record<string, string>, dimensions: Dimensions, field: string): void {
  const problems = groupProblems(groups, dimensions, field);
  if (problems.length) throw new ValidationProblem(problems);
}

/** "unknown" means the same as no answer, so it is not stored. */
export function knownGroups(groups: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(groups).filter(([, g]) => g !== UNKNOWN_GROUP));
}

export function languageProblems(languages: string[], tenant: TenantInfo, field: string): FieldProblem[] {
  return languages
    .map((language, i) => ({ language, i }))
    .filter(({ language }) => !tenant.languages.includes(language))
    .map(({ language, i }) => ({
      field: `${field}.${i}`,
      message: `"${language}" is not one of this municipality's languages (${tenant.languages.join(', ')})`,
    }));
}

/**
 * A dialogue of the tenant that is run (not a template). `lock: 'share'` keeps its status from
 * changing until the transaction ends (writes that depend on the status take it, and run side by
 * side); `lock: 'update'` (or `true`) is for changing the dialogue or replacing its tallies.
 */
export async function dialogueOf(
  db: Executor,
  tenantId: string,
  dialogueId: string,
  options: { lock?: boolean | 'share' | 'update'; templates?: boolean } = {},
): Promise<DialogueRow> {
  const query = db
    .select()
    .from(s.dialogues)
    .where(
      and(
        eq(s.dialogues.tenantId, tenantId),
        eq(s.dialogues.id, dialogueId),
        eq(s.dialogues.isTemplate, options.templates ?? false),
      ),
    );
  const lock = options.lock === true ? 'update' : options.lock;
  const [row] = lock ? await query.for(lock) : await query;
  if (!row) throw new NotFoundProblem(options.templates ? 'No such template' : 'No such dialogue');
  return row;
}

/** A 409 naming the status, for actions the lifecycle does not allow right now. */
export function wrongStatus(status: string, what: string): ConflictProblem {
  return new ConflictProblem(`${what} (the dialogue is ${status})`, {
    errors: [{ field: 'status', message: `is ${status}` }],
  });
}

export function statusOf(row: DialogueRow): DialogueStatus {
  return row.status as DialogueStatus;
}

/** Picks the reader's language from a localised map, falling back to the tenant's default, then any. */
export function pick(text: Record<string, string>, language: string, fallback: string): string {
  return text[language] ?? text[fallback] ?? Object.values(text)[0] ?? '';
}

/** The language to answer in: `lang` if the tenant has it, else the best Accept-Language match, else default. */
export function readerLanguage(
  tenant: TenantInfo,
  lang: string | undefined,
  acceptLanguage?: string,
): string {
  if (lang && tenant.languages.includes(lang)) return lang;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim();
    if (!tag) continue;
    const exact = tenant.languages.find((l) => l.toLowerCase() === tag.toLowerCase());
    if (exact) return exact;
    const base = tenant.languages.find((l) => l.split('-')[0] === tag.split('-')[0]);
    if (base) return base;
  }
  return tenant.defaultLanguage;
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
