import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RtpHeaderView,
  parseRtpPacket,
  serializeRtpPacket,
  writeRtpFixedHeader,
  writeRtpPacket,
} from './rtp-packet.ts';

/** A G.711 packet as a phone sends it: V=2, M=1, PT=0, seq 0x1234, ts 0xdeadbeef, SSRC 0x01020304. */
const PCMU_PACKET = Uint8Array.from([
  0x80, 0x80, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0xff, 0xfe, 0x7f,
]);

describe('parseRtpPacket', () => {
  it('reads every field of a plain packet', () => {
    const parsed = parseRtpPacket(PCMU_PACKET);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toMatchObject({
      payloadType: 0,
      sequenceNumber: 0x1234,
      timestamp: 0xdeadbeef,
      ssrc: 0x01020304,
      isMarker: true,
      csrcs: [],
      extension: undefined,
      paddingBytes: 0,
    });
    expect([...parsed.value.payload]).toEqual([0xff, 0xfe, 0x7f]);
  });

  it('reads CSRCs, a header extension and padding', () => {
    const padded = Uint8Array.from([
      0xb2,
      0x08,
      0x00,
      0x01,
      0,
      0,
      0,
      160,
      0xaa,
      0xbb,
      0xcc,
      0xdd, // V=2 P=1 X=1 CC=2, PT=8
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      2, // CSRC 1, 2
      0xbe,
      0xde,
      0x00,
      0x01,
      0x10,
      0x20,
      0x30,
      0x40, // extension: profile 0xbede, one word
      0xd5,
      0xd5, // payload
      0,
      0,
      3, // padding: the last byte counts the padding bytes, itself included
    ]);
    const parsed = parseRtpPacket(padded);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.payloadType).toBe(8);
    expect(parsed.value.csrcs).toEqual([1, 2]);
    expect(parsed.value.extension?.profile).toBe(0xbede);
    expect([...(parsed.value.extension?.data ?? [])]).toEqual([0x10, 0x20, 0x30, 0x40]);
    expect(parsed.value.paddingBytes).toBe(3);
    expect([...parsed.value.payload]).toEqual([0xd5, 0xd5]);
  });

  it('returns error values for malformed packets instead of throwing', () => {
    const code = (bytes: number[]): string | undefined => {
      const result = parseRtpPacket(Uint8Array.from(bytes));
      return result.ok ? undefined : result.error.code;
    };
    expect(code([0x80, 0, 0])).toBe('MEDIA_RTP_TRUNCATED');
    expect(code([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe('MEDIA_RTP_BAD_VERSION');
    expect(code([0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe('MEDIA_RTP_TRUNCATED'); // CC=1, no CSRC
    expect(code([0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 3, 4])).toBe('MEDIA_RTP_TRUNCATED');
    expect(code([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0])).toBe('MEDIA_RTP_BAD_PADDING'); // count 0
    expect(code([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 5])).toBe('MEDIA_RTP_BAD_PADDING'); // count > room
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const result = parseRtpPacket(bytes);
        if (result.ok) expect(result.value.payload.length).toBeGreaterThanOrEqual(0);
      }),
      { seed: 3550, numRuns: 2_000 },
    );
  });
});

describe('serializeRtpPacket', () => {
  const fields = fc.record({
    payloadType: fc.integer({ min: 0, max: 127 }),
    sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
    timestamp: fc.integer({ min: 0, max: 0xffffffff }),
    ssrc: fc.integer({ min: 0, max: 0xffffffff }),
    isMarker: fc.boolean(),
    csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
    extension: fc.option(
      fc.record({
        profile: fc.integer({ min: 0, max: 0xffff }),
        data: fc
          .integer({ min: 0, max: 4 })
          .chain((words) => fc.uint8Array({ minLength: 4 * words, maxLength: 4 * words })),
      }),
      { nil: undefined },
    ),
    paddingBytes: fc.integer({ min: 0, max: 12 }),
    payload: fc.uint8Array({ maxLength: 200 }),
  });

  it('round-trips every valid packet through parse', () => {
    fc.assert(
      fc.property(fields, (packet) => {
        const bytes = serializeRtpPacket(packet);
        expect(bytes.ok).toBe(true);
        if (!bytes.ok) return;
        const parsed = parseRtpPacket(bytes.value);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.value.payloadType).toBe(packet.payloadType);
        expect(parsed.value.sequenceNumber).toBe(packet.sequenceNumber);
        expect(parsed.value.timestamp).toBe(packet.timestamp);
        expect(parsed.value.ssrc).toBe(packet.ssrc);
        expect(parsed.value.isMarker).toBe(packet.isMarker);
        expect(parsed.value.csrcs).toEqual(packet.csrcs);
        expect(parsed.value.paddingBytes).toBe(packet.paddingBytes);
        expect([...parsed.value.payload]).toEqual([...packet.payload]);
        expect(parsed.value.extension?.profile).toBe(packet.extension?.profile);
      }),
      { seed: 5, numRuns: 500 },
    );
  });

  it('refuses fields that do not fit and buffers that are too small', () => {
    const base = { payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, payload: new Uint8Array(160) };
    const code = (r: { ok: boolean; error?: { code: string } }): string | undefined => r.error?.code;
    expect(code(serializeRtpPacket({ ...base, payloadType: 128 }))).toBe('MEDIA_RTP_FIELD_OUT_OF_RANGE');
    expect(code(serializeRtpPacket({ ...base, sequenceNumber: 65_536 }))).toBe(
      'MEDIA_RTP_FIELD_OUT_OF_RANGE',
    );
    expect(code(serializeRtpPacket({ ...base, timestamp: -1 }))).toBe('MEDIA_RTP_FIELD_OUT_OF_RANGE');
    expect(code(serializeRtpPacket({ ...base, csrcs: new Array<number>(16).fill(1) }))).toBe(
      'MEDIA_RTP_FIELD_OUT_OF_RANGE',
    );
    expect(code(serializeRtpPacket({ ...base, extension: { profile: 1, data: new Uint8Array(3) } }))).toBe(
      'MEDIA_RTP_FIELD_OUT_OF_RANGE',
    );
    expect(code(writeRtpPacket(base, new Uint8Array(100)))).toBe('MEDIA_RTP_BUFFER_TOO_SMALL');
  });
});

describe('allocation-free paths', () => {
  it('reads a header into a reused view, giving the payload by offset', () => {
    const view = new RtpHeaderView();
    expect(view.read(PCMU_PACKET)).toBe('ok');
    expect(view.sequenceNumber).toBe(0x1234);
    expect(view.timestamp).toBe(0xdeadbeef);
    expect([...PCMU_PACKET.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength)]).toEqual([
      0xff, 0xfe, 0x7f,
    ]);
    expect(view.read(PCMU_PACKET.subarray(0, 5))).toBe('MEDIA_RTP_TRUNCATED');
  });

  it('writes the fixed header in front of a payload already in place', () => {
    const buffer = new Uint8Array(12 + 3);
    buffer.set([0xff, 0xfe, 0x7f], 12);
    writeRtpFixedHeader(buffer, 0, 0, 0x1234, 0xdeadbeef, 0x01020304, true);
    expect([...buffer]).toEqual([...PCMU_PACKET]);
    writeRtpFixedHeader(buffer, 0, 0, 0x1_0005, 2 ** 32 + 7, 1, false); // masks to the field widths
    const parsed = parseRtpPacket(buffer);
    expect(parsed.ok && [parsed.value.sequenceNumber, parsed.value.timestamp]).toEqual([5, 7]);
  });
});
