import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@centralita/kernel';
import type { DtmfDigit } from './dtmf-digit.ts';
import { DTMF_DIGITS } from './dtmf-digit.ts';
import { encodeTelephoneEvent } from './telephone-event.ts';
import type { TelephoneEventNotice } from './telephone-event-receiver.ts';
import { TelephoneEventReceiver } from './telephone-event-receiver.ts';
import type { TelephoneEventPacketPlan } from './telephone-event-sender.ts';
import { planTelephoneEvent } from './telephone-event-sender.ts';

function plan(
  digit: DtmfDigit,
  durationMs: number,
  startTimestamp: number,
  packetIntervalMs = 20,
): TelephoneEventPacketPlan[] {
  const result = planTelephoneEvent({ digit, durationMs, packetIntervalMs, startTimestamp });
  if (!result.ok) throw new Error(result.error.message);
  return [...result.value];
}

interface WirePacket {
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

function toWire(packets: readonly TelephoneEventPacketPlan[]): WirePacket[] {
  return packets.map((p) => ({ timestamp: p.timestamp, payload: encodeTelephoneEvent(p.payload) }));
}

function receiveAll(
  receiver: TelephoneEventReceiver,
  packets: readonly WirePacket[],
): TelephoneEventNotice[] {
  return packets.flatMap((p, i) => receiver.receive(p.timestamp, p.payload, i * 20));
}

function digitsBegan(notices: readonly TelephoneEventNotice[]): string {
  return notices
    .filter((n) => n.kind === 'digit-began')
    .map((n) => n.digit)
    .join('');
}

describe('TelephoneEventReceiver', () => {
  it('reports each press once, with its duration, despite the repeated end packets', () => {
    const receiver = new TelephoneEventReceiver();
    const notices = receiveAll(receiver, toWire(plan('7', 100, 1000)));
    expect(notices).toEqual([
      { kind: 'digit-began', digit: '7', rtpTimestamp: 1000, atMs: 0 },
      {
        kind: 'digit-ended',
        digit: '7',
        rtpTimestamp: 1000,
        atMs: 80,
        durationMs: 100,
        isEndInferred: false,
      },
    ]);
  });

  it('still reports the digit when the marker packet is lost', () => {
    const receiver = new TelephoneEventReceiver();
    const notices = receiveAll(receiver, toWire(plan('3', 100, 0)).slice(1));
    expect(digitsBegan(notices)).toBe('3');
    expect(notices.filter((n) => n.kind === 'digit-ended')).toHaveLength(1);
  });

  it('reports a press heard only through one of its end packets', () => {
    const receiver = new TelephoneEventReceiver();
    const packets = toWire(plan('9', 100, 0));
    const notices = receiveAll(receiver, [packets[5]!]);
    expect(notices.map((n) => n.kind)).toEqual(['digit-began', 'digit-ended']);
  });

  it('reports the same digit pressed twice as two presses', () => {
    const receiver = new TelephoneEventReceiver();
    const notices = receiveAll(receiver, [...toWire(plan('1', 100, 0)), ...toWire(plan('1', 100, 1600))]);
    expect(digitsBegan(notices)).toBe('11');
  });

  it('infers the end of a press whose end packets were all lost', () => {
    const receiver = new TelephoneEventReceiver({ quietEndMs: 500 });
    const first = toWire(plan('4', 100, 0)).slice(0, 3);
    const notices = receiveAll(receiver, [...first, ...toWire(plan('6', 100, 2000))]);
    expect(notices.map((n) => [n.kind, n.digit, n.kind === 'digit-ended' && n.isEndInferred])).toEqual([
      ['digit-began', '4', false],
      ['digit-ended', '4', true],
      ['digit-began', '6', false],
      ['digit-ended', '6', false],
    ]);
    const lonely = new TelephoneEventReceiver({ quietEndMs: 500 });
    lonely.receive(0, encodeTelephoneEvent({ event: 2, isEnd: false, volume: 10, duration: 160 }), 0);
    expect(lonely.poll(400)).toEqual([]);
    expect(lonely.poll(600)).toMatchObject([{ kind: 'digit-ended', digit: '2', isEndInferred: true }]);
    expect(lonely.poll(700)).toEqual([]);
  });

  it('treats a §2.5.1.3 segment of a long press as the same press', () => {
    const receiver = new TelephoneEventReceiver();
    const block = (isEnd: boolean, duration: number): Uint8Array =>
      encodeTelephoneEvent({ event: 0, isEnd, volume: 10, duration });
    const notices = [
      ...receiver.receive(100, block(false, 0xffff), 0),
      ...receiver.receive(100 + 0xffff, block(false, 800), 100),
      ...receiver.receive(100 + 0xffff, block(true, 1600), 200),
    ];
    expect(notices).toEqual([
      { kind: 'digit-began', digit: '0', rtpTimestamp: 100, atMs: 0 },
      {
        kind: 'digit-ended',
        digit: '0',
        rtpTimestamp: 100,
        atMs: 200,
        durationMs: (0xffff + 1600) / 8,
        isEndInferred: false,
      },
    ]);
  });

  it('ignores non-DTMF events and counts malformed payloads', () => {
    const receiver = new TelephoneEventReceiver();
    expect(
      receiver.receive(0, encodeTelephoneEvent({ event: 16, isEnd: false, volume: 10, duration: 160 }), 0),
    ).toEqual([]);
    expect(receiver.receive(0, Uint8Array.from([1, 2]), 0)).toEqual([]);
    expect(receiver.malformedPackets).toBe(1);
  });

  it('gives exactly the digits sent under loss, duplication and reordering (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...DTMF_DIGITS), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (digits, firstTimestamp, seed) => {
          const random = new SeededRandom(seed);
          const stream: WirePacket[] = [];
          digits.forEach((digit, i) => {
            // 100 ms tone, 100 ms gap: a new event every 200 ms of timestamp.
            const packets = toWire(plan(digit, 100, (firstTimestamp + i * 1600) % 2 ** 32));
            // Lose some packets, but never all three end packets and the updates together:
            // a press whose every packet is lost cannot be heard by anyone.
            const kept = packets.filter((_, k) => k === packets.length - 1 || random.next() > 0.3);
            for (const p of kept) {
              stream.push(p);
              if (random.next() < 0.2) stream.push(p); // network duplicate
            }
          });
          // Reorder neighbours within the same press only (presses are 200 ms apart on the wire).
          for (let i = 1; i < stream.length; i++) {
            if (stream[i]!.timestamp === stream[i - 1]!.timestamp && random.next() < 0.3) {
              [stream[i - 1], stream[i]] = [stream[i]!, stream[i - 1]!];
            }
          }
          const notices = receiveAll(new TelephoneEventReceiver(), stream);
          expect(digitsBegan(notices)).toBe(digits.join(''));
          expect(notices.filter((n) => n.kind === 'digit-ended')).toHaveLength(digits.length);
        },
      ),
      { seed: 2833, numRuns: 300 },
    );
  });
});
