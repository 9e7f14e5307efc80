import { parseRtpPacket } from '@centralita/media';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutgoingRtpStream } from './outgoing-rtp-stream.ts';

interface Header {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly isMarker: boolean;
  readonly payloadType: number;
}

function header(bytes: Uint8Array): Header {
  const parsed = parseRtpPacket(bytes);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

function generated(stream: OutgoingRtpStream, tick: number): Header {
  const bytes = new Uint8Array(12 + 160);
  stream.writeGenerated(bytes, 0, 0, tick, 160);
  return header(bytes);
}

function relayed(
  stream: OutgoingRtpStream,
  seq: number,
  ts: number,
  sourceKey: number,
  tick: number,
  isMarker = false,
): Header {
  const bytes = new Uint8Array(12 + 160);
  stream.writeRelayed(bytes, 0, 8, seq, ts, isMarker, sourceKey, tick, 160);
  return header(bytes);
}

describe('OutgoingRtpStream', () => {
  it('generates one packet per tick: same SSRC, sequence + 1, timestamp + 160, marker on the first', () => {
    const stream = new OutgoingRtpStream(0xdeadbeef, 65_534, 0xffff_ff00, 10);
    const packets = [10, 11, 12, 13].map((tick) => generated(stream, tick));
    expect(packets.map((p) => p.ssrc)).toEqual(Array(4).fill(0xdeadbeef));
    expect(packets.map((p) => p.sequenceNumber)).toEqual([65_534, 65_535, 0, 1]);
    expect(packets.map((p) => p.timestamp)).toEqual([0xffff_ff00, 0xffff_ffa0, 0x40, 0xe0]);
    expect(packets.map((p) => p.isMarker)).toEqual([true, false, false, false]);
    expect(stream.packetsSent).toBe(4);
    expect(stream.octetsSent).toBe(640);
  });

  it('keeps the clock running through silence: a frame after a gap has the timestamp of its tick', () => {
    const stream = new OutgoingRtpStream(1, 0, 1000, 0);
    generated(stream, 0);
    stream.interrupt();
    const after = generated(stream, 50);
    expect(after.timestamp).toBe(1000 + 50 * 160);
    expect(after.isMarker).toBe(true);
    expect(after.sequenceNumber).toBe(1);
  });

  it('relays with fixed offsets, so the far end gaps and reordering show, and re-anchors on a new source', () => {
    const stream = new OutgoingRtpStream(7, 500, 0, 0);
    generated(stream, 0); // seq 500, ts 0
    const first = relayed(stream, 9000, 123_456, 1, 1, false);
    expect(first).toMatchObject({
      sequenceNumber: 501,
      timestamp: 160,
      isMarker: true,
      ssrc: 7,
      payloadType: 8,
    });
    // A lost packet (9001) stays a gap; a late one keeps its place.
    expect(relayed(stream, 9002, 123_456 + 320, 1, 3)).toMatchObject({
      sequenceNumber: 503,
      timestamp: 480,
      isMarker: false,
    });
    expect(relayed(stream, 9001, 123_456 + 160, 1, 3)).toMatchObject({ sequenceNumber: 502, timestamp: 320 });
    expect(relayed(stream, 9003, 123_456 + 480, 1, 4)).toMatchObject({ sequenceNumber: 504, timestamp: 640 });
    // The far end restarted (new SSRC -> new source key): a new talkspurt, continuing our numbers.
    expect(relayed(stream, 17, 5, 2, 5)).toMatchObject({
      sequenceNumber: 505,
      timestamp: 800,
      isMarker: true,
    });
  });

  it('never steps a timestamp back when a source switch comes within the same tick', () => {
    const stream = new OutgoingRtpStream(7, 0, 0, 0);
    relayed(stream, 1, 0, 1, 0);
    relayed(stream, 2, 160, 1, 0); // the relayed stream runs ahead of our clock
    relayed(stream, 3, 320, 1, 0);
    const next = generated(stream, 1);
    expect(next.timestamp).toBe(480);
    expect(generated(stream, 2).timestamp).toBe(640);
  });

  it('puts every packet of a telephone-event on the event start timestamp', () => {
    const stream = new OutgoingRtpStream(7, 0, 0, 0);
    generated(stream, 0);
    const start = stream.startEvent(1);
    expect(start).toBe(160);
    const bytes = new Uint8Array(16);
    stream.writeEvent(bytes, 0, 101, start, true, 4);
    expect(header(bytes)).toMatchObject({
      sequenceNumber: 1,
      timestamp: 160,
      isMarker: true,
      payloadType: 101,
    });
    stream.writeEvent(bytes, 0, 101, start, false, 4);
    expect(header(bytes)).toMatchObject({ sequenceNumber: 2, timestamp: 160, isMarker: false });
  });

  it('sequence numbers follow on by one across any mix of sources (property)', () => {
    type Step = { kind: 'generate' } | { kind: 'relay'; sourceKey: number } | { kind: 'interrupt' };
    const step = fc.oneof(
      fc.constant<Step>({ kind: 'generate' }),
      fc.integer({ min: 1, max: 3 }).map((sourceKey): Step => ({ kind: 'relay', sourceKey })),
      fc.constant<Step>({ kind: 'interrupt' }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(step, { maxLength: 200 }),
        (initialSequence, steps) => {
          const stream = new OutgoingRtpStream(1, initialSequence, 0, 0);
          const incoming = new Map<number, number>();
          let tick = 0;
          const sequences: number[] = [];
          const timestamps: number[] = [];
          for (const s of steps) {
            if (s.kind === 'interrupt') {
              stream.interrupt();
              continue;
            }
            tick++;
            if (s.kind === 'generate') {
              const packet = generated(stream, tick);
              sequences.push(packet.sequenceNumber);
              timestamps.push(packet.timestamp);
            } else {
              // Each source counts from its own random-looking origin, in order.
              const n = (incoming.get(s.sourceKey) ?? s.sourceKey * 10_000) + 1;
              incoming.set(s.sourceKey, n);
              const packet = relayed(stream, n & 0xffff, (n * 160) >>> 0, s.sourceKey, tick);
              sequences.push(packet.sequenceNumber);
              timestamps.push(packet.timestamp);
            }
          }
          for (let i = 1; i < sequences.length; i++) {
            expect((sequences[i]! - sequences[i - 1]!) & 0xffff).toBe(1);
            expect((timestamps[i]! - timestamps[i - 1]!) | 0).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});
