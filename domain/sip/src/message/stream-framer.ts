import type { SipErrorCode } from '../errors.ts';
import { headerKey } from './header-names.ts';
import { splitHeaderSection } from './header-section.ts';
import { isDigits } from './lexical-rules.ts';

/** Limits of a `StreamFramer`: what one message may occupy in memory. */
export interface FramerLimits {
  /** Largest header section (start line to the empty line included). */
  readonly maxHeaderBytes: number;
  /** Largest message (header section plus Content-Length). */
  readonly maxMessageBytes: number;
}

/** 16 KiB of headers and 64 KiB in all: far above real signalling, far below what hurts a server. */
export const defaultFramerLimits: FramerLimits = { maxHeaderBytes: 16 * 1024, maxMessageBytes: 64 * 1024 };

/**
 * Why a stream cannot go on. The transport answers `statusCode` when `headerBytes` lets it build a
 * response (parse them to get Via, From, To...), then closes the connection: the message boundaries
 * are lost (RFC 3261 §18.3).
 */
export interface FramerError {
  readonly code: SipErrorCode;
  readonly statusCode: number;
  readonly reasonPhrase: string;
  /** The complete header section, when it was read, so that a response can copy its headers. */
  readonly headerBytes?: Uint8Array;
}

/** What one `push` produced. */
export interface FramerOutput {
  /** Complete messages (header section plus exactly Content-Length body bytes), in arrival order. */
  readonly messages: readonly Uint8Array[];
  /** Double-CRLF keep-alive pings seen between messages (RFC 5626 §3.5.1: answer each with one CRLF). */
  readonly keepAlivePings: number;
  /** Set once the stream is broken; every later push returns it again. */
  readonly error?: FramerError;
}

type Phase = 'between' | 'header' | 'body';

const LF = 0x0a;
const CR = 0x0d;
const latin1 = new TextDecoder('latin1');

/**
 * Cuts a TCP, TLS or WebSocket byte stream into SIP messages by Content-Length (RFC 3261 §18.3), skipping
 * CRLF keep-alives between messages (RFC 5626 §3.5.1). It holds at most one message and never more than
 * `maxMessageBytes`: a header section or a message beyond the limits is an error, not a bigger buffer.
 *
 * It is a small object with private state rather than a transition function returning a new state,
 * because a stream buffer must grow in place to stay linear in the bytes received (a slow-drip sender
 * would otherwise cost quadratic copying). It does no I/O and reads no clock: the transport owns one per
 * connection and closes the connection on an idle timer of its own (RFC 4475 §3.1.2.2).
 */
export class StreamFramer {
  readonly #limits: FramerLimits;
  #buffer: Uint8Array;
  #length = 0;
  #phase: Phase = 'between';
  #lineBreaks = 0;
  #messageLength = 0;
  /** Start of the last unfinished header line, so each push scans only new bytes (linear time). */
  #lineStart = 0;
  #error: FramerError | undefined;

  constructor(limits: FramerLimits = defaultFramerLimits) {
    this.#limits = limits;
    this.#buffer = new Uint8Array(Math.min(1024, limits.maxHeaderBytes));
  }

  /** Bytes held for the message in progress. */
  get bufferedBytes(): number {
    return this.#length;
  }

  /** Bytes allocated for the message in progress; never above `maxMessageBytes`. */
  get capacityBytes(): number {
    return this.#buffer.length;
  }

  /** Feeds the next chunk of the stream; returns the messages it completed. */
  push(chunk: Uint8Array): FramerOutput {
    if (this.#error !== undefined) return { messages: [], keepAlivePings: 0, error: this.#error };
    const messages: Uint8Array[] = [];
    let keepAlivePings = 0;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#phase === 'between') {
        const byte = chunk[offset];
        if (byte === LF) {
          this.#lineBreaks++;
          if (this.#lineBreaks === 2) {
            keepAlivePings++;
            this.#lineBreaks = 0;
          }
          offset++;
          continue;
        }
        if (byte === CR) {
          offset++;
          continue;
        }
        this.#phase = 'header';
        this.#lineBreaks = 0;
      }
      if (this.#phase === 'header') {
        const before = this.#length;
        const take = Math.min(chunk.length - offset, this.#limits.maxHeaderBytes - this.#length);
        this.#append(chunk.subarray(offset, offset + take), this.#limits.maxHeaderBytes);
        offset += take;
        const bounds = this.#scanForEmptyLine(before);
        if (bounds === undefined) {
          if (this.#length >= this.#limits.maxHeaderBytes) {
            return this.#fail(
              { code: 'SIP_HEADER_SECTION_TOO_LARGE', statusCode: 513, reasonPhrase: 'Message Too Large' },
              messages,
              keepAlivePings,
            );
          }
          continue;
        }
        const headerBytes = this.#buffer.slice(0, bounds.bodyStart);
        const contentLength = readStreamContentLength(headerBytes.subarray(0, bounds.headerEnd));
        if (typeof contentLength !== 'number') {
          return this.#fail({ ...contentLength, headerBytes }, messages, keepAlivePings);
        }
        const total = bounds.bodyStart + contentLength;
        if (total > this.#limits.maxMessageBytes) {
          return this.#fail(
            {
              code: 'SIP_MESSAGE_TOO_LARGE',
              statusCode: 413,
              reasonPhrase: 'Request Entity Too Large',
              headerBytes,
            },
            messages,
            keepAlivePings,
          );
        }
        if (this.#length >= total) {
          // The chunk held this whole message and the start of the next: give the surplus back.
          offset -= this.#length - total;
          messages.push(this.#buffer.slice(0, total));
          this.#reset();
          continue;
        }
        this.#messageLength = total;
        this.#phase = 'body';
        this.#reserve(total);
        continue;
      }
      const take = Math.min(chunk.length - offset, this.#messageLength - this.#length);
      this.#append(chunk.subarray(offset, offset + take), this.#messageLength);
      offset += take;
      if (this.#length === this.#messageLength) {
        messages.push(this.#buffer.slice(0, this.#length));
        this.#reset();
      }
    }
    return { messages, keepAlivePings };
  }

  /** Looks at the bytes from `from` on for the empty line ending the header section; linear overall. */
  #scanForEmptyLine(from: number): { headerEnd: number; bodyStart: number } | undefined {
    for (let i = from; i < this.#length; i++) {
      if (this.#buffer[i] !== LF) continue;
      const lineLength = i - this.#lineStart;
      const isEmpty = lineLength === 0 || (lineLength === 1 && this.#buffer[this.#lineStart] === CR);
      if (isEmpty && this.#lineStart > 0) return { headerEnd: this.#lineStart, bodyStart: i + 1 };
      this.#lineStart = i + 1;
    }
    return undefined;
  }

  #fail(error: FramerError, messages: Uint8Array[], keepAlivePings: number): FramerOutput {
    this.#error = error;
    this.#buffer = new Uint8Array(0);
    this.#length = 0;
    return { messages, keepAlivePings, error };
  }

  #reset(): void {
    this.#phase = 'between';
    this.#length = 0;
    this.#messageLength = 0;
    this.#lineBreaks = 0;
    this.#lineStart = 0;
    if (this.#buffer.length > Math.min(1024, this.#limits.maxHeaderBytes) * 4) {
      this.#buffer = new Uint8Array(Math.min(1024, this.#limits.maxHeaderBytes));
    }
  }

  #reserve(size: number): void {
    if (this.#buffer.length >= size) return;
    const grown = new Uint8Array(size);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  #append(bytes: Uint8Array, ceiling: number): void {
    const needed = this.#length + bytes.length;
    if (needed > this.#buffer.length)
      this.#reserve(Math.min(ceiling, Math.max(needed, this.#buffer.length * 2)));
    this.#buffer.set(bytes, this.#length);
    this.#length = needed;
  }
}

function readStreamContentLength(headerSection: Uint8Array): number | Omit<FramerError, 'headerBytes'> {
  // Only Content-Length matters here; names and values are ASCII, so Latin-1 decoding cannot fail.
  const { headers } = splitHeaderSection(latin1.decode(headerSection));
  const values = headers.filter((header) => headerKey(header.name) === 'content-length').map((h) => h.value);
  if (values.length === 0) {
    return {
      code: 'SIP_MISSING_CONTENT_LENGTH',
      statusCode: 400,
      reasonPhrase: 'Bad Request - Missing Content-Length',
    };
  }
  if (values.length > 1) {
    return {
      code: 'SIP_DUPLICATE_HEADER',
      statusCode: 400,
      reasonPhrase: 'Bad Request - Multiple Content-Length headers',
    };
  }
  const value = values[0] ?? '';
  if (!isDigits(value)) {
    return {
      code: 'SIP_INVALID_CONTENT_LENGTH',
      statusCode: 400,
      reasonPhrase: 'Bad Request - Invalid Content-Length',
    };
  }
  const significant = value.replace(/^0+(?=\d)/, '');
  return significant.length > 15 ? Number.MAX_SAFE_INTEGER : Number(significant);
}
