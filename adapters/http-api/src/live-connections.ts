/** The part of a WebSocket the registry needs. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
}

interface LiveConnection {
  readonly socket: ClosableSocket;
  readonly userId: string | null;
  readonly sessionTokenHash: string | null;
}

/** WebSocket close code telling the client its credentials ended (log in again). */
export const credentialsEndedCloseCode = 4401;

/**
 * The open event-stream connections, so that a logout, a disabled account or a password reset ends the
 * user's live connections at once, not when their socket next fails.
 */
export class LiveConnections {
  private readonly connections = new Set<LiveConnection>();

  add(socket: ClosableSocket, userId: string | null, sessionTokenHash: string | null): () => void {
    const connection = { socket, userId, sessionTokenHash };
    this.connections.add(connection);
    return () => this.connections.delete(connection);
  }

  /** Closes every connection of a user; returns how many were closed. */
  closeUser(userId: string, reason: string): number {
    return this.closeWhere((c) => c.userId === userId, reason);
  }

  /** Closes a user's connections except those of one session (the one that changed the password). */
  closeUserExceptSession(userId: string, keptTokenHash: string | null, reason: string): number {
    return this.closeWhere((c) => c.userId === userId && c.sessionTokenHash !== keptTokenHash, reason);
  }

  closeSession(tokenHash: string, reason: string): number {
    return this.closeWhere((c) => c.sessionTokenHash === tokenHash, reason);
  }

  closeAll(reason: string): void {
    this.closeWhere(() => true, reason);
  }

  get size(): number {
    return this.connections.size;
  }

  private closeWhere(matches: (connection: LiveConnection) => boolean, reason: string): number {
    let closed = 0;
    for (const connection of [...this.connections]) {
      if (!matches(connection)) continue;
      connection.socket.close(credentialsEndedCloseCode, reason);
      this.connections.delete(connection);
      closed++;
    }
    return closed;
  }
}
