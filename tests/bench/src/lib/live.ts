import { WebSocket } from 'ws';

export interface LiveEventMessage {
  type: 'event';
  id: number;
  event: { caseId: string; type: string; case: { trackingCode: string } };
}

/**
 * A staff client on the desk's `/v1/live`, following the contact centre's triage queue.
 * `onEvent` gets every case event with the time it arrived (performance.now()).
 */
export async function connectAgent(
  port: number,
  token: string,
  onEvent: (message: LiveEventMessage, at: number) => void,
): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/live`, {
    headers: { authorization: `Bearer ${token}` },
    perMessageDeflate: false,
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`live upgrade refused: ${res.statusCode}`)),
    );
    socket.once('error', reject);
  });
  const subscribed = new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const at = performance.now();
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === 'event') onEvent(message as LiveEventMessage, at);
      else if (message.type === 'subscribed') resolve();
      else if (message.type === 'error') reject(new Error(JSON.stringify(message)));
    });
  });
  socket.send(JSON.stringify({ type: 'subscribe', topics: [{ kind: 'queue', queue: 'triage' }] }));
  await subscribed;
  return socket;
}
