import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipListener } from './sip-endpoint.ts';
import { SipEndpoint } from './sip-endpoint.ts';
import { TestCore, testPolicy } from './test-core.ts';
import { freeUdpPort } from '@centralita/testkit';
import { runSipp } from './test-tools.ts';

/** The messages SIPp's final scenario screen counts in its "Lost" column (its `-lost` drops). */
function lostMessages(screen: string): number {
  const lines = screen.split('\n');
  const header = lines.findLastIndex((line) => line.includes('Retrans') && line.includes('Lost'));
  const column = lines[header]?.indexOf('Lost') ?? -1;
  if (column < 0) return 0;
  let total = 0;
  for (const line of lines.slice(header + 1)) {
    if (!line.includes('---------')) continue;
    const value = Number.parseInt(line.slice(column - 2, column + 6).trim(), 10);
    if (Number.isInteger(value)) total += value;
  }
  return total;
}

/**
 * SIPp (Debian's sip-tester) places calls with its built-in `uac` scenario (INVITE, 100/180 optional,
 * 200, ACK, BYE, 200) against the endpoint with the minimal test core, over loopback, bounded by
 * `-m` (calls), `-timeout` and `-timeout_error` (a run that hits the timeout fails).
 */
describe('SIPp calls through the endpoint', () => {
  const core = new TestCore();
  const endpoint = new SipEndpoint({ transactionUser: core, policy: testPolicy });
  let udp: SipListener;
  let tcp: SipListener;

  beforeAll(async () => {
    udp = await endpoint.listen({ protocol: 'udp', host: '127.0.0.1', port: 0 });
    tcp = await endpoint.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
  });
  afterAll(() => endpoint.close());

  async function sipp(port: number, extra: readonly string[]) {
    const mediaPort = await freeUdpPort();
    return runSipp(
      [
        '-sn',
        'uac',
        `127.0.0.1:${port}`,
        '-i',
        '127.0.0.1',
        '-mp',
        String(mediaPort),
        '-nostdin',
        '-timeout',
        '25s',
        '-timeout_error',
        ...extra,
      ],
      40_000,
    );
  }

  it('completes 20 calls over UDP at 20 calls per second', async () => {
    const before = core.count('INVITE', 200);
    const run = await sipp(udp.port, ['-m', '20', '-r', '20']);
    expect(run.exitCode, run.stdout.slice(-2000)).toBe(0);
    expect(core.count('INVITE', 200) - before).toBe(20);
    expect(core.count('BYE', 200)).toBeGreaterThanOrEqual(20);
    expect(endpoint.stats().discarded).toEqual({});
  });

  it('completes 20 calls over one TCP connection (-t t1) at 20 calls per second', async () => {
    const before = core.count('INVITE', 200);
    const run = await sipp(tcp.port, ['-t', 't1', '-m', '20', '-r', '20']);
    expect(run.exitCode, run.stdout.slice(-2000)).toBe(0);
    expect(core.count('INVITE', 200) - before).toBe(20);
  });

  it('completes calls over UDP with 10 % packet loss, thanks to retransmissions', async () => {
    const before = core.count('INVITE');
    // About 100 messages: the chance that SIPp loses none of them is below 1 in 50 000.
    const run = await sipp(udp.port, ['-m', '15', '-r', '15', '-lost', '10']);
    expect(run.exitCode, run.stdout.slice(-3000)).toBe(0);
    expect(lostMessages(run.stdout), run.stdout.slice(-3000)).toBeGreaterThan(0);
    expect(core.count('INVITE') - before).toBeGreaterThanOrEqual(15);
  });
});
