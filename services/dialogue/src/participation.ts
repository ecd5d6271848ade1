import { type Executor, schema as s } from '@samtal/db';
import { demographicSelfReport, languageTag } from '@samtal/domain';
import { UnauthorizedProblem } from '@samtal/http';
import { randomToken, sha256 } from '@samtal/security';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { assertGroups, type DialogueRow, type Dimensions, knownGroups } from './common.ts';

export const registrationBody = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  email: z.email().max(254).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ()-]{5,30}$/, 'must be a phone number')
    .optional(),
  language: languageTag.optional(),
  /** Voluntary; stored apart from the registration and only with explicit consent. */
  demographics: demographicSelfReport.optional(),
});
export type RegistrationInput = z.infer<typeof registrationBody>;

/**
 * Registers one individual (count 1). Their self-reported groups go to a demographic profile of
 * their own, never onto the participation row that carries their name.
 */
export async function registerIndividual(
  tx: Executor,
  dialogue: DialogueRow,
  dimensions: Dimensions,
  input: RegistrationInput,
  recordedBy: string | null,
): Promise<{ participationId: string; participantToken: string }> {
  if (input.demographics) assertGroups(input.demographics.groups, dimensions, 'demographics.groups');
  const token = randomToken();
  const [row] = await tx
    .insert(s.participations)
    .values({
      tenantId: dialogue.tenantId,
      dialogueId: dialogue.id,
      kind: 'individual',
      count: 1,
      name: input.name ?? null,
      email: input.email ?? null,
      phone: input.phone ?? null,
      language: input.language ?? null,
      recordedBy,
      accessTokenHash: sha256(token),
    })
    .returning({ id: s.participations.id });
  if (input.demographics)
    await tx.insert(s.demographicProfiles).values({
      tenantId: dialogue.tenantId,
      participationId: row!.id,
      groups: knownGroups(input.demographics.groups),
      consentAt: new Date(),
      consentTextVersion: input.demographics.consentTextVersion,
    });
  return { participationId: row!.id, participantToken: token };
}

/** The registered participant a resident's token belongs to, in this dialogue. */
export async function participantByToken(
  tx: Executor,
  dialogue: DialogueRow,
  token: string,
): Promise<string> {
  const [row] = await tx
    .select({ id: s.participations.id })
    .from(s.participations)
    .where(
      and(
        eq(s.participations.tenantId, dialogue.tenantId),
        eq(s.participations.dialogueId, dialogue.id),
        eq(s.participations.accessTokenHash, sha256(token)),
      ),
    );
  if (!row) throw new UnauthorizedProblem('The participant token does not belong to this dialogue');
  return row.id;
}

/** A registered participant of this dialogue, by id (for staff recording what a participant said). */
export async function participationInDialogue(
  tx: Executor,
  dialogue: DialogueRow,
  participationId: string,
): Promise<boolean> {
  const [row] = await tx
    .select({ id: s.participations.id })
    .from(s.participations)
    .where(
      and(
        eq(s.participations.tenantId, dialogue.tenantId),
        eq(s.participations.dialogueId, dialogue.id),
        eq(s.participations.id, participationId),
        eq(s.participations.kind, 'individual'),
      ),
    );
  return Boolean(row);
}
