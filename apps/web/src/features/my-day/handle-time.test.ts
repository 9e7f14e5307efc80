import { describe, expect, it } from 'vitest';
import { formatDuration, summariseHandleTime } from './handle-time.ts';

describe('summariseHandleTime', () => {
  it('averages answer to end of wrap-up over the answered, ended contacts only', () => {
    const summary = summariseHandleTime([
      // 4 min talk + 1 min wrap-up
      {
        answeredAt: '2026-11-23T10:00:00Z',
        endedAt: '2026-11-23T10:04:00Z',
        wrapUpEndedAt: '2026-11-23T10:05:00Z',
      },
      // wrap-up still open: measured to the end of the call
      { answeredAt: '2026-11-23T11:00:00Z', endedAt: '2026-11-23T11:03:00Z', wrapUpEndedAt: null },
      // abandoned before answer, and one still in progress: not handled
      { answeredAt: null, endedAt: '2026-11-23T12:00:30Z', wrapUpEndedAt: null },
      { answeredAt: '2026-11-23T12:10:00Z', endedAt: null, wrapUpEndedAt: null },
    ]);
    expect(summary).toEqual({ handledCount: 2, averageHandleTimeMs: 240_000 });
  });

  it('has no average without handled contacts', () => {
    expect(summariseHandleTime([])).toEqual({ handledCount: 0, averageHandleTimeMs: null });
  });
});

describe('formatDuration', () => {
  it('writes minutes and seconds, and hours from an hour', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(245_400)).toBe('4:05');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
  });
});
