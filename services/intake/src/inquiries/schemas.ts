import { caseStatus, channel, demographicSelfReport, languageTag, messageDirection } from '@samtal/domain';
import { TRACKING_CODE_PATTERN } from '@samtal/security';
import { z } from 'zod';

export const MAX_DESCRIPTION = 4000;
export const MAX_MEDIA_URLS = 5;

const httpsUrl = z
  .url({ protocol: /^https$/, error: 'must be an https:// URL' })
  .max(2000)
  .describe('Link to a photo or video the resident has published elsewhere (https only)');

export const location = z
  .object({
    lat: z.number().min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90').optional(),
    long: z
      .number()
      .min(-180, 'must be between -180 and 180')
      .max(180, 'must be between -180 and 180')
      .optional(),
    address: z.string().trim().min(1).max(500).optional(),
  })
  .check((ctx) => {
    const { lat, long } = ctx.value;
    if ((lat === undefined) !== (long === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: [lat === undefined ? 'lat' : 'long'],
        message: 'latitude and longitude go together',
      });
    }
  })
  .describe('Where it is: WGS84 coordinates, an address, or both');

export const inquiryInput = z
  .object({
    serviceCode: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(100)
      .describe('A category (Open311 service) code'),
    description: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_DESCRIPTION, `must be at most ${MAX_DESCRIPTION} characters`)
      .describe('What the resident wants; stored and shown as plain text, never as HTML'),
    location: location.optional(),
    attributes: z
      .record(
        z.string().max(100),
        z.union([z.string().max(4000), z.number(), z.array(z.string().max(4000)).max(50)]),
      )
      .optional()
      .describe("Answers to the category's attribute questions (see GET /v1/services/{code})"),
    mediaUrls: z.array(httpsUrl).max(MAX_MEDIA_URLS).optional(),
    contact: z
      .object({
        name: z.string().trim().min(1).max(200).optional(),
        email: z.email().max(320).optional(),
        phone: z
          .string()
          .trim()
          .regex(/^\+?[0-9 ()-]{5,30}$/, 'must be a phone number')
          .optional(),
      })
      .optional()
      .describe('How the municipality may reach the resident; optional'),
    language: languageTag
      .optional()
      .describe("Preferred language of replies; the municipality's default if absent"),
    channel: channel
      .exclude(['open311'])
      .default('web')
      .describe('web, chat, app, or phone / walk_in / email when an agent registers the contact'),
    demographics: demographicSelfReport
      .optional()
      .describe(
        'Voluntary self-report with explicit consent; stored apart from the case and never shown with it',
      ),
  })
  .describe('A new inquiry');
export type InquiryInput = z.infer<typeof inquiryInput>;

export const submitResponse = z.object({
  trackingCode: z.string().describe('Short, random code the resident quotes'),
  accessToken: z.string().describe('Shown once: needed with the tracking code to follow the inquiry'),
  status: z.literal('new'),
  createdAt: z.iso.datetime(),
  expectedFirstResponseAt: z.iso
    .datetime()
    .nullable()
    .describe("When the first response is due under the category's service level"),
  expectedResolutionAt: z.iso.datetime().nullable(),
});

export const trackingParams = z.object({
  trackingCode: z
    .string()
    .min(1)
    .max(40)
    .describe(`Tracking code, e.g. K7Q-4M9X-2D (${TRACKING_CODE_PATTERN.source})`),
});

export const tenantHeaders = z.looseObject({
  'x-samtal-tenant': z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/, 'must be a municipality slug')
    .optional()
    .describe('Slug of the municipality (e.g. vasteras); optional where the deployment serves one'),
});

export const authorisedHeaders = tenantHeaders.extend({
  authorization: z
    .string()
    .regex(/^Bearer [A-Za-z0-9_-]{10,200}$/, 'must be "Bearer <access token>"')
    .optional()
    .describe('Bearer <the access token returned when the inquiry was submitted>'),
});

export const submitHeaders = tenantHeaders.extend({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{8,200}$/, 'must be 8 to 200 visible ASCII characters')
    .optional()
    .describe('Makes a retried submit return the same inquiry'),
});

const timelineEvent = z.object({
  kind: z.literal('event'),
  at: z.iso.datetime(),
  type: z.string().describe('created, routed, accepted, information_requested, resolved, closed, reopened …'),
  status: caseStatus.nullable(),
  department: z.string().nullable(),
  handler: z.string().nullable().describe('Only where the municipality shows handler names'),
});
const timelineMessage = z.object({
  kind: z.literal('message'),
  at: z.iso.datetime(),
  direction: messageDirection.exclude(['internal_note']),
  body: z.string().describe('Plain text'),
  department: z.string().nullable(),
  author: z.string().nullable().describe('Only where the municipality shows handler names'),
});

export const inquiryView = z.object({
  trackingCode: z.string(),
  status: caseStatus,
  open311Status: z.enum(['open', 'closed']),
  service: z.object({ code: z.string(), name: z.string() }),
  description: z.string(),
  language: z.string(),
  location: z
    .object({ lat: z.number().nullable(), long: z.number().nullable(), address: z.string().nullable() })
    .nullable(),
  attributes: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  mediaUrls: z.array(z.string()),
  photos: z.array(z.object({ id: z.uuid(), contentType: z.string(), sizeBytes: z.number().int() })),
  department: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  expectedFirstResponseAt: z.iso.datetime().nullable(),
  expectedResolutionAt: z.iso.datetime().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  timeline: z.array(z.discriminatedUnion('kind', [timelineEvent, timelineMessage])),
  feedback: z
    .object({
      rating: z.number().int(),
      comment: z.string().nullable(),
      requestedRehandling: z.boolean(),
      createdAt: z.iso.datetime(),
    })
    .nullable(),
  next: z.object({
    awaitingInformation: z.boolean().describe('The municipality asked a question; a message answers it'),
    canSendMessage: z.boolean(),
    canGiveFeedback: z.boolean(),
    rehandlingPossibleUntil: z.iso.datetime().nullable(),
  }),
});
export type InquiryView = z.infer<typeof inquiryView>;

export const messageInput = z.object({
  body: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(MAX_DESCRIPTION, `must be at most ${MAX_DESCRIPTION} characters`),
});

export const messageResponse = z.object({
  status: caseStatus,
  resumed: z.boolean().describe('True when the message answered a request for information'),
  createdAt: z.iso.datetime(),
});

export const feedbackInput = z.object({
  rating: z.number().int('must be a whole number').min(1, 'must be 1 to 5').max(5, 'must be 1 to 5'),
  comment: z.string().trim().max(2000).optional(),
  requestRehandling: z
    .boolean()
    .default(false)
    .describe(
      'With a rating of 1 or 2, within the municipality’s window: asks for the case to be handled again',
    ),
});

export const feedbackResponse = z.object({
  rating: z.number().int(),
  requestedRehandling: z.boolean(),
  status: caseStatus,
});

/** A voluntary demographic question as residents see it; "unknown" (prefer not to say) is always allowed. */
export const demographicQuestion = z.object({
  code: z.string(),
  name: z.string(),
  groups: z.array(z.object({ code: z.string(), name: z.string() })),
});

export const serviceSummary = z.object({
  code: z.string(),
  name: z.string(),
  description: z.string(),
  group: z.string().nullable(),
  keywords: z.array(z.string()),
  hasAttributes: z.boolean(),
  expectedFirstResponseMinutes: z.number().int().nullable().describe('Business minutes'),
});

export const serviceDefinition = serviceSummary.extend({
  attributes: z.array(
    z.object({
      code: z.string(),
      datatype: z.string(),
      required: z.boolean(),
      variable: z.boolean(),
      description: z.string(),
      order: z.number().int(),
      values: z.array(z.object({ key: z.string(), name: z.string() })),
    }),
  ),
});
