import { describe, expect, it } from 'vitest';
import type { RtcpPacket, RtcpReportBlock } from './rtcp-packet.ts';
import { parseRtcpCompound, serializeRtcpCompound } from './rtcp-packet.ts';

const block: RtcpReportBlock = {
  ssrc: 0xcafebabe,
  fractionLost: 25,
  cumulativeLost: -3,
  extendedHighestSequence: 0x0001_0005,
  jitter: 42,
  lastSenderReport: 0x1234_5678,
  delaySinceLastSenderReport: 65_536,
};

function build(packets: readonly RtcpPacket[]): Uint8Array {
  const bytes = serializeRtcpCompound(packets);
  if (!bytes.ok) throw new Error(bytes.error.message);
  return bytes.value;
}

describe('RTCP build and parse (RFC 3550 §6.4-6.6)', () => {
  it('round-trips SR + SDES + BYE with the exact wire layout', () => {
    const packets: RtcpPacket[] = [
      {
        type: 'sr',
        ssrc: 0x11223344,
        ntp: { seconds: 0xe000_0000, fraction: 0x8000_0000 },
        rtpTimestamp: 160_000,
        packetCount: 1000,
        octetCount: 160_000,
        reports: [block],
        profileExtension: new Uint8Array(0),
      },
      {
        type: 'sdes',
        chunks: [{ ssrc: 0x11223344, items: [{ type: 'cname', text: 'centralita@10.0.0.1' }] }],
      },
      { type: 'bye', ssrcs: [0x11223344], reason: 'colgado' },
    ];
    const bytes = build(packets);
    // SR header: V=2, RC=1, PT=200, length = (4 + 24 + 24) / 4 = 13 words -> field 12.
    expect([...bytes.subarray(0, 4)]).toEqual([0x81, 200, 0, 12]);
    expect(bytes.length % 4).toBe(0);
    const parsed = parseRtcpCompound(bytes);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toHaveLength(3);
    const [sr, sdes, bye] = parsed.value;
    expect(sr).toMatchObject({ type: 'sr', ssrc: 0x11223344, rtpTimestamp: 160_000, packetCount: 1000 });
    expect(sr?.type === 'sr' && sr.reports[0]).toEqual(block);
    expect(sdes).toEqual(packets[1]);
    expect(bye).toEqual(packets[2]);
  });

  it('round-trips RR with several blocks and multi-chunk SDES with UTF-8 text', () => {
    const packets: RtcpPacket[] = [
      {
        type: 'rr',
        ssrc: 1,
        reports: [block, { ...block, ssrc: 2, cumulativeLost: 0x7f_ffff }],
        profileExtension: new Uint8Array(0),
      },
      {
        type: 'sdes',
        chunks: [
          {
            ssrc: 1,
            items: [
              { type: 'cname', text: 'a' },
              { type: 'tool', text: 'Centralita ñ' },
            ],
          },
          { ssrc: 2, items: [] },
        ],
      },
    ];
    const parsed = parseRtcpCompound(build(packets));
    expect(parsed.ok && parsed.value).toEqual(packets);
  });

  it('rejects malformed compounds with error values', () => {
    const good = build([{ type: 'rr', ssrc: 1, reports: [], profileExtension: new Uint8Array(0) }]);
    const code = (bytes: Uint8Array, isCompoundRequired = true): string | undefined => {
      const result = parseRtcpCompound(bytes, { isCompoundRequired });
      return result.ok ? undefined : result.error.code;
    };
    expect(code(good)).toBeUndefined();
    expect(code(good.subarray(0, 6))).toBe('MEDIA_RTCP_TRUNCATED');
    expect(code(Uint8Array.from([0x40, 201, 0, 1, 0, 0, 0, 1]))).toBe('MEDIA_RTCP_BAD_VERSION');
    const bye = build([{ type: 'bye', ssrcs: [1], reason: undefined }]);
    expect(code(bye)).toBe('MEDIA_RTCP_NOT_COMPOUND');
    expect(code(bye, false)).toBeUndefined(); // reduced-size RTCP (RFC 5506)
    // Padding bit on the first of two packets is invalid (RFC 3550 A.2).
    const twice = Uint8Array.from([...good, ...good]);
    twice[0] = twice[0]! | 0x20;
    expect(code(twice)).toBe('MEDIA_RTCP_BAD_PADDING');
    // An RR claiming two report blocks but carrying none.
    expect(code(Uint8Array.from([0x82, 201, 0, 1, 0, 0, 0, 1]))).toBe('MEDIA_RTCP_TRUNCATED');
  });

  it('accepts padding on the last packet and keeps unknown packet types', () => {
    const bytes = Uint8Array.from([0x80, 201, 0, 1, 0, 0, 0, 9, 0xa0, 204, 0, 2, 1, 2, 3, 4, 0, 0, 0, 4]);
    const parsed = parseRtcpCompound(bytes);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value[1]).toMatchObject({ type: 'other', packetType: 204, count: 0 });
    const other = parsed.value[1];
    expect(other?.type === 'other' && [...other.body]).toEqual([1, 2, 3, 4]);
  });

  it('refuses to build fields that do not fit', () => {
    const tooMany = serializeRtcpCompound([
      {
        type: 'rr',
        ssrc: 1,
        reports: new Array<RtcpReportBlock>(32).fill(block),
        profileExtension: new Uint8Array(0),
      },
    ]);
    expect(!tooMany.ok && tooMany.error.code).toBe('MEDIA_RTCP_FIELD_OUT_OF_RANGE');
    const longText = serializeRtcpCompound([
      { type: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 'note', text: 'x'.repeat(256) }] }] },
    ]);
    expect(!longText.ok && longText.error.code).toBe('MEDIA_RTCP_FIELD_OUT_OF_RANGE');
    const badLoss = serializeRtcpCompound([
      {
        type: 'rr',
        ssrc: 1,
        reports: [{ ...block, cumulativeLost: 0x80_0000 }],
        profileExtension: new Uint8Array(0),
      },
    ]);
    expect(!badLoss.ok && badLoss.error.field).toBe('reports.cumulativeLost');
  });
});
