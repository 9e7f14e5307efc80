import { headerKey } from '../message/header-names.ts';
import { parseVia, serializeVia } from '../message/via.ts';
import type { SipHeader, SipRequest, SipResponse } from '../message/sip-message.ts';
import { headerValue, headerValues } from '../message/sip-message.ts';

/**
 * The ACK an INVITE client transaction sends for a 300-699 response (RFC 3261 §17.1.1.3): same
 * Request-URI, Call-ID, From and CSeq number as the INVITE, To from the response (with its tag), only the
 * INVITE's top Via, and the INVITE's Route headers.
 */
export function buildAckForFailure(invite: SipRequest, response: SipResponse): SipRequest {
  const topVia = parseVia(headerValues(invite.headers, 'via')[0] ?? '')?.[0];
  const cseqNumber = (headerValue(invite.headers, 'cseq') ?? '').trim().split(/\s+/)[0] ?? '0';
  const headers: SipHeader[] = [];
  if (topVia !== undefined) headers.push({ name: 'Via', value: serializeVia(topVia) });
  for (const header of invite.headers) {
    const key = headerKey(header.name);
    if (key === 'from' || key === 'call-id' || key === 'route' || key === 'max-forwards')
      headers.push(header);
  }
  headers.push({
    name: 'To',
    value: headerValue(response.headers, 'to') ?? headerValue(invite.headers, 'to') ?? '',
  });
  headers.push({ name: 'CSeq', value: `${cseqNumber} ACK` });
  return { kind: 'request', method: 'ACK', requestUri: invite.requestUri, headers, body: new Uint8Array(0) };
}
