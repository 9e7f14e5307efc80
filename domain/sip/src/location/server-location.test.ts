import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@centralita/kernel';
import type { Random } from '@centralita/kernel';
import { dnsQueryKey, locateServer, orderSrvRecords } from './server-location.ts';
import type {
  DnsAnswer,
  DnsQuery,
  LocationPolicy,
  NaptrRecord,
  ServerTarget,
  ServerToLocate,
  SrvRecord,
} from './server-location.ts';

/** A zone written by hand: owner name -> records; a name or type not listed has no records. */
interface Zone {
  readonly naptr?: Record<string, readonly NaptrRecord[]>;
  readonly srv?: Record<string, readonly SrvRecord[]>;
  readonly a?: Record<string, readonly string[]>;
  readonly aaaa?: Record<string, readonly string[]>;
}

function answer(zone: Zone, query: DnsQuery): DnsAnswer {
  switch (query.type) {
    case 'NAPTR':
      return { type: 'NAPTR', records: zone.naptr?.[query.name] ?? [] };
    case 'SRV':
      return { type: 'SRV', records: zone.srv?.[query.name] ?? [] };
    case 'A':
      return { type: 'A', addresses: zone.a?.[query.name] ?? [] };
    case 'AAAA':
      return { type: 'AAAA', addresses: zone.aaaa?.[query.name] ?? [] };
  }
}

/** Runs the step machine to the end against `zone`, recording every query it asked, round by round. */
function locate(
  server: ServerToLocate,
  zone: Zone,
  options: { random?: Random; policy?: LocationPolicy } = {},
): { targets: readonly ServerTarget[]; rounds: string[][] } {
  const answers = new Map<string, DnsAnswer>();
  const rounds: string[][] = [];
  const random = options.random ?? new SeededRandom(1);
  for (let round = 0; round < 10; round += 1) {
    const step = locateServer(server, answers, random, options.policy);
    if (step.kind === 'located') return { targets: step.targets, rounds };
    rounds.push(step.queries.map(dnsQueryKey));
    for (const query of step.queries) answers.set(dnsQueryKey(query), answer(zone, query));
  }
  throw new Error('server location did not finish');
}

const naptr = (
  order: number,
  preference: number,
  service: string,
  replacement: string,
  flags = 's',
): NaptrRecord => ({
  order,
  preference,
  flags,
  service,
  regexp: '',
  replacement,
});
const srv = (priority: number, weight: number, port: number, name: string): SrvRecord => ({
  priority,
  weight,
  port,
  name,
});
const udp = (address: string, port = 5060): ServerTarget => ({ transport: 'udp', address, port });
const tcp = (address: string, port = 5060): ServerTarget => ({ transport: 'tcp', address, port });
const tls = (address: string, port = 5061): ServerTarget => ({ transport: 'tls', address, port });

/** A carrier publishing all three transports, TLS preferred, each with two proxies. */
const carrier: Zone = {
  naptr: {
    'carrier.example': [
      naptr(50, 50, 'SIP+D2U', '_sip._udp.carrier.example'),
      naptr(10, 20, 'SIP+D2T', '_sip._tcp.carrier.example'),
      naptr(10, 10, 'SIPS+D2T', '_sips._tcp.carrier.example.'),
      naptr(5, 10, 'E2U+sip', '!^.*$!sip:info@carrier.example!', 'u'),
      naptr(5, 20, 'SIP+D2S', '_sip._sctp.carrier.example'),
    ],
  },
  srv: {
    '_sips._tcp.carrier.example': [srv(10, 0, 5061, 'proxy1.carrier.example.')],
    '_sip._tcp.carrier.example': [srv(10, 0, 5060, 'proxy1.carrier.example')],
    '_sip._udp.carrier.example': [srv(10, 0, 5080, 'proxy2.carrier.example')],
  },
  a: {
    'proxy1.carrier.example': ['192.0.2.1'],
    'proxy2.carrier.example': ['192.0.2.2'],
    'carrier.example': ['192.0.2.100'],
  },
  aaaa: { 'proxy1.carrier.example': ['2001:db8::1'] },
};

describe('RFC 3263 server location', () => {
  describe('a numeric host (§4.1, §4.2)', () => {
    it('is used as it is, without a single query, with the default port of the transport', () => {
      expect(locate({ host: '192.0.2.10' }, {})).toEqual({ targets: [udp('192.0.2.10')], rounds: [] });
      expect(locate({ host: '192.0.2.10', transport: 'tls' }, {}).targets).toEqual([tls('192.0.2.10')]);
      expect(locate({ host: '192.0.2.10', transport: 'tcp', port: 5070 }, {}).targets).toEqual([
        tcp('192.0.2.10', 5070),
      ]);
    });

    it('takes an IPv6 reference with or without brackets, and TLS for a SIPS URI', () => {
      expect(locate({ host: '[2001:db8::10]', port: 5070 }, {}).targets).toEqual([udp('2001:db8::10', 5070)]);
      expect(locate({ host: '2001:db8::10', isSecure: true }, {}).targets).toEqual([tls('2001:db8::10')]);
    });

    it('gives no target when the transport asked for is not one we may use', () => {
      expect(locate({ host: '192.0.2.10', transport: 'tls' }, {}, { policy: only('udp') }).targets).toEqual(
        [],
      );
      expect(
        locate({ host: '192.0.2.10', isSecure: true }, {}, { policy: only('udp', 'tcp') }).targets,
      ).toEqual([]);
    });
  });

  describe('a name with a port (§4.2)', () => {
    it('asks neither NAPTR nor SRV: A and AAAA of the host, on that port, UDP by default', () => {
      const { targets, rounds } = locate({ host: 'proxy1.carrier.example', port: 5070 }, carrier);
      expect(rounds).toEqual([['A proxy1.carrier.example', 'AAAA proxy1.carrier.example']]);
      expect(targets).toEqual([udp('192.0.2.1', 5070), udp('2001:db8::1', 5070)]);
    });

    it('keeps the transport given, and uses TLS for a SIPS URI', () => {
      expect(locate({ host: 'carrier.example', port: 5090, transport: 'tcp' }, carrier).targets).toEqual([
        tcp('192.0.2.100', 5090),
      ]);
      expect(locate({ host: 'carrier.example', port: 5091, isSecure: true }, carrier).targets).toEqual([
        tls('192.0.2.100', 5091),
      ]);
    });

    it('gives no target for a name without addresses', () => {
      expect(locate({ host: 'nowhere.example', port: 5060 }, carrier).targets).toEqual([]);
    });
  });

  describe('a name with a transport and no port (§4.2)', () => {
    it('skips NAPTR and follows the SRV of that transport', () => {
      const { targets, rounds } = locate({ host: 'carrier.example', transport: 'tcp' }, carrier);
      expect(rounds).toEqual([
        ['SRV _sip._tcp.carrier.example'],
        ['A proxy1.carrier.example', 'AAAA proxy1.carrier.example'],
      ]);
      expect(targets).toEqual([tcp('192.0.2.1'), tcp('2001:db8::1')]);
    });

    it('asks _sips._tcp for TLS', () => {
      const { rounds, targets } = locate({ host: 'carrier.example', transport: 'tls' }, carrier);
      expect(rounds[0]).toEqual(['SRV _sips._tcp.carrier.example']);
      expect(targets).toEqual([tls('192.0.2.1'), tls('2001:db8::1')]);
    });

    it('without SRV, uses A/AAAA of the host with the default port of the transport', () => {
      const zone: Zone = { a: { 'pbx.example': ['198.51.100.7'] } };
      expect(locate({ host: 'pbx.example', transport: 'tls' }, zone)).toEqual({
        targets: [tls('198.51.100.7', 5061)],
        rounds: [['SRV _sips._tcp.pbx.example'], ['A pbx.example', 'AAAA pbx.example']],
      });
      expect(locate({ host: 'pbx.example', transport: 'udp' }, zone).targets).toEqual([udp('198.51.100.7')]);
    });
  });

  describe('a name alone: NAPTR, then SRV, then A/AAAA (§4.1, §4.2)', () => {
    it('follows the NAPTR records by order then preference, skipping services we do not speak', () => {
      const { targets, rounds } = locate({ host: 'carrier.example' }, carrier);
      expect(rounds).toEqual([
        ['NAPTR carrier.example'],
        ['SRV _sips._tcp.carrier.example', 'SRV _sip._tcp.carrier.example', 'SRV _sip._udp.carrier.example'],
        [
          'A proxy1.carrier.example',
          'AAAA proxy1.carrier.example',
          'A proxy2.carrier.example',
          'AAAA proxy2.carrier.example',
        ],
      ]);
      // E2U+sip (ENUM) and SIP+D2S (SCTP) come first by order but are not SIP transports we use.
      expect(targets).toEqual([
        tls('192.0.2.1'),
        tls('2001:db8::1'),
        tcp('192.0.2.1'),
        tcp('2001:db8::1'),
        udp('192.0.2.2', 5080),
      ]);
    });

    it('skips NAPTR services the target does not allow', () => {
      const { targets, rounds } = locate({ host: 'carrier.example' }, carrier, { policy: only('udp') });
      expect(rounds[1]).toEqual(['SRV _sip._udp.carrier.example']);
      expect(targets).toEqual([udp('192.0.2.2', 5080)]);
    });

    it('keeps only SIPS+D2T for a SIPS URI', () => {
      expect(locate({ host: 'carrier.example', isSecure: true }, carrier).targets).toEqual([
        tls('192.0.2.1'),
        tls('2001:db8::1'),
      ]);
    });

    it('ignores NAPTR records that are not terminal "S" records or have no replacement', () => {
      const zone: Zone = {
        naptr: {
          'odd.example': [
            naptr(10, 10, 'SIP+D2U', '_sip._udp.wrong.example', 'a'),
            naptr(10, 20, 'SIP+D2T', '.'),
            naptr(20, 10, 'SIP+D2U', '_sip._udp.odd.example', 'S'),
          ],
        },
        srv: { '_sip._udp.odd.example': [srv(1, 1, 5060, 'sbc.odd.example')] },
        a: { 'sbc.odd.example': ['203.0.113.5'] },
      };
      const { targets, rounds } = locate({ host: 'odd.example' }, zone);
      expect(rounds[1]).toEqual(['SRV _sip._udp.odd.example']);
      expect(targets).toEqual([udp('203.0.113.5')]);
    });

    it('asks each SRV name once when several NAPTR records point at it', () => {
      const zone: Zone = {
        naptr: {
          'shared.example': [
            naptr(10, 10, 'SIP+D2T', '_sip._tcp.shared.example'),
            naptr(10, 20, 'SIP+D2T', '_sip._tcp.shared.example.'),
          ],
        },
        srv: { '_sip._tcp.shared.example': [srv(1, 1, 5060, 'sbc.shared.example')] },
        a: { 'sbc.shared.example': ['203.0.113.10'] },
      };
      const { targets, rounds } = locate({ host: 'shared.example' }, zone);
      expect(rounds[1]).toEqual(['SRV _sip._tcp.shared.example']);
      expect(targets).toEqual([tcp('203.0.113.10')]);
    });

    it('with NAPTR but no SRV behind it, uses A/AAAA with the NAPTR transport and its default port', () => {
      const zone: Zone = {
        naptr: { 'thin.example': [naptr(10, 10, 'SIP+D2T', '_sip._tcp.thin.example')] },
        a: { 'thin.example': ['203.0.113.9'] },
      };
      expect(locate({ host: 'thin.example' }, zone).targets).toEqual([tcp('203.0.113.9')]);
    });

    it('without NAPTR, asks SRV for each transport we use, in our order', () => {
      const zone: Zone = {
        srv: {
          '_sip._udp.plain.example': [srv(10, 0, 5060, 'udp.plain.example')],
          '_sip._tcp.plain.example': [srv(10, 0, 5062, 'tcp.plain.example')],
        },
        a: { 'udp.plain.example': ['203.0.113.1'], 'tcp.plain.example': ['203.0.113.2'] },
      };
      const { targets, rounds } = locate({ host: 'plain.example' }, zone);
      expect(rounds.slice(0, 2)).toEqual([
        ['NAPTR plain.example'],
        ['SRV _sips._tcp.plain.example', 'SRV _sip._tcp.plain.example', 'SRV _sip._udp.plain.example'],
      ]);
      expect(targets).toEqual([tcp('203.0.113.2', 5062), udp('203.0.113.1')]);
      expect(locate({ host: 'plain.example' }, zone, { policy: only('udp', 'tcp') }).targets).toEqual([
        udp('203.0.113.1'),
        tcp('203.0.113.2', 5062),
      ]);
    });

    it('with a NAPTR record we cannot use, falls back to SRV as if there were none', () => {
      const zone: Zone = {
        naptr: { 'sctp.example': [naptr(10, 10, 'SIP+D2S', '_sip._sctp.sctp.example')] },
        srv: { '_sip._udp.sctp.example': [srv(10, 0, 5060, 'sctp.example')] },
        a: { 'sctp.example': ['203.0.113.3'] },
      };
      expect(locate({ host: 'sctp.example' }, zone).targets).toEqual([udp('203.0.113.3')]);
    });

    it('without NAPTR or SRV, uses A/AAAA: UDP on 5060 for SIP, TLS on 5061 for SIPS', () => {
      const zone: Zone = {
        a: { 'bare.example': ['203.0.113.4'] },
        aaaa: { 'bare.example': ['2001:db8::4'] },
      };
      const { targets, rounds } = locate({ host: 'bare.example' }, zone);
      expect(rounds[2]).toEqual(['A bare.example', 'AAAA bare.example']);
      expect(targets).toEqual([udp('203.0.113.4'), udp('2001:db8::4')]);
      expect(locate({ host: 'bare.example', isSecure: true }, zone).targets).toEqual([
        tls('203.0.113.4'),
        tls('2001:db8::4'),
      ]);
      expect(locate({ host: 'bare.example' }, zone, { policy: only('tcp') }).targets).toEqual([
        tcp('203.0.113.4'),
        tcp('2001:db8::4'),
      ]);
    });

    it('gives no target when SRV says the service is not available (target ".")', () => {
      const zone: Zone = {
        srv: { '_sip._udp.closed.example': [srv(0, 0, 0, '.')] },
        a: { 'closed.example': ['203.0.113.6'] },
      };
      expect(locate({ host: 'closed.example', transport: 'udp' }, zone).targets).toEqual([]);
    });

    it('compares names without case or final dot', () => {
      const zone: Zone = {
        naptr: { 'case.example': [naptr(1, 1, 'sip+d2u', '_SIP._UDP.Case.Example.')] },
        srv: { '_sip._udp.case.example': [srv(1, 1, 5060, 'SBC.Case.Example.')] },
        a: { 'sbc.case.example': ['203.0.113.8'] },
      };
      expect(locate({ host: 'Case.Example.' }, zone).targets).toEqual([udp('203.0.113.8')]);
    });
  });

  describe('SRV selection (RFC 2782)', () => {
    const records = [
      srv(20, 0, 5060, 'backup.example'),
      srv(10, 60, 5060, 'heavy.example'),
      srv(10, 30, 5060, 'medium.example'),
      srv(10, 10, 5060, 'light.example'),
      srv(10, 0, 5060, 'zero.example'),
    ];

    it('puts every lower priority first and returns every record', () => {
      for (let seed = 1; seed <= 200; seed += 1) {
        const order = orderSrvRecords(records, new SeededRandom(seed));
        expect(order).toHaveLength(records.length);
        expect(order.at(-1)?.name).toBe('backup.example');
      }
    });

    it('always returns a permutation with priorities never decreasing (property)', () => {
      const record = fc.record({
        priority: fc.integer({ min: 0, max: 3 }),
        weight: fc.integer({ min: 0, max: 100 }),
        port: fc.integer({ min: 1, max: 65_535 }),
        name: fc.constantFrom('a.example', 'b.example', 'c.example'),
      });
      fc.assert(
        fc.property(fc.array(record, { maxLength: 12 }), fc.integer(), (list, seed) => {
          const order = orderSrvRecords(list, new SeededRandom(seed));
          expect([...order].sort(compareRecords)).toEqual([...list].sort(compareRecords));
          for (let index = 1; index < order.length; index += 1)
            expect(order[index]?.priority ?? 0).toBeGreaterThanOrEqual(order[index - 1]?.priority ?? 0);
        }),
      );
    });

    it('orders within a priority by weighted draws, the same for the same seed', () => {
      const names = (seed: number) => orderSrvRecords(records, new SeededRandom(seed)).map((r) => r.name);
      expect(names(7)).toEqual(names(7));
      const firsts = new Map<string, number>();
      const runs = 4000;
      for (let seed = 1; seed <= runs; seed += 1) {
        const first = names(seed)[0] ?? '';
        firsts.set(first, (firsts.get(first) ?? 0) + 1);
      }
      // Chosen first with probability weight / (total + 1): 60/101, 30/101, 10/101 (+ 1/101 for the zero).
      expect((firsts.get('heavy.example') ?? 0) / runs).toBeCloseTo(60 / 101, 1);
      expect((firsts.get('medium.example') ?? 0) / runs).toBeCloseTo(30 / 101, 1);
      expect((firsts.get('light.example') ?? 0) / runs).toBeCloseTo(10 / 101, 1);
      expect((firsts.get('zero.example') ?? 0) / runs).toBeLessThan(0.03);
    });

    it('draws from the random source only when the targets are known, so a seed replays a run', () => {
      const zone: Zone = {
        srv: { '_sip._udp.weighted.example': records },
        a: Object.fromEntries(
          records.map((record, index) => [record.name, [`198.51.100.${String(index + 1)}`]]),
        ),
      };
      let draws = 0;
      const counting: Random = {
        next: () => {
          draws += 1;
          return 0.5;
        },
      };
      const answers = new Map<string, DnsAnswer>();
      for (;;) {
        const before = draws;
        const step = locateServer({ host: 'weighted.example', transport: 'udp' }, answers, counting);
        if (step.kind === 'located') {
          expect(step.targets).toHaveLength(5);
          expect(step.targets.at(-1)).toEqual(udp('198.51.100.1'));
          break;
        }
        expect(draws).toBe(before);
        for (const query of step.queries) answers.set(dnsQueryKey(query), answer(zone, query));
      }
      const once = locate({ host: 'weighted.example', transport: 'udp' }, zone, {
        random: new SeededRandom(42),
      });
      const again = locate({ host: 'weighted.example', transport: 'udp' }, zone, {
        random: new SeededRandom(42),
      });
      expect(again.targets).toEqual(once.targets);
    });

    it('looks up at most maxSrvTargets target names, lowest priority first', () => {
      const many = Array.from({ length: 40 }, (_, index) =>
        srv(index, 0, 5060, `sbc${String(index)}.example`),
      );
      const zone: Zone = {
        srv: { '_sip._udp.many.example': many },
        a: Object.fromEntries(many.map((record, index) => [record.name, [`10.0.0.${String(index + 1)}`]])),
      };
      const { targets, rounds } = locate({ host: 'many.example', transport: 'udp' }, zone, {
        policy: { transports: ['udp'], maxSrvTargets: 3 },
      });
      expect(rounds[1]).toHaveLength(6);
      expect(targets).toEqual([udp('10.0.0.1'), udp('10.0.0.2'), udp('10.0.0.3')]);
    });
  });
});

function only(...transports: LocationPolicy['transports']): LocationPolicy {
  return { transports, maxSrvTargets: 16 };
}

function compareRecords(a: SrvRecord, b: SrvRecord): number {
  return a.priority - b.priority || a.weight - b.weight || a.port - b.port || a.name.localeCompare(b.name);
}
