import type { ApiSession } from './api-session.ts';
import { TrafficError } from './errors.ts';

/** One event of the tenant's stream (docs/events.md): its type, when it happened, and its data. */
export interface FeedEvent {
  readonly type: string;
  readonly occurredAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

function isFeedEvent(value: unknown): value is FeedEvent {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { type?: unknown; data?: unknown };
  return typeof candidate.type === 'string' && typeof candidate.data === 'object' && candidate.data !== null;
}

/**
 * The tenant's live events (`GET /api/events`, a WebSocket authenticated by the session cookie), limited
 * to `types`. Opening waits for the server's `StreamOpened`, so nothing that happens afterwards is missed.
 */
export class EventFeed {
  readonly #socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  static async open(
    session: ApiSession,
    types: readonly string[],
    onEvent: (event: FeedEvent) => void,
  ): Promise<EventFeed> {
    const url = new URL(`/api/events?types=${types.join(',')}`, session.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url, { headers: { cookie: session.cookie } });
    await new Promise<void>((resolve, reject) => {
      const fail = (): void => {
        reject(
          new TrafficError(
            'TRAFFIC_SERVER_UNREACHABLE',
            `The event stream of ${session.baseUrl} could not be opened: is it a Centralita server?`,
          ),
        );
      };
      socket.addEventListener('error', fail, { once: true });
      socket.addEventListener('message', (message) => {
        const parsed: unknown = typeof message.data === 'string' ? JSON.parse(message.data) : undefined;
        if (
          typeof parsed === 'object' &&
          parsed !== null &&
          (parsed as { type?: unknown }).type === 'StreamOpened'
        ) {
          socket.removeEventListener('error', fail);
          resolve();
          return;
        }
        if (isFeedEvent(parsed)) onEvent(parsed);
      });
    });
    return new EventFeed(socket);
  }

  close(): void {
    this.#socket.close();
  }
}
