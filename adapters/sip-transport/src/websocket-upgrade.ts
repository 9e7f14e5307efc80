import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';

/** The WebSocket sub-protocol of RFC 7118 §4.1. */
export const sipSubProtocol = 'sip';

function offersSip(request: IncomingMessage): boolean {
  const header = request.headers['sec-websocket-protocol'];
  if (header === undefined) return false;
  return header.split(',').some((token) => token.trim() === sipSubProtocol);
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Serves SIP over WebSocket on `path` of an existing HTTP(S) server: upgrades that ask for `path` and
 * offer the `sip` sub-protocol become connections; those without it get 400 (RFC 7118 §4.1), and other
 * paths are left to the server's other upgrade handlers. Returns the function that detaches.
 */
export function serveSipUpgrades(
  server: HttpServer,
  options: {
    readonly path: string;
    readonly maxPayloadBytes: number;
    readonly canAccept: () => boolean;
    readonly onRefused: (reason: 'no-sip-protocol' | 'connection-limit') => void;
    readonly onWebSocket: (socket: WebSocket, request: IncomingMessage) => void;
  },
): { readonly detach: () => void } {
  const webSockets = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    handleProtocols: (protocols) => (protocols.has(sipSubProtocol) ? sipSubProtocol : false),
  });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const pathname = (request.url ?? '/').split('?')[0];
    if (pathname !== options.path) return;
    if (!offersSip(request)) {
      options.onRefused('no-sip-protocol');
      refuse(socket, '400 Bad Request');
      return;
    }
    if (!options.canAccept()) {
      options.onRefused('connection-limit');
      refuse(socket, '503 Service Unavailable');
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      options.onWebSocket(webSocket, request);
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    detach: () => {
      server.off('upgrade', onUpgrade);
      for (const client of webSockets.clients) client.terminate();
      webSockets.close();
    },
  };
}
