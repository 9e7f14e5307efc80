import { describe, expect, it } from 'vitest';
import { foldContacts } from './contact-record.ts';
import { contributionsOf } from './contributions.ts';
import { evaluateSla } from './sla.ts';
import { ContactScript, at, eventLog, madrid, queue } from './test-events.ts';

const calendar = madrid();

describe('SLA per client', () => {
  // Monday: 4 answered in 10 s. Tuesday: 2 in 10 s, 2 in 60 s. Wednesday: no calls. Thursday: 1 in 10 s (other queue).
  const log = eventLog();
  let n = 0;
  const call = (iso: string, waitMs: number, queueId = 'support') =>
    new ContactScript(log, `c${++n}`).handled({
      queuedAtMs: at(iso),
      queueId,
      agentId: 'ana',
      waitMs,
      talkMs: 60_000,
      wrapUpMs: 0,
    });
  for (let i = 0; i < 4; i++) call(`2025-02-03T10:0${i}:00+01:00`, 10_000);
  for (let i = 0; i < 2; i++) call(`2025-02-04T10:0${i}:00+01:00`, 10_000);
  for (let i = 0; i < 2; i++) call(`2025-02-04T11:0${i}:00+01:00`, 60_000);
  call('2025-02-06T10:00:00+01:00', 10_000, 'sales');
  const rows = foldContacts(log.events).flatMap((record) =>
    contributionsOf(record, {
      calendar,
      granularity: '15min',
      serviceLevelThresholdMs: () => 20_000,
      shortAbandonMs: 5000,
    }),
  );
  const period = { calendar, fromMs: at('2025-02-03T00:00:00+01:00'), toMs: at('2025-02-10T00:00:00+01:00') };

  it('lists each day that missed the target, with its actual, and leaves days without calls out', () => {
    const [result] = evaluateSla(
      rows,
      [
        {
          id: 'sl-daily',
          metric: 'serviceLevelOfAnswered',
          comparison: 'at-least',
          target: 0.8,
          per: 'day',
          queueIds: [queue('support')],
        },
      ],
      period,
    );
    expect(result?.actual).toBe(6 / 8);
    expect(result?.isMet).toBe(false);
    expect(result?.windowsMeasured).toBe(2);
    expect(result?.breaches).toEqual([
      { startMs: at('2025-02-04T00:00:00+01:00'), endMs: at('2025-02-05T00:00:00+01:00'), actual: 0.5 },
    ]);
  });

  it('judges a target once over the period, and at-most targets the other way round', () => {
    const results = evaluateSla(
      rows,
      [
        {
          id: 'sl-week',
          metric: 'serviceLevelOfAnswered',
          comparison: 'at-least',
          target: 0.75,
          per: 'period',
        },
        { id: 'asa', metric: 'averageSpeedOfAnswerMs', comparison: 'at-most', target: 15_000, per: 'period' },
        { id: 'fcr', metric: 'firstContactResolution', comparison: 'at-least', target: 0.7, per: 'day' },
      ],
      period,
    );
    expect(results.map((r) => [r.target.id, r.actual, r.isMet])).toEqual([
      ['sl-week', 7 / 9, true],
      ['asa', (7 * 10_000 + 2 * 60_000) / 9, false],
      ['fcr', null, null],
    ]);
  });
});
