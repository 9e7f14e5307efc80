import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@centralita/kernel';
import { ntpFromUnixMs, unixMsFromNtp } from './ntp-time.ts';
import { RtpReceptionStatistics, roundTripTimeMs } from './rtp-reception-statistics.ts';

const START_MS = 1_700_000_000_000;

describe('RtpReceptionStatistics', () => {
  it('reports no loss and near-zero jitter for a perfectly paced stream', () => {
    const stats = new RtpReceptionStatistics(8000, 0);
    for (let i = 0; i < 500; i++) stats.onPacket(i, i * 160, START_MS + i * 20);
    const block = stats.reportBlock(0xabc, START_MS + 10_000);
    expect(block).toMatchObject({
      fractionLost: 0,
      cumulativeLost: 0,
      extendedHighestSequence: 499,
      jitter: 0,
    });
    expect(stats.snapshot().lossPercent).toBe(0);
  });

  it('computes cumulative loss and the per-interval fraction (RFC 3550 A.3)', () => {
    const stats = new RtpReceptionStatistics(8000, 0);
    // First interval: 100 packets, every 10th lost -> 10 % -> fraction 25/256.
    for (let i = 0; i < 100; i++) if (i % 10 !== 5) stats.onPacket(i, i * 160, START_MS + i * 20);
    const first = stats.reportBlock(1, START_MS + 2000);
    expect(first.cumulativeLost).toBe(10);
    expect(first.fractionLost).toBe(Math.floor((10 * 256) / 100));
    // Second interval: no loss; the fraction is per interval, the cumulative count stays.
    for (let i = 100; i < 200; i++) stats.onPacket(i, i * 160, START_MS + i * 20);
    const second = stats.reportBlock(1, START_MS + 4000);
    expect(second.fractionLost).toBe(0);
    expect(second.cumulativeLost).toBe(10);
    expect(stats.snapshot().lossPercent).toBeCloseTo(5, 5);
  });

  it('estimates interarrival jitter close to the mean absolute transit difference (A.8)', () => {
    const random = new SeededRandom(8);
    const stats = new RtpReceptionStatistics(8000, 0);
    // Network delay uniform in [0, 20) ms: consecutive differences average 20/3 ms.
    for (let i = 0; i < 3000; i++) stats.onPacket(i, i * 160, START_MS + i * 20 + random.next() * 20);
    expect(stats.snapshot().jitterMs).toBeGreaterThan(5);
    expect(stats.snapshot().jitterMs).toBeLessThan(8.5);
  });

  it('is not fooled by the 32-bit timestamp wrapping', () => {
    const stats = new RtpReceptionStatistics(8000, 0);
    const first = 2 ** 32 - 160 * 50;
    for (let i = 0; i < 100; i++) stats.onPacket(i, (first + i * 160) % 2 ** 32, START_MS + i * 20);
    expect(stats.snapshot().jitterMs).toBeLessThan(0.01);
  });

  it('fills LSR and DLSR so the sender can compute the round trip', () => {
    const stats = new RtpReceptionStatistics(8000, 0);
    stats.onPacket(1, 0, START_MS);
    const srSentMs = START_MS + 1000;
    const ntp = ntpFromUnixMs(srSentMs);
    expect(unixMsFromNtp(ntp)).toBeCloseTo(srSentMs, 3);
    // The SR takes 30 ms to reach us; we answer 200 ms later; the RR takes 30 ms back.
    stats.onSenderReport(ntp, srSentMs + 30);
    const block = stats.reportBlock(5, srSentMs + 230);
    expect(block.delaySinceLastSenderReport).toBe(Math.round(0.2 * 65_536));
    const rtt = roundTripTimeMs(block, srSentMs + 260);
    expect(rtt).toBeDefined();
    expect(rtt!).toBeCloseTo(60, 0);
    expect(roundTripTimeMs({ ...block, lastSenderReport: 0 }, srSentMs)).toBeUndefined();
  });

  it('ignores packets from an unvalidated source until probation ends', () => {
    const stats = new RtpReceptionStatistics(8000);
    expect(stats.onPacket(10, 0, START_MS)).toBe('probation');
    expect(stats.onPacket(11, 160, START_MS + 20)).toBe('in-order');
    expect(stats.snapshot().packetsReceived).toBe(1);
  });
});
