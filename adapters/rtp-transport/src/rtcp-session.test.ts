import { SeededRandom } from '@centralita/kernel';
import {
  RtpReceptionStatistics,
  compactNtpFromUnixMs,
  parseRtcpCompound,
  serializeRtcpCompound,
} from '@centralita/media';
import { describe, expect, it } from 'vitest';
import { RtcpSession } from './rtcp-session.ts';

const T0 = 1_700_000_000_000;

function reception(): { remoteSsrc: number; statistics: RtpReceptionStatistics } {
  const statistics = new RtpReceptionStatistics(8000, 0);
  for (let i = 0; i < 50; i++) if (i !== 10) statistics.onPacket(100 + i, i * 160, T0 + i * 20);
  return { remoteSsrc: 0xabc, statistics };
}

describe('RtcpSession', () => {
  it('schedules reports around the interval, randomised over [0.5 T, 1.5 T]', () => {
    const session = new RtcpSession({ cname: 'x', intervalMs: 5000, random: new SeededRandom(7) });
    expect(session.isReportDue(T0)).toBe(false); // schedules the first, after about T/2
    let at = T0;
    while (!session.isReportDue(at)) at += 10;
    expect(at - T0).toBeGreaterThanOrEqual(1250);
    expect(at - T0).toBeLessThanOrEqual(3760);
    const gaps: number[] = [];
    for (let i = 0; i < 20; i++) {
      session.buildReport(at, { ssrc: 1, packetsSent: 0, octetsSent: 0, rtpTimestamp: 0 }, undefined);
      const from = at;
      while (!session.isReportDue(at)) at += 10;
      gaps.push(at - from);
    }
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(2500);
      expect(gap).toBeLessThanOrEqual(7510);
    }
    expect(new Set(gaps).size).toBeGreaterThan(5);
  });

  it('sends an SR with our counts and a report block while we send, an RR otherwise, each with SDES', () => {
    const session = new RtcpSession({ cname: 'leg@host', random: new SeededRandom(1) });
    const figures = reception();
    const sr = parseRtcpCompound(
      session.buildReport(
        T0 + 1000,
        { ssrc: 7, packetsSent: 50, octetsSent: 8000, rtpTimestamp: 1234 },
        figures,
      ),
    );
    if (!sr.ok) throw new Error(sr.error.message);
    expect(sr.value[0]).toMatchObject({
      type: 'sr',
      ssrc: 7,
      packetCount: 50,
      octetCount: 8000,
      rtpTimestamp: 1234,
    });
    const block = sr.value[0]?.type === 'sr' ? sr.value[0].reports[0] : undefined;
    expect(block).toMatchObject({ ssrc: 0xabc, cumulativeLost: 1, extendedHighestSequence: 149 });
    expect(sr.value[1]).toEqual({
      type: 'sdes',
      chunks: [{ ssrc: 7, items: [{ type: 'cname', text: 'leg@host' }] }],
    });

    const rr = parseRtcpCompound(
      session.buildReport(
        T0 + 6000,
        { ssrc: 7, packetsSent: 50, octetsSent: 8000, rtpTimestamp: 1234 },
        figures,
      ),
    );
    if (!rr.ok) throw new Error(rr.error.message);
    expect(rr.value[0]).toMatchObject({ type: 'rr', ssrc: 7 });
  });

  it('computes the round trip from the peer report on our stream (RFC 3550 §6.4.1)', () => {
    const session = new RtcpSession({ cname: 'x', random: new SeededRandom(1) });
    const figures = reception();
    // We sent an SR at T0; the peer held it 30 ms and answered; it reaches us at T0 + 80 ms.
    const rr = serializeRtcpCompound([
      {
        type: 'rr',
        ssrc: 0xabc,
        reports: [
          {
            ssrc: 7,
            fractionLost: 0,
            cumulativeLost: 0,
            extendedHighestSequence: 0,
            jitter: 0,
            lastSenderReport: compactNtpFromUnixMs(T0),
            delaySinceLastSenderReport: Math.round(0.03 * 65_536),
          },
        ],
        profileExtension: new Uint8Array(0),
      },
    ]);
    if (!rr.ok) throw new Error(rr.error.message);
    session.receive(rr.value, T0 + 80, 7, figures);
    expect(session.roundTripMs).toBeCloseTo(50, 0);
    expect(session.reportsReceived).toBe(1);
  });

  it('feeds the peer SR into our next report block (LSR, DLSR) and counts malformed packets', () => {
    const session = new RtcpSession({ cname: 'x', random: new SeededRandom(1) });
    const figures = reception();
    const ntp = { seconds: 3_900_000_000, fraction: 0x8000_0000 };
    const sr = serializeRtcpCompound([
      {
        type: 'sr',
        ssrc: 0xabc,
        ntp,
        rtpTimestamp: 0,
        packetCount: 1,
        octetCount: 1,
        reports: [],
        profileExtension: new Uint8Array(0),
      },
    ]);
    if (!sr.ok) throw new Error(sr.error.message);
    session.receive(sr.value, T0, 7, figures);
    const ours = parseRtcpCompound(
      session.buildReport(T0 + 500, { ssrc: 7, packetsSent: 0, octetsSent: 0, rtpTimestamp: 0 }, figures),
    );
    if (!ours.ok) throw new Error(ours.error.message);
    const block = ours.value[0]?.type === 'rr' ? ours.value[0].reports[0] : undefined;
    expect(block?.lastSenderReport).toBe((((3_900_000_000 & 0xffff) << 16) | 0x8000) >>> 0);
    expect(block?.delaySinceLastSenderReport).toBe(Math.round(0.5 * 65_536));
    session.receive(new Uint8Array([1, 2, 3]), T0, 7, figures);
    expect(session.malformedPackets).toBe(1);
  });
});
