import { isToken, isWhiteSpace, trimWhiteSpace } from './lexical-rules.ts';
import type { SipHeader } from './sip-message.ts';

/** Where the header section of a message ends: the empty line, and where the body starts after it. */
export interface HeaderSectionBounds {
  /** Index of the first byte after the start line (leading CRLFs skipped). */
  readonly start: number;
  /** Index just past the last header line's line break (the empty line not included). */
  readonly headerEnd: number;
  /** Index of the first body byte. */
  readonly bodyStart: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** Index of the first byte that is not CR or LF (RFC 3261 §7.5: line breaks before a start line are ignored). */
export function skipLeadingLineBreaks(bytes: Uint8Array, from = 0): number {
  let i = from;
  while (i < bytes.length && (bytes[i] === CR || bytes[i] === LF)) i++;
  return i;
}

/**
 * Finds the empty line that ends the header section, starting the search at `from` (a message start).
 * Lines end with CRLF; a bare LF is accepted too, as many stacks do. Returns undefined if there is none yet.
 */
export function findHeaderSectionEnd(
  bytes: Uint8Array,
  from: number,
  searchFrom = from,
): HeaderSectionBounds | undefined {
  let lineStart = Math.max(from, searchFrom);
  // Back up to the start of the line containing searchFrom so a terminator split across chunks is found.
  while (lineStart > from && bytes[lineStart - 1] !== LF) lineStart--;
  for (;;) {
    const lf = bytes.indexOf(LF, lineStart);
    if (lf < 0) return undefined;
    const isEmptyLine = lf === lineStart || (lf === lineStart + 1 && bytes[lineStart] === CR);
    if (isEmptyLine && lineStart > from) return { start: from, headerEnd: lineStart, bodyStart: lf + 1 };
    lineStart = lf + 1;
  }
}

/** The lines of a header section, split and unfolded. */
export interface SplitHeaderSection {
  readonly startLine: string;
  readonly headers: readonly SipHeader[];
  /** The first line that is not a header (no colon, a non-token name, a stray CR), if any. */
  readonly malformedLine?: string;
}

/**
 * Splits decoded header-section text into the start line and header fields. A line starting with SP or
 * HTAB continues the previous header: the fold becomes one SP (RFC 3261 §7.3.1). White space between the
 * name and the colon is allowed (HCOLON). Malformed lines are reported and left out.
 */
export function splitHeaderSection(text: string): SplitHeaderSection {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const unterminated = lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const startLine = unterminated[0] ?? '';
  const names: string[] = [];
  const values: string[] = [];
  let malformedLine: string | undefined;
  let isFoldAllowed = false;
  for (let index = 1; index < unterminated.length; index++) {
    const line = unterminated[index] ?? '';
    if (line.includes('\r')) {
      malformedLine ??= line;
      isFoldAllowed = false;
      continue;
    }
    if (isWhiteSpace(line[0])) {
      const last = values.length - 1;
      if (!isFoldAllowed || last < 0) {
        malformedLine ??= line;
        continue;
      }
      values[last] = `${trimWhiteSpace(values[last] ?? '')} ${trimWhiteSpace(line)}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : trimWhiteSpace(line.slice(0, colon));
    if (!isToken(name)) {
      malformedLine ??= line;
      isFoldAllowed = false;
      continue;
    }
    names.push(name);
    values.push(line.slice(colon + 1));
    isFoldAllowed = true;
  }
  const headers = names.map((name, i) => ({ name, value: trimWhiteSpace(values[i] ?? '') }));
  return malformedLine === undefined ? { startLine, headers } : { startLine, headers, malformedLine };
}
