import { readFile } from 'node:fs/promises';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

/**
 * Certificate and key files (PEM) for TLS and WSS listeners, and an optional CA bundle: the authorities
 * client certificates must chain to (the system's when absent).
 */
export interface TlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
  readonly caPath?: string;
  /**
   * Client certificates (mutual TLS, RFC 3261 §26.3.2.2): `off` asks for none; `request` asks and accepts a
   * peer without one (or with one that does not verify); `require` refuses, at the handshake, a peer without
   * a certificate that chains to the CA bundle. `off` by default.
   */
  readonly clientCertificates?: ClientCertificatePolicy;
}

/** Whether a TLS listener asks peers for a certificate, and whether it refuses those without a valid one. */
export type ClientCertificatePolicy = 'off' | 'request' | 'require';

/** A TCP or TLS server accepting SIP connections. */
export interface StreamServer {
  readonly server: Server;
  readonly address: AddressInfo;
}

/** Starts listening once the server is set up; rejects on a bind error (port in use, bad address). */
export async function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('a stream server has no address');
  return address;
}

/**
 * A TCP server, or a TLS server with the certificate and key read from their files. Accepted sockets
 * (TLS ones after the handshake, which must finish within `handshakeTimeoutMs`) go to `onSocket`.
 */
export async function listenStream(options: {
  readonly protocol: 'tcp' | 'tls';
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsFiles;
  readonly handshakeTimeoutMs: number;
  readonly maxConnections: number;
  readonly onSocket: (socket: Socket) => void;
  readonly onError: (error: unknown) => void;
  /** A connection Node refused because `maxConnections` was reached. */
  readonly onDrop: () => void;
}): Promise<StreamServer> {
  let server: Server;
  if (options.protocol === 'tls') {
    if (options.tls === undefined) throw new Error('a TLS listener needs certPath and keyPath');
    const [cert, key, ca] = await Promise.all([
      readFile(options.tls.certPath),
      readFile(options.tls.keyPath),
      options.tls.caPath === undefined ? Promise.resolve(undefined) : readFile(options.tls.caPath),
    ]);
    const clientCertificates = options.tls.clientCertificates ?? 'off';
    const tlsServer = createTlsServer({
      cert,
      key,
      ...(ca === undefined ? {} : { ca }),
      handshakeTimeout: options.handshakeTimeoutMs,
      // `require`: Node ends the handshake (an alert, then `tlsClientError`) when the peer's certificate
      // is missing or does not verify; the socket never reaches `onSocket`.
      requestCert: clientCertificates !== 'off',
      rejectUnauthorized: clientCertificates === 'require',
    });
    tlsServer.on('secureConnection', options.onSocket);
    tlsServer.on('tlsClientError', options.onError);
    server = tlsServer;
  } else {
    server = createServer({ noDelay: true });
    server.on('connection', options.onSocket);
  }
  // Node refuses connections beyond this before any byte is read (TLS handshakes included).
  server.maxConnections = options.maxConnections;
  server.on('drop', options.onDrop);
  server.on('error', options.onError);
  const address = await listenOn(server, options.host, options.port);
  return { server, address };
}

/** Stops accepting and waits for the server to close (its connections are closed by their owner). */
export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}
