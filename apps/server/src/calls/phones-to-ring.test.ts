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
): RegisteredContact {
  return {
    contactUri,
    transport,
    sourceAddress: '192.0.2.10',
    sourcePort,
    registeredAt: new Date(registeredAtS * 1000),
    instanceId: flow?.instanceId ?? null,
    regId: flow?.regId ?? null,
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
