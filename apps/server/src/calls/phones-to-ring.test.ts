import { describe, expect, it } from 'vitest';
import type { SendTarget } from '@centralita/sip-transport';
import type { RegisteredContact } from './phones-to-ring.ts';
import { phonesToRing } from './phones-to-ring.ts';

const deskPhone = '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>';
const mobile = '<urn:uuid:00000000-0000-1000-8000-00000000beef>';

function binding(
  contactUri: string,
  sourcePort: number,
  registeredAtS: number,
  flow?: { instanceId: string; regId: number },
  transport: RegisteredContact['transport'] = 'tcp',
  path: readonly string[] = [],
): RegisteredContact {
  return {
    contactUri,
    transport,
    sourceAddress: '192.0.2.10',
    sourcePort,
    registeredAt: new Date(registeredAtS * 1000),
    instanceId: flow?.instanceId ?? null,
    regId: flow?.regId ?? null,
    path,
  };
}

const everyFlowOpen = (): boolean => true;
const portsOf = (targets: readonly SendTarget[]) => targets.map((target) => target.port);

describe('phonesToRing: one branch per phone (RFC 5626 §5.3, §7)', () => {
  it('rings a phone with two flows once, on its newest flow, the other as failover', () => {
    const phones = phonesToRing(
      [
        binding('sip:1001@192.0.2.10;transport=tcp', 40001, 10, { instanceId: deskPhone, regId: 1 }),
        binding('sip:1001@192.0.2.10;transport=tcp', 40002, 20, { instanceId: deskPhone, regId: 2 }),
      ],
      everyFlowOpen,
    );
    expect(phones).toHaveLength(1);
    expect(phones[0]?.target).toEqual({
      protocol: 'tcp',
      address: '192.0.2.10',
      port: 40002,
      isFlowOnly: true,
    });
    expect(portsOf(phones[0]?.failoverTo ?? [])).toEqual([40001]);
    expect(phones[0]?.failoverTo.every((target) => target.isFlowOnly === true)).toBe(true);
  });

  it('skips a closed flow, and a phone none of whose flows is open', () => {
    const bindings = [
      binding('sip:1001@192.0.2.10', 40001, 10, { instanceId: deskPhone, regId: 1 }),
      binding('sip:1001@192.0.2.10', 40002, 20, { instanceId: deskPhone, regId: 2 }),
      binding('sip:1001@192.0.2.20', 40003, 30, { instanceId: mobile, regId: 1 }),
    ];
    const open = new Set([40001]);
    const phones = phonesToRing(bindings, (target) => open.has(target.port));
    expect(phones.map((phone) => [phone.target.port, portsOf(phone.failoverTo)])).toEqual([[40001, []]]);
    expect(phonesToRing(bindings, () => false)).toEqual([]);
  });

  it('forks phones without outbound as today (one branch per Contact), beside each outbound phone', () => {
    const phones = phonesToRing(
      [
        binding('sip:1001@192.0.2.30:5060', 5060, 5, undefined, 'udp'),
        binding('sip:1001@192.0.2.10', 40001, 10, { instanceId: deskPhone, regId: 1 }),
        binding('sip:1001@192.0.2.31:5060', 5062, 40, undefined, 'udp'),
        binding('sip:1001@192.0.2.20', 40003, 30, { instanceId: mobile, regId: 1 }),
        binding('sip:1001@192.0.2.10', 40002, 20, { instanceId: deskPhone, regId: 2 }),
      ],
      // Plain contacts are never asked about: they are dialled as registered.
      (target) => target.protocol === 'tcp',
    );
    expect(phones.map((phone) => [phone.target.port, portsOf(phone.failoverTo)])).toEqual([
      [5062, []],
      [40003, []],
      [40002, [40001]],
      [5060, []],
    ]);
    expect(phones[0]?.target.isFlowOnly).toBeUndefined();
  });

  it('leaves out contacts that do not parse and repeated plain contacts', () => {
    expect(
      phonesToRing(
        [
          binding('not a uri', 1, 1),
          binding('sip:1001@192.0.2.10', 2, 2),
          binding('sip:1001@192.0.2.10', 3, 3),
        ],
        everyFlowOpen,
      ).map((phone) => phone.target.port),
    ).toEqual([3]);
  });
});

describe('phonesToRing: phones behind another proxy (RFC 3327 §5.4)', () => {
  const edge = '<sip:edge@198.51.100.7:5070;transport=tcp;lr;ob>';
  const otherEdge = '<sip:198.51.100.8;lr;ob>';

  it('sends to the first Path proxy, with the Path as the Route', () => {
    const [phone] = phonesToRing(
      [binding('sip:1001@10.0.0.7:5060', 40001, 10, undefined, 'udp', [edge, '<sip:inner.example.net;lr>'])],
      everyFlowOpen,
    );
    expect(phone?.target).toEqual({ protocol: 'tcp', address: '198.51.100.7', port: 5070 });
    expect(phone?.route).toEqual([edge, '<sip:inner.example.net;lr>']);
    expect(phone?.requestUri).toMatchObject({ kind: 'sip', user: '1001' });
  });

  it('sends to where the REGISTER came from when the first proxy is named, not addressed, and to the default port', () => {
    const named = phonesToRing(
      [binding('sip:1001@10.0.0.7', 40001, 10, undefined, 'udp', ['<sip:edge.example.net;lr>'])],
      everyFlowOpen,
    );
    expect(named[0]?.target).toEqual({ protocol: 'udp', address: '192.0.2.10', port: 40001 });
    const defaultPort = phonesToRing(
      [binding('sip:1001@10.0.0.7', 40001, 10, undefined, 'udp', [otherEdge])],
      everyFlowOpen,
    );
    expect(defaultPort[0]?.target).toEqual({ protocol: 'udp', address: '198.51.100.8', port: 5060 });
  });

  it('rings a flow kept by an edge proxy without looking for it among our connections', () => {
    const phones = phonesToRing(
      [
        binding('sip:1001@10.0.0.7;transport=tcp', 40001, 10, { instanceId: deskPhone, regId: 1 }, 'tcp', [
          edge,
        ]),
      ],
      () => false,
    );
    expect(phones).toHaveLength(1);
    expect(phones[0]?.target).toEqual({ protocol: 'tcp', address: '198.51.100.7', port: 5070 });
    expect(phones[0]?.target.isFlowOnly).toBeUndefined();
  });

  it('keeps one branch per phone; only flows through the same Path are its failover', () => {
    const phones = phonesToRing(
      [
        binding('sip:1001@10.0.0.7;transport=tcp', 40001, 30, { instanceId: deskPhone, regId: 1 }, 'tcp', [
          edge,
        ]),
        binding('sip:1001@10.0.0.7;transport=tcp', 40002, 20, { instanceId: deskPhone, regId: 2 }, 'tcp', [
          otherEdge,
        ]),
        binding('sip:1001@10.0.0.7;transport=tcp', 40003, 10, { instanceId: deskPhone, regId: 3 }, 'udp', [
          edge,
        ]),
      ],
      everyFlowOpen,
    );
    expect(phones).toHaveLength(1);
    expect(phones[0]?.route).toEqual([edge]);
    // The third flow has the same Path, so the same first proxy: nothing new to fail over to.
    expect(phones[0]?.failoverTo).toEqual([]);
  });
});
