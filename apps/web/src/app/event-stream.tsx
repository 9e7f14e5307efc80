import { createContext, useContext, useEffect, useRef, useState } from 'react';

/** An event from `GET /api/events` (docs/events.md). */
export interface DomainEvent {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Whether live updates are arriving. */
export type StreamState = 'connecting' | 'open' | 'closed';

/** Hands every event of the session's stream to whoever listens. */
export interface EventStream {
  readonly subscribe: (listener: (event: DomainEvent) => void) => () => void;
}

/** The server closes the stream with this code when the session ends (docs/events.md). */
const sessionEndedCloseCode = 4401;
/** Reconnection waits double from this up to the maximum, so a restarting server is not hammered. */
const firstRetryMs = 1000;
const maxRetryMs = 30_000;

/**
 * Keeps one WebSocket to the event stream open while signed in, reconnecting after a drop; calls onSessionEnded
 * when the server closes it because the session ended.
 */
export function useEventStreamConnection(
  isSignedIn: boolean,
  onSessionEnded: () => void,
): { readonly stream: EventStream; readonly state: StreamState } {
  const listeners = useRef(new Set<(event: DomainEvent) => void>());
  const [state, setState] = useState<StreamState>('closed');
  const [stream] = useState<EventStream>(() => ({
    subscribe: (listener) => {
      listeners.current.add(listener);
      return () => {
        listeners.current.delete(listener);
      };
    },
  }));

  useEffect(() => {
    if (!isSignedIn) return;
    let socket: WebSocket | null = null;
    let retryMs = firstRetryMs;
    let retryTimer: number | undefined;
    let isStopped = false;
    const connect = (): void => {
      setState('connecting');
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      socket = new WebSocket(`${scheme}://${window.location.host}/api/events`);
      socket.onmessage = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as DomainEvent;
        if (event.type === 'StreamOpened') {
          retryMs = firstRetryMs;
          setState('open');
          return;
        }
        for (const listener of listeners.current) listener(event);
      };
      socket.onclose = (close) => {
        setState('closed');
        if (isStopped) return;
        if (close.code === sessionEndedCloseCode) {
          onSessionEnded();
          return;
        }
        retryTimer = window.setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, maxRetryMs);
      };
    };
    connect();
    return () => {
      isStopped = true;
      window.clearTimeout(retryTimer);
      socket?.close();
    };
  }, [isSignedIn, onSessionEnded]);

  return { stream, state };
}

const EventStreamContext = createContext<EventStream | null>(null);

/** Provides the session's event stream to the screens. */
export const EventStreamProvider = EventStreamContext.Provider;

/** Calls `onEvent` for every live event while the component is shown. */
export function useDomainEvents(onEvent: (event: DomainEvent) => void): void {
  const stream = useContext(EventStreamContext);
  const latest = useRef(onEvent);
  useEffect(() => {
    latest.current = onEvent;
  });
  useEffect(() => {
    if (stream === null) return;
    return stream.subscribe((event) => {
      latest.current(event);
    });
  }, [stream]);
}
