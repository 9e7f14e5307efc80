import { describe, expect, it } from 'vitest';
import type { SipRequest } from '../message/sip-message.ts';
import { parseContact } from '../message/name-address.ts';
import { parseUri } from '../message/uri.ts';
import type { ContactTransport } from './local-contact.ts';
import { localContact, requiresSipsContact } from './local-contact.ts';

function invite(requestUri: string, headers: Record<string, string> = {}): SipRequest {
  const uri = parseUri(requestUri);
  if (uri === undefined) throw new Error(`not a URI: ${requestUri}`);
  return {
    kind: 'request',
    method: 'INVITE',
    requestUri: uri,
    headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
    body: new Uint8Array(0),
  };
}

describe('localContact: our Contact follows the transport of the message (RFC 3261 §8.1.1.8, §12.1.1)', () => {
  const cases: [ContactTransport, boolean, string | undefined, string][] = [
    ['udp', false, '192.0.2.10:5060', '<sip:centralita@192.0.2.10:5060>'],
    ['tcp', false, '192.0.2.10:5060', '<sip:centralita@192.0.2.10:5060;transport=tcp>'],
    ['tls', false, '192.0.2.10:5061', '<sip:centralita@192.0.2.10:5061;transport=tls>'],
    ['tls', true, '192.0.2.10:5061', '<sips:centralita@192.0.2.10:5061>'],
    ['tcp', false, '[2001:db8::1]:5060', '<sip:centralita@[2001:db8::1]:5060;transport=tcp>'],
    // RFC 7118 §5.2 defines only `ws`: a WSS Contact is SIPS or not by the dialog, as TLS without it.
    ['ws', false, '192.0.2.10:8080', '<sip:centralita@192.0.2.10:8080;transport=ws>'],
    ['wss', true, '192.0.2.10:8443', '<sips:centralita@192.0.2.10:8443;transport=ws>'],
    ['wss', false, undefined, '<sip:centralita@centralita.invalid;transport=ws>'],
    // A SIPS dialog over TCP is a misrouted one; the Contact stays SIPS as §8.1.1.8 requires.
    ['tcp', true, '192.0.2.10:5060', '<sips:centralita@192.0.2.10:5060;transport=tcp>'],
  ];

  it.each(cases)('%s (SIPS dialog: %s) at %s is %s', (transport, isSips, hostPort, expected) => {
    const contact = localContact({ user: 'centralita', transport, hostPort, isSips });
    expect(contact).toBe(expected);
    // Every one parses back as a Contact with one address.
    expect(parseContact(contact)).toMatchObject({ kind: 'addresses', addresses: [{}] });
  });
});

describe('requiresSipsContact', () => {
  it('as the UAC: the Request-URI or the top Route is SIPS (RFC 3261 §8.1.1.8)', () => {
    expect(requiresSipsContact(invite('sips:1001@pbx.test'), 'uac')).toBe(true);
    expect(requiresSipsContact(invite('sip:1001@pbx.test;transport=tls'), 'uac')).toBe(false);
    expect(
      requiresSipsContact(
        invite('sip:1001@pbx.test', { Route: '<sips:edge.pbx.test;lr>, <sip:b;lr>' }),
        'uac',
      ),
    ).toBe(true);
    expect(
      requiresSipsContact(
        invite('sip:1001@pbx.test', { Route: '<sip:edge.pbx.test;lr>, <sips:b;lr>' }),
        'uac',
      ),
    ).toBe(false);
    // Contact and Record-Route do not count for a request we send.
    expect(requiresSipsContact(invite('sip:1001@pbx.test', { Contact: '<sips:a@b>' }), 'uac')).toBe(false);
  });

  it('as the UAS: the Request-URI, else the top Record-Route, else the Contact is SIPS (RFC 3261 §12.1.1)', () => {
    expect(requiresSipsContact(invite('sips:34910000000@pbx.test'), 'uas')).toBe(true);
    expect(
      requiresSipsContact(
        invite('sip:34910000000@pbx.test', {
          'Record-Route': '<sips:sbc.carrier.test;lr>',
          Contact: '<sip:caller@198.51.100.1>',
        }),
        'uas',
      ),
    ).toBe(true);
    // A Record-Route that is not SIPS decides, whatever the Contact.
    expect(
      requiresSipsContact(
        invite('sip:34910000000@pbx.test', {
          'Record-Route': '<sip:sbc.carrier.test;lr>',
          Contact: '<sips:caller@198.51.100.1>',
        }),
        'uas',
      ),
    ).toBe(false);
    expect(
      requiresSipsContact(invite('sip:34910000000@pbx.test', { Contact: '"Doe, J" <sips:caller@x>' }), 'uas'),
    ).toBe(true);
    expect(
      requiresSipsContact(
        invite('sip:34910000000@pbx.test', { Contact: '<sip:caller@x;transport=tls>' }),
        'uas',
      ),
    ).toBe(false);
    expect(requiresSipsContact(invite('sip:34910000000@pbx.test'), 'uas')).toBe(false);
  });
});
