import type { DomainError } from '@centralita/kernel';
import type { SipErrorCode } from '../errors.ts';
import type { SipHeader } from './sip-message.ts';

/**
 * What a UAS needs to answer a request it could not parse: the method (an ACK is never answered) and the
 * header fields it could read, to copy Via, From, To, Call-ID and CSeq into the response (RFC 3261 §8.2.6.2).
 */
export interface PartialRequest {
  readonly method: string;
  readonly headers: readonly SipHeader[];
}

/**
 * Why a message could not be parsed. `statusCode` and `reasonPhrase` are what a UAS answers to a request
 * (400 with a reason naming the problem, or 505); `request` is there when the message was a request and
 * its header section could be read. `field` names the offending header, when there is one.
 */
export interface SipParseError extends DomainError<SipErrorCode> {
  readonly statusCode: number;
  readonly reasonPhrase: string;
  /** True when the message boundaries are unknown: on a stream transport the connection must be closed. */
  readonly isFramingError: boolean;
  readonly request?: PartialRequest;
}

/** Builds a parse error; the reason phrase is fixed text (never echoes the peer's bytes). */
export function sipParseError(
  code: SipErrorCode,
  statusCode: number,
  reasonPhrase: string,
  options: { field?: string; request?: PartialRequest; isFramingError?: boolean } = {},
): SipParseError {
  return {
    code,
    message: reasonPhrase,
    statusCode,
    reasonPhrase,
    isFramingError: options.isFramingError ?? false,
    ...(options.field === undefined ? {} : { field: options.field }),
    ...(options.request === undefined ? {} : { request: options.request }),
  };
}
