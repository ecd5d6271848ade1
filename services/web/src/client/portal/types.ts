/** Shapes of the resident API (services/intake, inquiries/schemas.ts). */
export interface ServiceSummary {
  code: string;
  name: string;
  description: string;
  group: string | null;
  keywords: string[];
  hasAttributes: boolean;
  expectedFirstResponseMinutes: number | null;
}

export interface ServiceAttribute {
  code: string;
  datatype: string;
  required: boolean;
  variable: boolean;
  description: string;
  order: number;
  values: { key: string; name: string }[];
}

export interface ServiceDefinition extends ServiceSummary {
  attributes: ServiceAttribute[];
}

export interface Submitted {
  trackingCode: string;
  accessToken: string;
  status: string;
  createdAt: string;
  expectedFirstResponseAt: string | null;
  expectedResolutionAt: string | null;
}

export interface DemographicDimension {
  code: string;
  name: string;
  groups: { code: string; name: string }[];
}

export type TimelineItem =
  | {
      kind: 'event';
      at: string;
      type: string;
      status: string | null;
      department: string | null;
      handler: string | null;
    }
  | {
      kind: 'message';
      at: string;
      direction: string;
      body: string;
      department: string | null;
      author: string | null;
    };

export interface InquiryView {
  trackingCode: string;
  status: string;
  open311Status: 'open' | 'closed';
  service: { code: string; name: string };
  description: string;
  language: string;
  location: { lat: number | null; long: number | null; address: string | null } | null;
  attributes: Record<string, string | string[]>;
  mediaUrls: string[];
  photos: { id: string; contentType: string; sizeBytes: number }[];
  department: string | null;
  createdAt: string;
  updatedAt: string;
  expectedFirstResponseAt: string | null;
  expectedResolutionAt: string | null;
  resolvedAt: string | null;
  timeline: TimelineItem[];
  feedback: {
    rating: number;
    comment: string | null;
    requestedRehandling: boolean;
    createdAt: string;
  } | null;
  next: {
    awaitingInformation: boolean;
    canSendMessage: boolean;
    canGiveFeedback: boolean;
    rehandlingPossibleUntil: string | null;
  };
}

/** The pair a resident needs to follow a case; kept for this browser tab only. */
export interface Receipt {
  trackingCode: string;
  accessToken: string;
}

export function rememberReceipt(receipt: Receipt): void {
  sessionStorage.setItem('samtal.receipt', JSON.stringify(receipt));
}

export function rememberedReceipt(): Receipt | null {
  try {
    return JSON.parse(sessionStorage.getItem('samtal.receipt') ?? 'null') as Receipt | null;
  } catch {
    return null;
  }
}
