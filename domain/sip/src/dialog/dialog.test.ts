import { describe, expect, it } from 'vitest';
import { parseMessage } from '../message/parse-message.ts';
import { headerValue, headerValues } from '../message/sip-message.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.ts';
import { serializeUri } from '../message/uri.ts';
import type { Dialog } from './dialog.ts';
import {
  ackFor2xx,
  dialogAsUac,
  dialogAsUas,
  inDialogRequest,
  nextHopUri,
  receiveInDialog,
  receivedRequestDialogKey,
  dialogKey,
} from './dialog.ts';

function parse(text: string): SipMessage {
  const result = parseMessage(new TextEncoder().encode(text.replaceAll('\n', '\r\n')));
  if (!result.ok) throw new Error(result.error.code);
  return result.value;
}

const inviteThroughProxies = parse(`INVITE sip:+34910000000@pbx.example.com SIP/2.0
Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bK-p2
Via: SIP/2.0/UDP carrier.example.net;branch=z9hG4bK-c1
Max-Forwards: 68
Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>
From: "Ana Pérez" <sip:+34600111222@carrier.example.net>;tag=abc123
To: <sip:+34910000000@pbx.example.com>
Call-ID: call-1@carrier.example.net
CSeq: 7 INVITE
Contact: <sip:+34600111222@198.51.100.7:5060>
Content-Length: 0

`) as SipRequest;

function uasDialog(): Dialog {
  const result = dialogAsUas(inviteThroughProxies, 'our-tag', '<sip:centralita@192.0.2.1:5060>', 100);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('a dialog created by answering an INVITE (UAS, RFC 3261 §12.1.1)', () => {
  it('keeps the Record-Route order as its route set and the caller as the remote target', () => {
    const dialog = uasDialog();
    expect(dialog.routeSet).toEqual(['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr>']);
    expect(serializeUri(dialog.remoteTarget)).toBe('sip:+34600111222@198.51.100.7:5060');
    expect(dialog.remoteTag).toBe('abc123');
    expect(dialog.localParty).toBe('<sip:+34910000000@pbx.example.com>;tag=our-tag');
    expect(dialog.remoteCSeq).toBe(7);
  });

  it('sends BYE to the remote target through the route set, with From and To swapped', () => {
    const { request, dialog } = inDialogRequest(uasDialog(), 'BYE');
    expect(request.method).toBe('BYE');
    expect(serializeUri(request.requestUri)).toBe('sip:+34600111222@198.51.100.7:5060');
    expect(headerValues(request.headers, 'route')).toEqual([
      '<sip:p2.example.com;lr>',
      '<sip:p1.example.com;lr>',
    ]);
    expect(headerValue(request.headers, 'from')).toBe('<sip:+34910000000@pbx.example.com>;tag=our-tag');
    expect(headerValue(request.headers, 'to')).toBe(
      '"Ana Pérez" <sip:+34600111222@carrier.example.net>;tag=abc123',
    );
    expect(headerValue(request.headers, 'cseq')).toBe('101 BYE');
    expect(headerValue(request.headers, 'contact')).toBeUndefined();
    expect(dialog.localCSeq).toBe(101);
    expect(serializeUri(nextHopUri(dialog))).toBe('sip:p2.example.com;lr');
  });

  it('puts our Contact in a re-INVITE and counts CSeq up for each request', () => {
    const first = inDialogRequest(uasDialog(), 'INFO');
    const second = inDialogRequest(first.dialog, 'INVITE', {
      body: new TextEncoder().encode('v=0\r\n'),
      contentType: 'application/sdp',
    });
    expect(headerValue(second.request.headers, 'cseq')).toBe('102 INVITE');
    expect(headerValue(second.request.headers, 'contact')).toBe('<sip:centralita@192.0.2.1:5060>');
    expect(headerValue(second.request.headers, 'content-type')).toBe('application/sdp');
  });

  it('refuses a request whose CSeq is not above the last one and follows a target refresh', () => {
    const dialog = uasDialog();
    const stale = parse(`BYE sip:centralita@192.0.2.1:5060 SIP/2.0
Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK-b1
From: <sip:+34600111222@carrier.example.net>;tag=abc123
To: <sip:+34910000000@pbx.example.com>;tag=our-tag
Call-ID: call-1@carrier.example.net
CSeq: 7 BYE
Content-Length: 0

`) as SipRequest;
    expect(receiveInDialog(dialog, stale)).toEqual({ ok: false, error: 'cseq-out-of-order' });
    const reinvite = parse(`INVITE sip:centralita@192.0.2.1:5060 SIP/2.0
Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK-r1
From: <sip:+34600111222@carrier.example.net>;tag=abc123
To: <sip:+34910000000@pbx.example.com>;tag=our-tag
Call-ID: call-1@carrier.example.net
CSeq: 8 INVITE
Contact: <sip:+34600111222@198.51.100.99:5062>
Content-Length: 0

`) as SipRequest;
    const moved = receiveInDialog(dialog, reinvite);
    if (!moved.ok) throw new Error(moved.error);
    expect(moved.value.remoteCSeq).toBe(8);
    expect(serializeUri(moved.value.remoteTarget)).toBe('sip:+34600111222@198.51.100.99:5062');
    expect(receivedRequestDialogKey(reinvite)).toBe(
      dialogKey('call-1@carrier.example.net', 'our-tag', 'abc123'),
    );
  });

  it('cannot be made from an INVITE without a Contact', () => {
    const noContact = parse(`INVITE sip:1001@pbx.example.com SIP/2.0
Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK-x
From: <sip:a@example.net>;tag=t1
To: <sip:1001@pbx.example.com>
Call-ID: x1
CSeq: 1 INVITE
Content-Length: 0

`) as SipRequest;
    expect(dialogAsUas(noContact, 'l', '<sip:c@192.0.2.1>', 1)).toEqual({
      ok: false,
      error: 'missing-contact',
    });
  });
});

describe('a dialog created by a 2xx to our INVITE (UAC, RFC 3261 §12.1.2)', () => {
  const ourInvite = parse(`INVITE sip:1001@192.0.2.50:5062 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-ours
From: "Ana Pérez" <sip:+34600111222@demo.pbx.example.com>;tag=leg-b
To: <sip:1001@demo.pbx.example.com>
Call-ID: b-leg-1
CSeq: 1 INVITE
Contact: <sip:centralita@192.0.2.1:5060>
Content-Length: 0

`) as SipRequest;
  const answer = parse(`SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-ours
Record-Route: <sip:edge2.example.com;lr>
Record-Route: <sip:edge1.example.com;lr>
From: "Ana Pérez" <sip:+34600111222@demo.pbx.example.com>;tag=leg-b
To: <sip:1001@demo.pbx.example.com>;tag=phone-tag
Call-ID: b-leg-1
CSeq: 1 INVITE
Contact: <sip:1001@192.0.2.50:5062;transport=udp>
Content-Length: 0

`) as SipResponse;

  function uacDialog(): Dialog {
    const result = dialogAsUac(ourInvite, answer, '<sip:centralita@192.0.2.1:5060>');
    if (!result.ok) throw new Error(result.error);
    return result.value;
  }

  it('reverses the Record-Route order and targets the answering phone', () => {
    const dialog = uacDialog();
    expect(dialog.routeSet).toEqual(['<sip:edge1.example.com;lr>', '<sip:edge2.example.com;lr>']);
    expect(serializeUri(dialog.remoteTarget)).toBe('sip:1001@192.0.2.50:5062;transport=udp');
    expect(dialog.localCSeq).toBe(1);
    expect(dialog.remoteCSeq).toBeUndefined();
  });

  it('acknowledges the 2xx with the INVITE CSeq number, and sends the next request with CSeq 2', () => {
    const dialog = uacDialog();
    const ack = ackFor2xx(dialog, 1);
    expect(headerValue(ack.headers, 'cseq')).toBe('1 ACK');
    expect(headerValue(ack.headers, 'to')).toBe('<sip:1001@demo.pbx.example.com>;tag=phone-tag');
    expect(headerValues(ack.headers, 'route')).toEqual([
      '<sip:edge1.example.com;lr>',
      '<sip:edge2.example.com;lr>',
    ]);
    expect(headerValue(inDialogRequest(dialog, 'BYE').request.headers, 'cseq')).toBe('2 BYE');
  });

  it('routes through a strict router by putting it in the Request-URI and the target last (§12.2.1.1)', () => {
    const strict: Dialog = {
      ...uacDialog(),
      routeSet: ['<sip:old-proxy.example.com>', '<sip:next.example.com;lr>'],
    };
    const { request } = inDialogRequest(strict, 'BYE');
    expect(serializeUri(request.requestUri)).toBe('sip:old-proxy.example.com');
    expect(headerValues(request.headers, 'route')).toEqual([
      '<sip:next.example.com;lr>',
      '<sip:1001@192.0.2.50:5062;transport=udp>',
    ]);
  });

  it('targets the Request-URI when a 2xx lacks a Contact (lenient with phones that omit it)', () => {
    const noContact = { ...answer, headers: answer.headers.filter((h) => h.name !== 'Contact') };
    const result = dialogAsUac(ourInvite, noContact, '<sip:c@192.0.2.1>');
    if (!result.ok) throw new Error(result.error);
    expect(serializeUri(result.value.remoteTarget)).toBe('sip:1001@192.0.2.50:5062');
  });

  it('cannot be made from a response without a To tag', () => {
    const untagged = {
      ...answer,
      headers: answer.headers.map((h) =>
        h.name === 'To' ? { ...h, value: '<sip:1001@demo.pbx.example.com>' } : h,
      ),
    };
    expect(dialogAsUac(ourInvite, untagged, '<sip:c@192.0.2.1>')).toEqual({
      ok: false,
      error: 'missing-to-tag',
    });
  });
});
