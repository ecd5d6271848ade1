import { type Executor, schema as s } from '@samtal/db';
import { contributionKind, demographicSelfReport, languageTag } from '@samtal/domain';
import { invalidField } from '@samtal/http';
import { z } from 'zod';
import {
  assertGroups,
  type DialogueRow,
  type Dimensions,
  knownGroups,
  statusOf,
  wrongStatus,
} from './common.ts';
import { rules } from './lifecycle.ts';

const contributionCore = {
  kind: contributionKind,
  body: z.string().trim().min(1).max(10_000),
  themes: z.array(z.string().trim().min(1).max(60)).max(20).default([]),
  language: languageTag.optional(),
  /** The contributor's own groups, said by themself, with consent (anonymous or recorded speaker). */
  demographics: demographicSelfReport.optional(),
};

/** A resident contributing online: as a registered participant (token) or anonymously. */
export const publicContributionBody = z.object({
  ...contributionCore,
  participantToken: z.string().min(10).max(200).optional(),
});

/** A facilitator recording what a speaker said, optionally how long they spoke. */
export const staffContributionBody = z.object({
  ...contributionCore,
  participationId: z.uuid().optional(),
  speakingSeconds: z
    .int()
    .min(0)
    .max(24 * 3600)
    .optional(),
});

export interface NewContribution {
  source: 'participant' | 'anonymous' | 'facilitator';
  kind: z.infer<typeof contributionKind>;
  body: string;
  themes: string[];
  language?: string | undefined;
  demographics?: z.infer<typeof demographicSelfReport> | undefined;
  participationId?: string | undefined;
  speakingSeconds?: number | undefined;
  recordedBy?: string | undefined;
}

/** Saves a contribution to an open dialogue (the caller holds the dialogue's row lock). */
export async function addContribution(
  tx: Executor,
  dialogue: DialogueRow,
  dimensions: Dimensions,
  input: NewContribution,
): Promise<string> {
  if (!rules.contribute(statusOf(dialogue)))
    throw wrongStatus(dialogue.status, 'Contributions are taken only while a dialogue is open');
  if (input.demographics && input.participationId)
    throw invalidField('demographics', "a registered participant's groups come from their registration");
  if (input.demographics) assertGroups(input.demographics.groups, dimensions, 'demographics.groups');
  if (input.language && !dialogue.languages.includes(input.language) && input.source !== 'facilitator')
    throw invalidField('language', `this dialogue is held in ${dialogue.languages.join(', ')}`);
  const [row] = await tx
    .insert(s.contributions)
    .values({
      tenantId: dialogue.tenantId,
      dialogueId: dialogue.id,
      participationId: input.participationId ?? null,
      source: input.source,
      kind: input.kind,
      body: input.body,
      themes: [...new Set(input.themes.map((t) => t.toLowerCase()))],
      language: input.language ?? null,
      groups: input.demographics ? knownGroups(input.demographics.groups) : {},
      speakingSeconds: input.speakingSeconds ?? null,
      recordedBy: input.recordedBy ?? null,
    })
    .returning({ id: s.contributions.id });
  return row!.id;
}
