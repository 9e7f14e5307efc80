import { describe, expect, it } from 'vitest';
import { foldContacts } from './contact-record.ts';
import { contributionsOf } from './contributions.ts';
import { figuresOf } from './figures.ts';
import { evaluateSla, slaMetrics, slaTargetRange } from './sla.ts';
import type { SummaryRow } from './summary-row.ts';
import { emptyValues, valuesOf } from './summary-row.ts';
import { ContactScript, agent, at, eventLog, madrid, queue } from './test-events.ts';

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

  it('prices contacts against a cost target with the rates, over all queues only', () => {
    const rates = { agentHourMinor: 1800, telephonyMinuteMinor: 2 };
    const costTarget = {
      id: 'cost',
      metric: 'costPerContactMinor',
      comparison: 'at-most',
      target: 200,
      per: 'period',
    } as const;
    // Ana was logged in for an hour on Monday: agent time has no queue.
    const agentTime: SummaryRow = {
      key: {
        intervalStartMs: at('2025-02-03T10:00:00+01:00'),
        queueId: null,
        agentId: agent('ana'),
        channel: null,
        direction: null,
      },
      values: valuesOf({ loggedInMs: 3_600_000 }),
    };
    const [everywhere, onSupport] = evaluateSla(
      [...rows, agentTime],
      [costTarget, { ...costTarget, id: 'cost-support', queueIds: [queue('support')] }],
      { ...period, rates },
    );
    // One agent hour at 18.00 and 9 connected minutes (60 s of talk each) at 0.02, over 9 contacts.
    expect(everywhere?.actual).toBe((1800 + 9 * 2) / 9);
    expect(everywhere?.isMet).toBe(false);
    // Agent time has no queue: a queue's cost would leave it out, so it is not measured at all.
    expect(onSupport).toMatchObject({ actual: null, isMet: null, windowsMeasured: 0 });
    // Without rates there is no cost to judge.
    expect(evaluateSla(rows, [costTarget], period)[0]).toMatchObject({ actual: null, isMet: null });
  });
});

describe('SLA metrics', () => {
  it('are exactly the figures that can be null (ratios, averages, times, money)', () => {
    const figures = figuresOf(emptyValues, { agentHourMinor: 1, telephonyMinuteMinor: 1 });
    const nullable = Object.entries(figures)
      .filter(([, value]) => value === null)
      .map(([name]) => name);
    expect([...slaMetrics].sort()).toEqual(nullable.sort());
    expect(new Set(slaMetrics).size).toBe(slaMetrics.length);
  });

  it('bound targets by scale: fractions 0-1, NPS -100-100, quality 0-100, times and money from 0', () => {
    expect(slaTargetRange('serviceLevelOfAnswered')).toEqual({ min: 0, max: 1 });
    expect(slaTargetRange('abandonmentRateExcludingShort')).toEqual({ min: 0, max: 1 });
    expect(slaTargetRange('occupancy')).toEqual({ min: 0, max: 1 });
    expect(slaTargetRange('csat')).toEqual({ min: 0, max: 1 });
    expect(slaTargetRange('nps')).toEqual({ min: -100, max: 100 });
    expect(slaTargetRange('qualityScore')).toEqual({ min: 0, max: 100 });
    expect(slaTargetRange('averageSpeedOfAnswerMs')).toEqual({ min: 0, max: Number.POSITIVE_INFINITY });
    expect(slaTargetRange('costPerContactMinor')).toEqual({ min: 0, max: Number.POSITIVE_INFINITY });
  });
});
