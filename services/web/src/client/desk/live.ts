import { call, socketUrl } from '../api.ts';

/** One event from the desk's live feed (services/desk live/tail.ts LiveEvent). */
export interface LiveEvent {
  id: number;
  caseId: string;
  type: string;
  actorKind: string;
  actorId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  case: {
    trackingCode: string;
    status: string;
    priority: string;
    categoryId: string;
    leadDepartmentId: string | null;
    claimedBy: string | null;
    sensitive: boolean;
  };
}

export type LiveTopic =
  | { kind: 'queue'; queue: 'triage' | 'new' }
  | { kind: 'department'; departmentId: string }
  | { kind: 'case'; caseId: string }
  | { kind: 'presence' };

export type LiveState = 'connecting' | 'live' | 'offline';

/**
 * The desk's WebSocket: a one-time ticket (POST /v1/live/ticket), then `subscribe` with the last
 * event id seen, so a reconnect receives exactly what was missed. Reconnects with backoff.
 */
export function connectLive(options: {
  topics: LiveTopic[];
  onEvent: (event: LiveEvent) => void;
  onState: (state: LiveState) => void;
  onPresence?: (message: { userId: string; displayName: string; status: string }) => void;
  onReset?: () => void;
  /** Anything else the hub pushes (chat.offered, chat.message …). */
  onMessage?: (message: { type: string; [key: string]: unknown }) => void;
}): () => void {
  let socket: WebSocket | null = null;
  let lastEventId: number | undefined;
  let stopped = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function open() {
    if (stopped) return;
    options.onState('connecting');
    let ticket = '';
    try {
      ticket = (await call<{ ticket: string }>('desk', '/v1/live/ticket', { method: 'POST' })).ticket;
    } catch {
      retry();
      return;
    }
    if (stopped) return;
    const ws = new WebSocket(socketUrl('desk', `/v1/live?ticket=${encodeURIComponent(ticket)}`));
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      ws.send(
        JSON.stringify({
          type: 'subscribe',
          topics: options.topics,
          ...(lastEventId !== undefined ? { lastEventId } : {}),
        }),
      );
    });
    ws.addEventListener('message', (message) => {
      let data: { type: string; [key: string]: unknown };
      try {
        data = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (data.type === 'subscribed' || data.type === 'caught_up') options.onState('live');
      if (data.type === 'ready' && lastEventId === undefined && typeof data.cursor === 'number')
        lastEventId = data.cursor;
      if (data.type === 'event') {
        const event = data.event as LiveEvent;
        if (lastEventId === undefined || event.id > lastEventId) lastEventId = event.id;
        options.onEvent(event);
      }
      if (data.type === 'presence') options.onPresence?.(data as never);
      if (data.type.startsWith('chat.')) options.onMessage?.(data);
      if (data.type === 'reset') {
        lastEventId = typeof data.cursor === 'number' ? data.cursor : undefined;
        options.onReset?.();
      }
    });
    ws.addEventListener('close', () => {
      if (socket === ws) socket = null;
      retry();
    });
  }

  function retry() {
    if (stopped) return;
    options.onState('offline');
    attempt += 1;
    timer = setTimeout(open, Math.min(30_000, 500 * 2 ** attempt));
  }

  void open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    socket?.close();
  };
}
