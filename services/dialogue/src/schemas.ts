import { dialogueMethod, dialogueStatus, languageTag } from '@samtal/domain';
import { z } from 'zod';
import { dialogueActions } from './lifecycle.ts';

/** Shared zod schemas: they type the routes, validate input, shape responses and make /docs. */

export const uuidParam = z.uuid();
export const dialogueParams = z.object({ dialogueId: z.uuid() });
export const publicParams = z.object({ tenantSlug: z.string().min(1).max(60) });
export const publicDialogueParams = publicParams.extend({ dialogueId: z.uuid() });
export const langQuery = z.object({ lang: languageTag.optional() });

const code = z.string().min(1).max(40);
export const groupsMap = z.record(code, code);
export const localised = z.record(languageTag, z.string().min(1).max(4000));

export const methodDocumentation = z.object({
  howItWasRun: z.string().max(20_000).optional(),
  materials: z.string().max(20_000).optional(),
  whatWorked: z.string().max(20_000).optional(),
  whatDidNot: z.string().max(20_000).optional(),
});

export const sessionSchema = z
  .object({
    place: z.string().min(1).max(300),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    capacity: z.int().min(1).max(1_000_000).optional(),
  })
  .refine((v) => !v.endsAt || Date.parse(v.endsAt) > Date.parse(v.startsAt), {
    message: 'must end after it starts',
    path: ['endsAt'],
  });

export const translationSchema = z.object({
  title: z.string().min(1).max(300).optional(),
  question: z.string().min(1).max(4000).optional(),
  purpose: z.string().min(1).max(4000).optional(),
});

/** dimension → group → share of participants aimed for (0–1). */
export const targetGroups = z.record(code, z.record(code, z.number().min(0).max(1)));

/** A dialogue's plan; every field is optional on create (a template may supply it) and on update. */
export const dialoguePlan = z.object({
  title: z.string().trim().min(1).max(300),
  question: z.string().trim().min(1).max(4000),
  purpose: z.string().trim().min(1).max(4000),
  method: dialogueMethod,
  targetGroups: targetGroups,
  sessions: z.array(sessionSchema).max(100),
  partners: z.array(z.string().min(1).max(200)).max(50),
  languages: z.array(languageTag).min(1).max(20),
  methodDocumentation,
  venueTotal: z.int().min(0).max(1_000_000).nullable().optional(),
  translations: z.record(languageTag, translationSchema),
});

export const createDialogueBody = dialoguePlan.partial().extend({
  /** Start from a template: its method, documentation, languages, targets and survey are copied. */
  templateId: z.uuid().optional(),
});

export const updateDialogueBody = dialoguePlan.partial();

export const transitionBody = z.object({ action: z.enum(dialogueActions) });

export const dialogueResponse = z.object({
  id: z.uuid(),
  title: z.string(),
  question: z.string(),
  purpose: z.string(),
  method: dialogueMethod,
  status: dialogueStatus,
  allowedActions: z.array(z.enum(dialogueActions)),
  targetGroups,
  sessions: z.array(
    z.object({
      place: z.string(),
      startsAt: z.string(),
      endsAt: z.string().optional(),
      capacity: z.number().optional(),
    }),
  ),
  partners: z.array(z.string()),
  languages: z.array(z.string()),
  methodDocumentation,
  translations: z.record(z.string(), translationSchema),
  venueTotal: z.number().nullable(),
  isTemplate: z.boolean(),
  templateId: z.uuid().nullable(),
  openedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  reportedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type DialogueResponse = z.infer<typeof dialogueResponse>;

export const problemResponse = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .describe('RFC 9457 problem details');
