import { describe, expect, it } from 'vitest';
import type { DtmfDigit } from './dtmf-digit.ts';
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

describe('planTelephoneEvent', () => {
  it('sends one event on one timestamp, marker first, growing duration, end sent three times', () => {
    const packets = plan('5', 100, 48_000);
    expect(packets.map((p) => p.timestamp)).toEqual(new Array(7).fill(48_000));
    expect(packets.map((p) => p.isMarker)).toEqual([true, false, false, false, false, false, false]);
    expect(packets.map((p) => p.payload.duration)).toEqual([160, 320, 480, 640, 800, 800, 800]);
    expect(packets.map((p) => p.payload.isEnd)).toEqual([false, false, false, false, true, true, true]);
    expect(packets.map((p) => p.offsetMs)).toEqual([0, 20, 40, 60, 80, 100, 120]);
    expect(packets.map((p) => p.sequenceOffset)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(new Set(packets.map((p) => p.payload.event))).toEqual(new Set([5]));
  });

  it('handles a press shorter than one interval and a 50 ms packet clock', () => {
    const short = plan('#', 10, 0);
    expect(short.map((p) => [p.isMarker, p.payload.isEnd, p.payload.duration])).toEqual([
      [true, true, 80],
      [false, true, 80],
      [false, true, 80],
    ]);
    const slow = plan('A', 120, 0, 50);
    expect(slow.map((p) => p.payload.duration)).toEqual([400, 800, 960, 960, 960]);
    expect(slow[0]!.payload.event).toBe(12);
  });

  it('refuses durations it cannot send', () => {
    for (const durationMs of [0, -5, Number.NaN, 9000]) {
      const result = planTelephoneEvent({ digit: '1', durationMs, packetIntervalMs: 20, startTimestamp: 0 });
      expect(!result.ok && result.error.code).toBe('MEDIA_DTMF_BAD_DURATION');
    }
  });
});
