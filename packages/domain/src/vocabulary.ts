import { z } from 'zod';

/** How an inquiry reached the municipality. */
export const channel = z.enum(['web', 'chat', 'phone', 'email', 'walk_in', 'open311', 'app']);
export type Channel = z.infer<typeof channel>;

export const priority = z.enum(['low', 'normal', 'high', 'urgent']);
export type Priority = z.infer<typeof priority>;

export const staffRole = z.enum([
  'agent',
  'department_officer',
  'supervisor',
  'manager',
  'dialogue_facilitator',
  'admin',
]);
export type StaffRole = z.infer<typeof staffRole>;

export const presenceStatus = z.enum(['available', 'busy', 'away', 'offline']);
export type PresenceStatus = z.infer<typeof presenceStatus>;

export const messageDirection = z.enum(['to_resident', 'from_resident', 'internal_note']);
export type MessageDirection = z.infer<typeof messageDirection>;

export const contactChannel = z.enum(['phone', 'chat']);
export type ContactChannel = z.infer<typeof contactChannel>;

/** BCP 47 language tag as used for translations: "sv", "en", "zh-CN". */
export const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as sv, en or zh-CN');

export const attributeDatatype = z.enum([
  'string',
  'number',
  'datetime',
  'text',
  'singlevaluelist',
  'multivaluelist',
]);
export type AttributeDatatype = z.infer<typeof attributeDatatype>;

export const dialogueMethod = z.enum([
  'public_meeting',
  'workshop',
  'online_survey',
  'walk_and_talk',
  'focus_group',
  'school_visit',
  'digital_forum',
  'other',
]);
export const dialogueStatus = z.enum(['planned', 'open', 'closed', 'reported']);
export const contributionKind = z.enum(['idea', 'concern', 'question', 'proposal', 'vote']);
export const outcomeResponse = z.enum(['taken', 'partly', 'not_taken']);

/** The group every demographic dimension has implicitly: no answer, or "prefer not to say". */
export const UNKNOWN_GROUP = 'unknown';

/**
 * A voluntary demographic self-report. Consent must be explicit; the answers map a tenant's
 * dimension codes to group codes (validated against the tenant's dimensions by the service).
 */
export const demographicSelfReport = z.object({
  consent: z.literal(true, { error: 'demographic answers are stored only with explicit consent (true)' }),
  consentTextVersion: z.string().min(1).max(40),
  groups: z.record(z.string().min(1).max(40), z.string().min(1).max(40)),
});
export type DemographicSelfReport = z.infer<typeof demographicSelfReport>;
