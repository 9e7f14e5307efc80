/** The part of a pino logger this adapter uses: constant messages, data in fields. */
export interface SipLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

function ignore(): void {
  // A logger that drops everything, for tests and embedders that pass none.
}

/** A logger that writes nothing. */
export const silentLogger: SipLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
