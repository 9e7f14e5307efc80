import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTelephoneEvents, encodeTelephoneEvent } from './telephone-event.ts';

describe('telephone-event payload (RFC 4733 §2.3)', () => {
  it('encodes the wire layout: event, E|R|volume, 16-bit duration', () => {
    expect([...encodeTelephoneEvent({ event: 11, isEnd: true, volume: 10, duration: 800 })]).toEqual([
      11, 0x8a, 0x03, 0x20,
    ]);
  });

  it('round-trips any block', () => {
    fc.assert(
      fc.property(
        fc.record({
          event: fc.integer({ min: 0, max: 255 }),
          isEnd: fc.boolean(),
          volume: fc.integer({ min: 0, max: 63 }),
          duration: fc.integer({ min: 0, max: 0xffff }),
        }),
        (event) => {
          const decoded = decodeTelephoneEvents(encodeTelephoneEvent(event));
          expect(decoded.ok && decoded.value).toEqual([event]);
        },
      ),
      { seed: 4733, numRuns: 300 },
    );
  });

  it('ignores the R bit and rejects payloads that are not whole blocks', () => {
    const decoded = decodeTelephoneEvents(Uint8Array.from([5, 0x40 | 7, 0, 160]));
    expect(decoded.ok && decoded.value[0]).toEqual({ event: 5, isEnd: false, volume: 7, duration: 160 });
    const bad = decodeTelephoneEvents(Uint8Array.from([1, 2, 3]));
    expect(!bad.ok && bad.error.code).toBe('MEDIA_DTMF_BAD_PAYLOAD');
    expect(decodeTelephoneEvents(new Uint8Array(0)).ok).toBe(false);
  });
});
