/**
 * Character classes and small scanners from the RFC 3261 §25 grammar, shared by the header parsers.
 * Scanners take the text and a start index and return the index where their production ends, so the
 * callers can walk a header value once without building intermediate strings.
 */

const tokenMarks = new Set("-.!%*_+`'~");

/** True for a `token` character (RFC 3261 §25.1: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"). */
export function isTokenChar(char: string): boolean {
  return isAlphanumeric(char) || tokenMarks.has(char);
}

/** True for ALPHA / DIGIT. */
export function isAlphanumeric(char: string): boolean {
  const code = char.charCodeAt(0);
  return (
    char.length === 1 &&
    ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122))
  );
}

/** True when `text` is one non-empty `token`. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (const char of text) if (!isTokenChar(char)) return false;
  return true;
}

/** True for SP or HTAB, the only white space left in a header value once it is unfolded. */
export function isWhiteSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/** Removes leading and trailing SP/HTAB (not the Unicode spaces `String.prototype.trim` also removes). */
export function trimWhiteSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWhiteSpace(text[start])) start++;
  while (end > start && isWhiteSpace(text[end - 1])) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Index of the first character at or after `index` that is not SP/HTAB. */
export function skipWhiteSpace(text: string, index: number): number {
  let i = index;
  while (i < text.length && isWhiteSpace(text[i])) i++;
  return i;
}

/** Index just past the `token` starting at `index` (equal to `index` when there is none). */
export function scanToken(text: string, index: number): number {
  let i = index;
  while (i < text.length && isTokenChar(text.charAt(i))) i++;
  return i;
}

/** A quoted-string found by `scanQuotedString`: its end index and its content with quoted-pairs resolved. */
export interface ScannedQuotedString {
  readonly end: number;
  readonly content: string;
}

/**
 * Scans the quoted-string whose opening DQUOTE is at `index` (RFC 3261 §25.1: qdtext and quoted-pair).
 * Returns undefined when it is not terminated, which RFC 4475 §3.1.2.6 asks us to reject.
 */
export function scanQuotedString(text: string, index: number): ScannedQuotedString | undefined {
  if (text[index] !== '"') return undefined;
  let content = '';
  let i = index + 1;
  while (i < text.length) {
    const char = text.charAt(i);
    if (char === '"') return { end: i + 1, content };
    if (char === '\\') {
      const escaped = text[i + 1];
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): never CR or LF, never non-ASCII.
      if (escaped === undefined || escaped === '\r' || escaped === '\n' || escaped.charCodeAt(0) > 0x7f) {
        return undefined;
      }
      content += escaped;
      i += 2;
      continue;
    }
    const code = char.charCodeAt(0);
    // qdtext excludes the control characters other than HTAB (they may only appear as quoted-pairs).
    if ((code < 0x20 && char !== '\t') || code === 0x7f) return undefined;
    content += char;
    i++;
  }
  return undefined;
}

/**
 * Writes `content` as a quoted-string: `"` and `\` and control characters become quoted-pairs.
 * CR and LF cannot be quoted at all (RFC 3261 §25.1), so they become spaces rather than a header injection.
 */
export function quoteString(content: string): string {
  let quoted = '"';
  for (const char of content) {
    const code = char.charCodeAt(0);
    if (char === '\r' || char === '\n') quoted += ' ';
    else if (char === '"' || char === '\\' || (code < 0x20 && char !== '\t') || code === 0x7f)
      quoted += `\\${char}`;
    else quoted += char;
  }
  return `${quoted}"`;
}

/**
 * Splits a header value at the top-level occurrences of `separator` (outside quoted strings and `<...>`),
 * as RFC 3261 §7.3.1 allows for headers whose grammar is a comma-separated list. Returns undefined when a
 * quoted string or an angle bracket is left open. Elements are trimmed; empty elements are kept so that the
 * caller can reject them (RFC 4475 §3.1.2.1).
 */
export function splitTopLevel(text: string, separator: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  let isInAngles = false;
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      const quoted = scanQuotedString(text, i);
      if (quoted === undefined) return undefined;
      i = quoted.end;
      continue;
    }
    if (char === '<') isInAngles = true;
    else if (char === '>') isInAngles = false;
    else if (char === separator && !isInAngles) {
      parts.push(trimWhiteSpace(text.slice(start, i)));
      start = i + 1;
    }
    i++;
  }
  if (isInAngles) return undefined;
  parts.push(trimWhiteSpace(text.slice(start)));
  return parts;
}

/** True when every character of `text` is an ASCII digit and there is at least one. */
export function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/**
 * Reads a 1*DIGIT value and checks it against `max`. Leading zeros are allowed (RFC 4475 §3.1.1.1 sends
 * `Max-Forwards: 0068`); very long digit strings are out of range rather than rounded.
 */
export function parseBoundedInteger(text: string, max: number): number | undefined {
  if (!isDigits(text)) return undefined;
  const significant = text.replace(/^0+(?=\d)/, '');
  if (significant.length > 16) return undefined;
  const value = Number(significant);
  return value <= max ? value : undefined;
}
