import { findParameter } from './parameters.ts';
import { headerKey } from './header-names.ts';
import { parseNameAddress, serializeNameAddress } from './name-address.ts';
import type { PartialRequest } from './sip-parse-error.ts';
import type { SipHeader, SipResponse } from './sip-message.ts';

/** Options of `createResponse`. */
export interface ResponseOptions {
  /** The tag to add to To when it has none; required by RFC 3261 §8.2.6.2 for every status but 100. */
  readonly toTag?: string;
  /** Headers to add (Allow, Unsupported, Accept, Contact, Content-Type...). */
  readonly extraHeaders?: readonly SipHeader[];
  readonly body?: Uint8Array;
}

const copiedKeys = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

/**
 * Builds a response to a request as RFC 3261 §8.2.6.2 says: Via (all, in order), From, Call-ID, CSeq
 * and To copied as they were, and a To tag added when the request had none (except for 100 Trying).
 * Works on a `PartialRequest` too, so a malformed request can still get its 400.
 */
export function createResponse(
  request: PartialRequest,
  statusCode: number,
  reasonPhrase: string,
  options: ResponseOptions = {},
): SipResponse {
  const headers: SipHeader[] = [];
  for (const header of request.headers) {
    const key = headerKey(header.name);
    if (!copiedKeys.has(key)) continue;
    if (key === 'to' && statusCode !== 100 && options.toTag !== undefined) {
      const to = parseNameAddress(header.value);
      if (to !== undefined && findParameter(to.params, 'tag') === undefined) {
        headers.push({
          name: 'To',
          value: serializeNameAddress({
            ...to,
            params: [...to.params, { name: 'tag', value: options.toTag }],
          }),
        });
        continue;
      }
    }
    headers.push(header);
  }
  headers.push(...(options.extraHeaders ?? []));
  return { kind: 'response', statusCode, reasonPhrase, headers, body: options.body ?? new Uint8Array(0) };
}
