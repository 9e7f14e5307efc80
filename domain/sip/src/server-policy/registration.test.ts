import { describe, expect, it } from 'vitest';
import { parseMessage } from '../message/parse-message.ts';
import type { SipRequest } from '../message/sip-message.ts';
import type { RegistrationRequest } from './registration.ts';
import { planBindingChanges, readDeltaSeconds, readRegistration } from './registration.ts';

const account = { username: '1001', realm: 'demo.pbx.test' };
const limits = { defaultExpiresS: 3600, minExpiresS: 60, maxExpiresS: 7200 };

function register(headers: readonly string[]): SipRequest {
  const text = [
    'REGISTER sip:demo.pbx.test SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds',
    'Max-Forwards: 70',
    'From: <sip:1001@demo.pbx.test>;tag=456248',
    'Call-ID: 843817637684230@998sdasdh09',
    'CSeq: 1826 REGISTER',
    ...headers,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(new TextEncoder().encode(text));
  if (!parsed.ok || parsed.value.kind !== 'request') throw new Error('test REGISTER did not parse');
  return parsed.value;
}

const toSelf = 'To: <sip:1001@demo.pbx.test>';

describe('readRegistration (RFC 3261 §10.3 steps 5 and 6)', () => {
  it('reads the contacts with their lifetimes: own, the request’s Expires, the default, capped at the maximum', () => {
    const read = readRegistration(
      register([
        toSelf,
        'Expires: 600',
        'Contact: <sip:1001@192.0.2.10:5060>;expires=90, <sip:1001@192.0.2.11:5060>',
        'Contact: <sip:1001@192.0.2.12:5060>;expires=999999',
        'User-Agent: Desk 1.0',
      ]),
      account,
      limits,
    );
    expect(read).toEqual({
      ok: true,
      value: {
        callId: '843817637684230@998sdasdh09',
        cseq: 1826,
        userAgent: 'Desk 1.0',
        change: {
          kind: 'contacts',
          contacts: [
            { uri: 'sip:1001@192.0.2.10:5060', expiresS: 90 },
            { uri: 'sip:1001@192.0.2.11:5060', expiresS: 600 },
            { uri: 'sip:1001@192.0.2.12:5060', expiresS: 7200 },
          ],
        },
      },
    });
  });

  it('refuses another domain (404), another user (403), a short lifetime (423 with Min-Expires) and a bad Contact', () => {
    const refusal = (headers: readonly string[]) => {
      const read = readRegistration(register(headers), account, limits);
      return read.ok ? undefined : read.error;
    };
    expect(refusal(['To: <sip:1001@other.test>', 'Contact: <sip:a@b>'])?.statusCode).toBe(404);
    expect(refusal(['To: <sip:1002@demo.pbx.test>', 'Contact: <sip:a@b>'])?.statusCode).toBe(403);
    expect(refusal([toSelf, 'Contact: <sip:a@b>;expires=30'])).toEqual({
      statusCode: 423,
      reasonPhrase: 'Interval Too Brief',
      extraHeaders: [{ name: 'Min-Expires', value: '60' }],
    });
    // The message parser leaves Contact values alone: the registrar is the one to refuse a broken one.
    const base = register([toSelf]);
    const broken = readRegistration(
      { ...base, headers: [...base.headers, { name: 'Contact', value: '<sip:a@b' }] },
      account,
      limits,
    );
    expect(!broken.ok && broken.error.reasonPhrase).toBe('Bad Request - Malformed Contact');
    expect(refusal([toSelf, 'Contact: *'])?.reasonPhrase).toBe(
      'Bad Request - Contact * Needs Expires 0 Alone',
    );
  });

  it('takes Contact * with Expires 0 as removing every binding, and an expires of 0 as removing one', () => {
    const star = readRegistration(register([toSelf, 'Contact: *', 'Expires: 0']), account, limits);
    expect(star.ok && star.value.change).toEqual({ kind: 'star' });
    const one = readRegistration(register([toSelf, 'Contact: <sip:a@b>;expires=0']), account, limits);
    expect(one.ok && one.value.change).toEqual({
      kind: 'contacts',
      contacts: [{ uri: 'sip:a@b', expiresS: 0 }],
    });
  });

  it('reads delta-seconds leniently, capped at 2³²−1 (RFC 4475 §3.1.2.4)', () => {
    expect(readDeltaSeconds(' 10 ')).toBe(10);
    expect(readDeltaSeconds('99999999999999')).toBe(4_294_967_295);
    expect(readDeltaSeconds('1e3')).toBeUndefined();
  });
});

describe('planBindingChanges (RFC 3261 §10.3 step 7)', () => {
  const request = (cseq: number, contacts: { uri: string; expiresS: number }[]): RegistrationRequest => ({
    callId: 'c1',
    cseq,
    userAgent: '',
    change: { kind: 'contacts', contacts },
  });
  const existing = [{ contactUri: 'sip:a@b', callId: 'c1', cseq: 5 }];

  it('saves and removes contacts of a newer request, and refuses an older one (same Call-ID, CSeq not higher)', () => {
    expect(
      planBindingChanges(
        request(6, [
          { uri: 'sip:a@b', expiresS: 0 },
          { uri: 'sip:c@d', expiresS: 600 },
        ]),
        existing,
        5,
      ),
    ).toEqual({
      ok: true,
      value: { kind: 'update', remove: ['sip:a@b'], save: [{ uri: 'sip:c@d', expiresS: 600 }] },
    });
    expect(planBindingChanges(request(5, [{ uri: 'sip:a@b', expiresS: 600 }]), existing, 5)).toMatchObject({
      ok: false,
      error: { statusCode: 400, reasonPhrase: 'Bad Request - CSeq Out Of Order' },
    });
  });

  it('refuses more contacts than a user may hold, counting those kept, refreshed and added', () => {
    const two = [
      { contactUri: 'sip:a@b', callId: 'x', cseq: 1 },
      { contactUri: 'sip:e@f', callId: 'y', cseq: 1 },
    ];
    expect(planBindingChanges(request(1, [{ uri: 'sip:a@b', expiresS: 60 }]), two, 2).ok).toBe(true);
    expect(planBindingChanges(request(1, [{ uri: 'sip:g@h', expiresS: 60 }]), two, 2)).toMatchObject({
      ok: false,
      error: { statusCode: 403 },
    });
  });
});
