import { headerValue, headerValues } from '../message/sip-message.ts';
import type { SipMessage } from '../message/sip-message.ts';
import { hostAddress } from '../message/host.ts';
import { serializeUri } from '../message/uri.ts';
import { isRfc3261Branch, parseVia, viaBranch } from '../message/via.ts';

/**
 * The key that matches messages to a transaction. For RFC 3261 peers it is the top Via branch, its
 * sent-by and the CSeq method, ACK and CANCEL folded onto INVITE as §17.2.3 says for server
 * transactions (CANCEL gets its own transaction, so it keeps its method). Without a magic-cookie branch
 * (RFC 2543 peers, RFC 4475 §3.2.1) the key falls back to Request-URI, tags, Call-ID, CSeq and top Via.
 */
export function transactionKey(message: SipMessage): string | undefined {
  const top = parseVia(headerValues(message.headers, 'via')[0] ?? '')?.[0];
  const cseq = (headerValue(message.headers, 'cseq') ?? '').trim().split(/\s+/);
  const cseqMethod = cseq[1];
  if (top === undefined || cseqMethod === undefined) return undefined;
  const method = cseqMethod === 'ACK' ? 'INVITE' : cseqMethod;
  const branch = viaBranch(top);
  const sentBy = `${hostAddress(top.host).toLowerCase()}:${top.port ?? ''}`;
  if (isRfc3261Branch(branch)) return `3261|${branch ?? ''}|${sentBy}|${method}`;
  const tag = (name: string) =>
    /;\s*tag\s*=\s*([^;,\s]+)/i.exec(headerValue(message.headers, name) ?? '')?.[1] ?? '';
  const requestUri = message.kind === 'request' ? serializeUri(message.requestUri) : '';
  return `2543|${requestUri}|${tag('from')}|${message.kind === 'request' && message.method === 'ACK' ? '' : tag('to')}|${
    headerValue(message.headers, 'call-id') ?? ''
  }|${cseq[0] ?? ''}|${method}|${sentBy}|${branch ?? ''}`;
}
