import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '@centralita/kernel';
import { DnsLocator } from './dns-locator.ts';
import { TestDnsServer } from '@centralita/testkit';

/**
 * RFC 3263 location against a real DNS server on loopback: the carrier publishes NAPTR for TLS, TCP and
 * UDP, SRV records behind them (two priorities, weights), and the proxies' A and AAAA records.
 */
let dns: TestDnsServer;

beforeAll(async () => {
  dns = await TestDnsServer.start({
    naptr: {
      'carrier.test': [
        {
          order: 10,
          preference: 10,
          flags: 's',
          services: 'SIPS+D2T',
          regexp: '',
          replacement: '_sips._tcp.carrier.test',
        },
        {
          order: 20,
          preference: 10,
          flags: 's',
          services: 'SIP+D2T',
          regexp: '',
          replacement: '_sip._tcp.carrier.test',
        },
        {
          order: 20,
          preference: 20,
          flags: 's',
          services: 'SIP+D2U',
          regexp: '',
          replacement: '_sip._udp.carrier.test',
        },
        {
          order: 5,
          preference: 10,
          flags: 's',
          services: 'SIP+D2S',
          regexp: '',
          replacement: '_sip._sctp.carrier.test',
        },
      ],
    },
    srv: {
      '_sips._tcp.carrier.test': [{ priority: 10, weight: 0, port: 5061, target: 'edge-a.carrier.test' }],
      '_sip._tcp.carrier.test': [
        { priority: 20, weight: 0, port: 5080, target: 'backup.carrier.test' },
        { priority: 10, weight: 0, port: 5060, target: 'edge-a.carrier.test' },
      ],
      '_sip._udp.carrier.test': [
        { priority: 10, weight: 90, port: 5060, target: 'edge-a.carrier.test' },
        { priority: 10, weight: 10, port: 5060, target: 'edge-b.carrier.test' },
        { priority: 20, weight: 0, port: 5080, target: 'backup.carrier.test' },
      ],
    },
    a: {
      'edge-a.carrier.test': ['192.0.2.11'],
      'edge-b.carrier.test': ['192.0.2.12'],
      'backup.carrier.test': ['192.0.2.20'],
      'plain.test': ['198.51.100.5'],
    },
    aaaa: { 'edge-a.carrier.test': ['2001:db8::11'] },
  });
});

afterAll(async () => {
  await dns.close();
});

function locator(seed = 1): DnsLocator {
  return new DnsLocator({ servers: [dns.address], timeoutMs: 500, tries: 1, random: new SeededRandom(seed) });
}

describe('DnsLocator over a DNS server on loopback', () => {
  it('follows NAPTR, SRV and A/AAAA to the ordered targets, skipping SCTP and transports not allowed', async () => {
    dns.questions.length = 0;
    const targets = await locator().locate(
      { host: 'carrier.test' },
      { transports: ['tcp', 'udp'], maxSrvTargets: 16 },
    );
    expect(targets.slice(0, 3)).toEqual([
      { protocol: 'tcp', address: '192.0.2.11', port: 5060 },
      { protocol: 'tcp', address: '2001:db8::11', port: 5060 },
      { protocol: 'tcp', address: '192.0.2.20', port: 5080 },
    ]);
    // Then the UDP records: the two edges of priority 10 in a weighted order, the backup last.
    expect(
      targets
        .slice(3, 6)
        .map((target) => target.address)
        .sort(),
    ).toEqual(['192.0.2.11', '192.0.2.12', '2001:db8::11']);
    expect(targets.slice(3).every((target) => target.protocol === 'udp')).toBe(true);
    expect(targets.at(-1)).toEqual({ protocol: 'udp', address: '192.0.2.20', port: 5080 });
    expect(dns.questions).toContain('NAPTR carrier.test');
    expect(dns.questions).not.toContain('SRV _sips._tcp.carrier.test');
    expect(dns.questions).not.toContain('SRV _sip._sctp.carrier.test');
  });

  it('gives the same order for the same seed', async () => {
    const policy = { transports: ['udp'] as const, maxSrvTargets: 16 };
    const first = await locator(9).locate({ host: 'carrier.test', transport: 'udp' }, policy);
    const again = await locator(9).locate({ host: 'carrier.test', transport: 'udp' }, policy);
    expect(again).toEqual(first);
    expect(first).toHaveLength(4);
  });

  it('asks the SRV of a configured transport, and A/AAAA alone when a port is given', async () => {
    expect(await locator().locate({ host: 'carrier.test', transport: 'tls' })).toEqual([
      { protocol: 'tls', address: '192.0.2.11', port: 5061 },
      { protocol: 'tls', address: '2001:db8::11', port: 5061 },
    ]);
    dns.questions.length = 0;
    expect(await locator().locate({ host: 'edge-b.carrier.test', port: 5070, transport: 'udp' })).toEqual([
      { protocol: 'udp', address: '192.0.2.12', port: 5070 },
    ]);
    expect([...dns.questions].sort()).toEqual(['A edge-b.carrier.test', 'AAAA edge-b.carrier.test']);
  });

  it('falls back to A records on the default port for a name without NAPTR or SRV, and to nothing for an unknown name', async () => {
    expect(await locator().locate({ host: 'plain.test' })).toEqual([
      { protocol: 'udp', address: '198.51.100.5', port: 5060 },
    ]);
    expect(await locator().locate({ host: 'unknown.test', port: 5060 })).toEqual([]);
  });

  it('uses an IP address as it is, without asking DNS', async () => {
    dns.questions.length = 0;
    expect(await locator().locate({ host: '203.0.113.7', port: 5070, transport: 'tcp' })).toEqual([
      { protocol: 'tcp', address: '203.0.113.7', port: 5070 },
    ]);
    expect(dns.questions).toEqual([]);
  });
});
