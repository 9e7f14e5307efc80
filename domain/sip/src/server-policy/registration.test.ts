import { describe, expect, it } from 'vitest';
import { parseMessage } from '../message/parse-message.ts';
import type { SipRequest } from '../message/sip-message.ts';
import type { RegistrationRequest, RequestedContact, StoredBinding } from './registration.ts';
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
        path: [],
        isPathSupported: false,
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
  const request = (cseq: number, contacts: RequestedContact[]): RegistrationRequest => ({
    callId: 'c1',
    cseq,
    userAgent: '',
    path: [],
    isPathSupported: false,
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
      value: {
        kind: 'update',
        remove: [{ kind: 'contact', contactUri: 'sip:a@b' }],
        save: [{ uri: 'sip:c@d', expiresS: 600 }],
      },
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

describe('flows of phones that use outbound (RFC 5626 §6)', () => {
  const instance = '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>';
  const outboundContact = (regId: number, uri = 'sip:1001@192.0.2.10:5060;transport=tcp') =>
    `Contact: <${uri}>;+sip.instance="${instance}";reg-id=${String(regId)}`;

  it('reads instance and reg-id when the REGISTER supports outbound', () => {
    const read = readRegistration(
      register([toSelf, 'Supported: path, outbound', outboundContact(2)]),
      account,
      limits,
    );
    expect(read.ok && read.value.change.kind === 'contacts' && read.value.change.contacts).toEqual([
      {
        uri: 'sip:1001@192.0.2.10:5060;transport=tcp',
        expiresS: 3600,
        flow: { instanceId: instance, regId: 2 },
      },
    ]);
  });

  it('ignores reg-id without Supported: outbound, or without +sip.instance', () => {
    for (const headers of [
      [toSelf, outboundContact(1)],
      [toSelf, 'Supported: outbound', 'Contact: <sip:1001@192.0.2.10>;reg-id=1'],
    ]) {
      const read = readRegistration(register(headers), account, limits);
      expect(read.ok && read.value.change.kind === 'contacts' && read.value.change.contacts[0]?.flow).toBe(
        undefined,
      );
    }
  });

  it('refuses a malformed reg-id or instance, and more than one flow in one REGISTER (400)', () => {
    for (const [contact, reason] of [
      [
        `Contact: <sip:1001@192.0.2.10>;+sip.instance="${instance}";reg-id=0`,
        'Bad Request - Malformed reg-id',
      ],
      [
        `Contact: <sip:1001@192.0.2.10>;+sip.instance="${instance}";reg-id=x1`,
        'Bad Request - Malformed reg-id',
      ],
      ['Contact: <sip:1001@192.0.2.10>;+sip.instance=abc;reg-id=1', 'Bad Request - Malformed +sip.instance'],
      [
        `${outboundContact(1)}, <sip:1001@192.0.2.11>;+sip.instance="${instance}";reg-id=2`,
        'Bad Request - More Than One reg-id',
      ],
    ] as const) {
      expect(
        readRegistration(register([toSelf, 'Supported: outbound', contact]), account, limits),
      ).toMatchObject({ ok: false, error: { statusCode: 400, reasonPhrase: reason } });
    }
  });

  const flowRequest = (cseq: number, contacts: RequestedContact[]): RegistrationRequest => ({
    callId: 'c2',
    cseq,
    userAgent: '',
    path: [],
    isPathSupported: false,
    change: { kind: 'contacts', contacts },
  });
  const flowOne: StoredBinding = {
    contactUri: 'sip:old@b',
    callId: 'c1',
    cseq: 9,
    instanceId: instance,
    regId: 1,
  };

  it('replaces the binding of the same instance and reg-id even under another Contact URI', () => {
    const planned = planBindingChanges(
      flowRequest(1, [{ uri: 'sip:new@b', expiresS: 600, flow: { instanceId: instance, regId: 1 } }]),
      [flowOne],
      1,
    );
    // One binding afterwards (the limit of 1 holds): the flow's row is rewritten in place.
    expect(planned).toEqual({
      ok: true,
      value: {
        kind: 'update',
        remove: [],
        save: [{ uri: 'sip:new@b', expiresS: 600, flow: { instanceId: instance, regId: 1 } }],
      },
    });
  });

  it('keeps another reg-id of the same instance as another flow, and removes a flow with Expires 0', () => {
    const second = { uri: 'sip:old@b', expiresS: 600, flow: { instanceId: instance, regId: 2 } };
    expect(planBindingChanges(flowRequest(1, [second]), [flowOne], 1)).toMatchObject({
      ok: false,
      error: { statusCode: 403 },
    });
    expect(planBindingChanges(flowRequest(1, [second]), [flowOne], 2)).toMatchObject({ ok: true });
    expect(
      planBindingChanges(
        flowRequest(2, [{ uri: 'sip:whatever@b', expiresS: 0, flow: { instanceId: instance, regId: 1 } }]),
        [flowOne],
        2,
      ),
    ).toEqual({
      ok: true,
      value: {
        kind: 'update',
        remove: [{ kind: 'flow', flow: { instanceId: instance, regId: 1 } }],
        save: [],
      },
    });
  });

  it('replaces the plain binding of the same Contact URI when the phone starts using outbound', () => {
    const plain: StoredBinding = {
      contactUri: 'sip:a@b',
      callId: 'c0',
      cseq: 3,
      instanceId: null,
      regId: null,
    };
    expect(
      planBindingChanges(
        flowRequest(1, [{ uri: 'sip:a@b', expiresS: 600, flow: { instanceId: instance, regId: 1 } }]),
        [plain],
        1,
      ),
    ).toMatchObject({ ok: true, value: { remove: [{ kind: 'contact', contactUri: 'sip:a@b' }] } });
  });

  it('refuses an older request for the same flow (same Call-ID, CSeq not higher)', () => {
    expect(
      planBindingChanges(
        {
          ...flowRequest(9, [{ uri: 'sip:x@b', expiresS: 600, flow: { instanceId: instance, regId: 1 } }]),
          callId: 'c1',
        },
        [flowOne],
        2,
      ),
    ).toMatchObject({ ok: false, error: { statusCode: 400 } });
  });
});

describe('phones behind another proxy (RFC 3327 Path, RFC 5626 §6 first hop)', () => {
  const instance = '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>';
  const flowContact = `Contact: <sip:1001@10.0.0.7:5060;transport=tcp>;+sip.instance="${instance}";reg-id=1`;
  const proxyVia = 'Via: SIP/2.0/TCP 10.0.0.7:5060;branch=z9hG4bKphone1';

  it('keeps the Path values in order, topmost first, with their parameters, and whether the phone supports path', () => {
    const read = readRegistration(
      register([
        toSelf,
        proxyVia,
        'Supported: path',
        'Path: <sip:edge2.example.net;lr>',
        'Path: <sip:token1@edge1.example.net:5070;transport=tcp;lr;ob>, "Edge" <sip:edge0.example.net;lr>;x=1',
        'Contact: <sip:1001@10.0.0.7:5060>',
      ]),
      account,
      limits,
    );
    expect(read).toMatchObject({
      ok: true,
      value: {
        isPathSupported: true,
        path: [
          '<sip:edge2.example.net;lr>',
          '<sip:token1@edge1.example.net:5070;transport=tcp;lr;ob>',
          '<sip:edge0.example.net;lr>;x=1',
        ],
      },
    });
    const plain = readRegistration(register([toSelf, 'Contact: <sip:1001@10.0.0.7>']), account, limits);
    expect(plain).toMatchObject({ ok: true, value: { path: [], isPathSupported: false } });
  });

  it('refuses a malformed Path, a Path that is no SIP URI, and more than eight proxies (400)', () => {
    const eight = Array.from({ length: 9 }, (_, index) => `<sip:p${String(index)}.example.net;lr>`).join(
      ', ',
    );
    for (const [path, reason] of [
      ['Path: <sip:edge.example.net;lr', 'Bad Request - Malformed Path'],
      ['Path: <tel:+34910000000>', 'Bad Request - Malformed Path'],
      [`Path: ${eight}`, 'Bad Request - Path Too Long'],
    ] as const) {
      expect(
        readRegistration(register([toSelf, path, 'Contact: <sip:1001@10.0.0.7>']), account, limits),
      ).toMatchObject({ ok: false, error: { statusCode: 400, reasonPhrase: reason } });
    }
  });

  it('answers 439 to a flow registered through a proxy that does not keep flows: no Path, or a first Path without ob', () => {
    for (const path of [
      [],
      ['Path: <sip:edge.example.net;lr>'],
      ['Path: <sip:edge.example.net;lr>, <sip:inner;lr;ob>'],
    ])
      expect(
        readRegistration(
          register([toSelf, proxyVia, ...path, 'Supported: outbound, path', flowContact]),
          account,
          limits,
        ),
      ).toMatchObject({
        ok: false,
        error: { statusCode: 439, reasonPhrase: 'First Hop Lacks Outbound Support' },
      });
  });

  it('binds the flow when the first hop keeps it (Path with ob) or when the phone is the first hop (one Via)', () => {
    const throughEdge = readRegistration(
      register([
        toSelf,
        proxyVia,
        'Path: <sip:edge.example.net;lr;ob>',
        'Supported: outbound, path',
        flowContact,
      ]),
      account,
      limits,
    );
    const direct = readRegistration(register([toSelf, 'Supported: outbound', flowContact]), account, limits);
    for (const read of [throughEdge, direct])
      expect(read.ok && read.value.change.kind === 'contacts' && read.value.change.contacts[0]?.flow).toEqual(
        {
          instanceId: instance,
          regId: 1,
        },
      );
  });

  it('lets a flow be removed (expires 0) and a plain contact be bound through any proxy, without 439', () => {
    for (const headers of [
      [toSelf, proxyVia, 'Supported: outbound', `${flowContact};expires=0`],
      [toSelf, proxyVia, 'Contact: <sip:1001@10.0.0.7:5060>'],
      [toSelf, proxyVia, flowContact.replace('+sip.instance', 'x-instance'), 'Supported: outbound'],
    ])
      expect(readRegistration(register(headers), account, limits).ok).toBe(true);
  });
});
