import { isTokenChar, scanQuotedString, scanToken, skipWhiteSpace } from './lexical-rules.ts';

/**
 * One `;name[=value]` parameter of a header (RFC 3261 §25.1 `generic-param`). The value is kept as
 * written, quotes included, so that an unknown parameter passes through unchanged; `parameterValue`
 * gives it unquoted.
 */
export interface Parameter {
  readonly name: string;
  readonly value?: string;
}

/** Parameters parsed by `parseParameters` and the index just after the last one. */
export interface ParsedParameters {
  readonly params: readonly Parameter[];
  readonly end: number;
}

function isValueChar(char: string): boolean {
  // gen-value = token / host / quoted-string: host adds ":" and the brackets of IPv6 references.
  return isTokenChar(char) || char === ':' || char === '[' || char === ']';
}

/**
 * Parses `*( SEMI generic-param )` from `index`, allowing LWS around ";" and "=" (RFC 3261 §25.1 SEMI,
 * EQUAL; RFC 4475 §3.1.1.1). Stops at the first character that does not start a parameter, and returns
 * undefined for an empty name or value (RFC 4475 §3.1.2.1: `;;` is malformed) or an open quote.
 */
export function parseParameters(text: string, index: number): ParsedParameters | undefined {
  const params: Parameter[] = [];
  let i = skipWhiteSpace(text, index);
  while (text[i] === ';') {
    i = skipWhiteSpace(text, i + 1);
    const nameEnd = scanToken(text, i);
    if (nameEnd === i) return undefined;
    const name = text.slice(i, nameEnd);
    i = skipWhiteSpace(text, nameEnd);
    if (text[i] !== '=') {
      params.push({ name });
      continue;
    }
    i = skipWhiteSpace(text, i + 1);
    if (text[i] === '"') {
      const quoted = scanQuotedString(text, i);
      if (quoted === undefined) return undefined;
      params.push({ name, value: text.slice(i, quoted.end) });
      i = skipWhiteSpace(text, quoted.end);
      continue;
    }
    let valueEnd = i;
    while (valueEnd < text.length && isValueChar(text.charAt(valueEnd))) valueEnd++;
    if (valueEnd === i) return undefined;
    params.push({ name, value: text.slice(i, valueEnd) });
    i = skipWhiteSpace(text, valueEnd);
  }
  return { params, end: i };
}

/** Writes parameters as `;name=value` with no white space, the canonical form. */
export function serializeParameters(params: readonly Parameter[]): string {
  let text = '';
  for (const param of params)
    text += param.value === undefined ? `;${param.name}` : `;${param.name}=${param.value}`;
  return text;
}

/** The first parameter with this name; parameter names compare case-insensitively (RFC 3261 §7.3.1). */
export function findParameter(params: readonly Parameter[], name: string): Parameter | undefined {
  const wanted = name.toLowerCase();
  return params.find((param) => param.name.toLowerCase() === wanted);
}

/** The value of a parameter with quotes and quoted-pairs removed; undefined when absent or value-less. */
export function parameterValue(params: readonly Parameter[], name: string): string | undefined {
  const value = findParameter(params, name)?.value;
  if (value?.startsWith('"') !== true) return value;
  return scanQuotedString(value, 0)?.content;
}

/** True when the parameter is present, with or without a value. */
export function hasParameter(params: readonly Parameter[], name: string): boolean {
  return findParameter(params, name) !== undefined;
}
