import { describe, expect, it } from 'vitest';
import { isValidTimeZone, localDateTime } from './local-time.ts';

const at = (iso: string) => Date.parse(iso);

describe('localDateTime in Europe/Madrid', () => {
  it('uses CET (UTC+1) in winter and CEST (UTC+2) in summer', () => {
    expect(localDateTime(at('2025-01-15T08:30:00Z'), 'Europe/Madrid')).toEqual({
      ok: true,
      value: { year: 2025, month: 1, day: 15, weekday: 'wed', minuteOfDay: 9 * 60 + 30 },
    });
    expect(localDateTime(at('2025-07-15T08:30:00Z'), 'Europe/Madrid')).toMatchObject({
      value: { minuteOfDay: 10 * 60 + 30 },
    });
  });

  it('jumps from 01:59 to 03:00 on the spring change (2025-03-30, 01:00Z)', () => {
    expect(localDateTime(at('2025-03-30T00:59:00Z'), 'Europe/Madrid')).toMatchObject({
      value: { day: 30, weekday: 'sun', minuteOfDay: 1 * 60 + 59 },
    });
    expect(localDateTime(at('2025-03-30T01:00:00Z'), 'Europe/Madrid')).toMatchObject({
      value: { day: 30, weekday: 'sun', minuteOfDay: 3 * 60 },
    });
  });

  it('lives 02:00-02:59 twice on the autumn change (2025-10-26, 01:00Z)', () => {
    const first = localDateTime(at('2025-10-26T00:30:00Z'), 'Europe/Madrid');
    const second = localDateTime(at('2025-10-26T01:30:00Z'), 'Europe/Madrid');
    expect(first).toMatchObject({ value: { weekday: 'sun', minuteOfDay: 2 * 60 + 30 } });
    expect(second).toEqual(first);
  });

  it('crosses midnight into the right local date', () => {
    // 23:30Z on 31 December is 00:30 on 1 January in Madrid.
    expect(localDateTime(at('2025-12-31T23:30:00Z'), 'Europe/Madrid')).toMatchObject({
      value: { year: 2026, month: 1, day: 1, weekday: 'thu', minuteOfDay: 30 },
    });
  });
});

describe('time zones', () => {
  it('refuses a zone Intl does not know, as a value', () => {
    expect(localDateTime(0, 'Europe/Atlantis')).toEqual({
      ok: false,
      error: { timeZone: 'Europe/Atlantis' },
    });
    expect(isValidTimeZone('America/Mexico_City')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
