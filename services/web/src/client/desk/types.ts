/** Shapes of the staff API (services/desk, cases/views.ts). */
export interface CaseSummary {
  id: string;
  trackingCode: string;
  status: string;
  priority: string;
  channel: string;
  categoryId: string;
  sensitive: boolean;
  language: string;
  description: string;
  leadDepartmentId: string | null;
  claimedBy: { id: string; displayName: string } | null;
  claimedAt: string | null;
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
  firstRespondedAt: string | null;
  slaPaused: boolean;
  createdAt: string;
  updatedAt: string;
  role?: 'lead' | 'assisting';
}

export interface CaseMessage {
  id: string;
  direction: string;
  body: string;
  authorStaffId: string | null;
  departmentId: string | null;
  knowledgeArticleId: string | null;
  createdAt: string;
}

export interface CaseEvent {
  id: number;
  type: string;
  actorKind: string;
  actorId: string | null;
  visibility: string;
  data: Record<string, unknown>;
  createdAt: string;
}

export interface CaseDetail extends CaseSummary {
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  attributes: Record<string, string | string[]>;
  contact: { name: string | null; email: string | null; phone: string | null };
  resolutionCode: string | null;
  resolvedAt: string | null;
  assisting: { departmentId: string; contribution: string | null; contributedAt: string | null }[];
  messages: CaseMessage[];
  events: CaseEvent[];
}

export interface Department {
  id: string;
  code: string;
  name: string;
  kind: 'department' | 'contact_centre';
  active: boolean;
}

export const itemsOf = <T>(data: T[] | { items: T[] }): T[] => (Array.isArray(data) ? data : data.items);
