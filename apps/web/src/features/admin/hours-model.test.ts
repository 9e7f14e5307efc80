import { describe, expect, it } from 'vitest';
import { hoursCalendar, referencedNames } from './hours-model.ts';

describe('the business hours form', () => {
  it('shows a yearly holiday on this year’s date and stores it back as --MM-DD; a dated one stays dated', () => {
    const row = hoursCalendar.toRow({ date: '--12-25', name: 'Navidad' }, 2026);
    expect(row).toEqual({ date: '2026-12-25', isEveryYear: true, name: 'Navidad' });
    expect(hoursCalendar.fromRow(row)).toEqual({ date: '--12-25', name: 'Navidad' });
    expect(hoursCalendar.fromRow({ ...row, isEveryYear: false })).toEqual({
      date: '2026-12-25',
      name: 'Navidad',
    });
    expect(hoursCalendar.fromRow({ date: '2027-03-26', isEveryYear: false, name: '  ' })).toEqual({
      date: '2027-03-26',
    });
  });

  it('finds the schedules and calendars used by conditions at any depth', () => {
    const used = referencedNames({
      check: {
        type: 'condition',
        branches: [
          { when: { kind: 'holiday', calendar: 'spain' }, next: 'a' },
          { when: { kind: 'not', condition: { kind: 'businessHours', schedule: 'office' } }, next: 'b' },
          { when: { kind: 'all', conditions: [{ kind: 'businessHours', schedule: 'summer' }] }, next: 'c' },
        ],
      },
    });
    expect([...used.schedules].sort()).toEqual(['office', 'summer']);
    expect([...used.calendars]).toEqual(['spain']);
    expect(referencedNames(undefined).schedules.size).toBe(0);
  });
});
