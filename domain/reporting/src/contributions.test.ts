import type { InteractionId, QueueId } from '@centralita/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldAgentTimeline } from './agent-timeline.ts';
import { foldContact, foldContacts } from './contact-record.ts';
import type { ContributionOptions } from './contributions.ts';
import { agentTimeContributions, contributionsOf } from './contributions.ts';
import type { ReportingEvent } from './events.ts';
import { contactIdOf } from './events.ts';
import { figuresOf } from './figures.ts';
import type { SummaryRow, SummaryValues } from './summary-row.ts';
import {
  applyChange,
  contributionChanges,
  isEmptyValues,
  mergeRows,
  regroup,
  rowKeyId,
  totalOf,
} from './summary-row.ts';
import { ContactScript, agent, at, contact, eventLog, madrid, queue } from './test-events.ts';

const s = 1000;
const calendar = madrid();
const thresholds: Record<string, number> = { support: 20 * s, sales: 30 * s };
const options: ContributionOptions = {
  calendar,
  granularity: '15min',
  serviceLevelThresholdMs: (queueId: QueueId) => thresholds[queueId] ?? 20 * s,
  shortAbandonMs: 5 * s,
};

function rowsOf(events: readonly ReportingEvent[]): SummaryRow[] {
  return mergeRows(foldContacts(events).flatMap((record) => contributionsOf(record, options)));
}

describe('what a contact contributes', () => {
  const t0 = at('2025-02-03T10:00:00+01:00');

  it('counts a call abandoned exactly at the threshold as within it, and one abandoned at the short-abandon limit as short', () => {
    const log = eventLog();
    new ContactScript(log, 'at-threshold').abandoned(t0, 'support', 20 * s);
    new ContactScript(log, 'just-after').abandoned(t0, 'support', 20 * s + 1);
    new ContactScript(log, 'short').abandoned(t0, 'support', 5 * s);
    new ContactScript(log, 'answered-at-threshold').handled({
      queuedAtMs: t0,
      queueId: 'support',
      agentId: 'ana',
      waitMs: 20 * s,
      talkMs: 60 * s,
      wrapUpMs: 0,
    });
    const total = totalOf(rowsOf(log.events));
    expect(total).toMatchObject({
      offered: 4,
      answered: 1,
      answeredWithinThreshold: 1,
      abandoned: 3,
      abandonedWithinThreshold: 2,
      shortAbandoned: 1,
    });
    const figures = figuresOf(total);
    expect(figures.serviceLevelOfAnswered).toBe(1);
    expect(figures.serviceLevelOfOffered).toBe(1 / 4);
    expect(figures.serviceLevelAbandonsMet).toBe(3 / 4);
    expect(figures.serviceLevelAbandonsExcluded).toBe(1 / 2);
    expect(figures.abandonmentRate).toBe(3 / 4);
    expect(figures.abandonmentRateExcludingShort).toBe(2 / 3);
  });

  it('judges each queue by its own threshold', () => {
    const log = eventLog();
    new ContactScript(log, 'a').handled({
      queuedAtMs: t0,
      queueId: 'support',
      agentId: 'ana',
      waitMs: 25 * s,
      talkMs: 1,
      wrapUpMs: 0,
    });
    new ContactScript(log, 'b').handled({
      queuedAtMs: t0,
      queueId: 'sales',
      agentId: 'bo',
      waitMs: 25 * s,
      talkMs: 1,
      wrapUpMs: 0,
    });
    const byQueue = regroup(rowsOf(log.events), { queue: true });
    expect(byQueue.map((row) => [row.key.queueId, row.values.answeredWithinThreshold])).toEqual([
      ['sales', 1],
      ['support', 0],
    ]);
  });

  it('counts a transferred call once in each queue and its transfer once', () => {
    const log = eventLog();
    new ContactScript(log, 'c1')
      .received(t0)
      .queued(t0, 'sales')
      .answered(t0 + 10 * s, t0 + 10 * s, 'sales', 'ana', 10 * s);
    log.record({
      type: 'CallTransferred',
      interactionId: contact('c1'),
      fromAgentId: agent('ana'),
      kind: 'blind',
      targetKind: 'queue',
      targetId: 'support',
      atMs: t0 + 70 * s,
    });
    new ContactScript(log, 'c1')
      .activity(t0 + 70 * s, 'ana', 'on-contact', 'idle', 'contact-ended')
      .moved(t0 + 70 * s, 'sales', 'support', 'transfer')
      .queued(t0 + 70 * s, 'support')
      .answered(t0 + 75 * s, t0 + 75 * s, 'support', 'bo', 5 * s)
      .activity(t0 + 135 * s, 'bo', 'on-contact', 'idle', 'contact-ended')
      .finished(t0 + 135 * s, 'support', 'answered', 5 * s)
      .ended(t0 + 135 * s);
    const byQueue = regroup(rowsOf(log.events), { queue: true });
    expect(
      byQueue.map((row) => [
        row.key.queueId,
        row.values.offered,
        row.values.answered,
        row.values.handled,
        row.values.transferredOut,
      ]),
    ).toEqual([
      ['sales', 1, 1, 1, 1],
      ['support', 1, 1, 1, 0],
    ]);
    const total = totalOf(byQueue);
    expect(total.contacts).toBe(1);
    expect(figuresOf(total).transferRate).toBe(1 / 2);
    expect(total.talkMs).toBe(120 * s);
  });

  it('counts a call in the interval it entered the queue, with its whole handle time', () => {
    const log = eventLog();
    const queuedAtMs = at('2025-02-03T10:14:50+01:00');
    new ContactScript(log, 'c1').handled({
      queuedAtMs,
      queueId: 'support',
      agentId: 'ana',
      waitMs: 20 * s,
      talkMs: 300 * s,
      wrapUpMs: 30 * s,
    });
    const rows = rowsOf(log.events).filter((row) => row.values.handled > 0 || row.values.offered > 0);
    expect(rows.map((row) => calendar.label(row.key.intervalStartMs).time)).toEqual(['10:00']);
    expect(figuresOf(rows).averageHandleTimeMs).toBe(330 * s);
  });

  it('counts a call that crosses midnight on the day it arrived, and splits the agent busy time between the days', () => {
    const log = eventLog();
    const queuedAtMs = at('2025-02-03T23:58:00+01:00');
    new ContactScript(log, 'c1').handled({
      queuedAtMs,
      queueId: 'support',
      agentId: 'ana',
      waitMs: 0,
      talkMs: 7 * 60 * s,
      wrapUpMs: 0,
    });
    const daily = regroup(rowsOf(log.events), { agent: true }, { calendar, granularity: 'day' });
    expect(
      daily.map((row) => [
        calendar.label(row.key.intervalStartMs).date,
        row.values.handled,
        row.values.talkMs,
      ]),
    ).toEqual([['2025-02-03', 1, 7 * 60 * s]]);
    const timeline = foldAgentTimeline(agent('ana'), log.events, {
      fromMs: at('2025-02-03T23:00:00+01:00'),
      toMs: at('2025-02-04T01:00:00+01:00'),
    });
    const busyByDay = regroup(
      agentTimeContributions(timeline, { calendar, granularity: '15min' }),
      { agent: true },
      { calendar, granularity: 'day' },
    );
    expect(busyByDay.map((row) => [calendar.label(row.key.intervalStartMs).date, row.values.busyMs])).toEqual(
      [
        ['2025-02-03', 2 * 60 * s],
        ['2025-02-04', 5 * 60 * s],
      ],
    );
  });

  it('counts a call in the repeated 02:00 hour of the night clocks go back in the second one', () => {
    const log = eventLog();
    new ContactScript(log, 'summer').abandoned(at('2025-10-26T02:10:00+02:00'), 'support', 30 * s);
    new ContactScript(log, 'winter').abandoned(at('2025-10-26T02:10:00+01:00'), 'support', 40 * s);
    new ContactScript(log, 'winter2').abandoned(at('2025-10-26T02:50:00+01:00'), 'support', 50 * s);
    const hourly = regroup(rowsOf(log.events), { queue: true }, { calendar, granularity: '60min' });
    expect(hourly.map((row) => [calendar.label(row.key.intervalStartMs), row.values.abandoned])).toEqual([
      [{ date: '2025-10-26', time: '02:00', utcOffsetMinutes: 120 }, 1],
      [{ date: '2025-10-26', time: '02:00', utcOffsetMinutes: 60 }, 2],
    ]);
    const daily = regroup(rowsOf(log.events), {}, { calendar, granularity: 'day' });
    expect(daily).toHaveLength(1);
    expect(daily[0]?.values.longestWaitMs).toBe(50 * s);
  });

  it('keeps callbacks out of waits and service level, counting them as offered and reached or not', () => {
    const log = eventLog();
    new ContactScript(log, 'cb1')
      .received(t0)
      .queued(t0, 'support')
      .activity(t0 + 900 * s, 'ana', 'idle', 'reserved')
      .activity(t0 + 920 * s, 'ana', 'reserved', 'on-contact', 'callback-answered');
    log.record({
      type: 'ContactAnswered',
      contactId: contact('cb1'),
      queueId: queue('support'),
      agentId: agent('ana'),
      waitMs: 920 * s,
      atMs: t0 + 920 * s,
    });
    const connected = totalOf(rowsOf(log.events));
    expect(connected).toMatchObject({ offered: 1, callbacksReached: 1, answered: 0, waited: 0 });
    new ContactScript(log, 'cb1')
      .activity(t0 + 980 * s, 'ana', 'on-contact', 'idle', 'contact-ended')
      .finished(t0 + 980 * s, 'support', 'called-back', 920 * s);
    new ContactScript(log, 'cb2')
      .received(t0)
      .queued(t0, 'support')
      .finished(t0 + 960 * s, 'support', 'called-back', 960 * s);
    const total = totalOf(rowsOf(log.events));
    expect(total).toMatchObject({
      offered: 2,
      callbacksReached: 1,
      callbacksNotReached: 1,
      handled: 1,
      talkMs: 60 * s,
      waited: 0,
    });
    expect(figuresOf(total).serviceLevelOfOffered).toBeNull();
  });

  it('values a contact by its disposition, the last one given', () => {
    const log = eventLog();
    new ContactScript(log, 'sale').handled({
      queuedAtMs: t0,
      queueId: 'sales',
      agentId: 'ana',
      waitMs: 0,
      talkMs: 90 * s,
      wrapUpMs: 10 * s,
    });
    const disposed = (disposition: string, atMs: number) =>
      log.record({
        type: 'InteractionUpdated',
        interactionId: contact('sale'),
        status: 'completed',
        disposition,
        atMs,
      });
    disposed('no_interesado', t0 + 95 * s);
    disposed('venta_cerrada', t0 + 99 * s);
    const records = foldContacts(log.events);
    const rows = records.flatMap((record) =>
      contributionsOf(record, {
        ...options,
        dispositionValueMinor: (d) => (d === 'venta_cerrada' ? 12_000 : 0),
      }),
    );
    expect(totalOf(rows).revenueMinor).toBe(12_000);
    expect(figuresOf(rows).revenuePerContactMinor).toBe(12_000);
  });

  it('never counts an internal call', () => {
    const log = eventLog();
    new ContactScript(log, 'i1').received(t0, 'internal', null);
    log.record({
      type: 'CallAnswered',
      interactionId: contact('i1'),
      by: 'agent',
      agentId: agent('bo'),
      atMs: t0 + 3 * s,
    });
    new ContactScript(log, 'i1').ended(t0 + 60 * s);
    expect(rowsOf(log.events)).toEqual([]);
  });

  it('counts an outbound call as an outbound contact of the agent, connected when the customer answers', () => {
    const log = eventLog();
    new ContactScript(log, 'o1').received(t0, 'outbound');
    log.record({
      type: 'CallAnswered',
      interactionId: contact('o1'),
      by: 'customer',
      agentId: agent('ana'),
      atMs: t0 + 10 * s,
    });
    new ContactScript(log, 'o1').ended(t0 + 70 * s);
    new ContactScript(log, 'o2').received(t0, 'outbound').ended(t0 + 30 * s);
    const rows = regroup(rowsOf(log.events), { direction: true });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.key.direction).toBe('outbound');
    expect(rows[0]?.values).toMatchObject({
      contacts: 2,
      contactsConnected: 1,
      handled: 1,
      talkMs: 60 * s,
      offered: 0,
    });
  });
});

/** A summary table kept the way the server will: each arriving event re-folds its contact and applies the change. */
function maintain(arrivals: readonly ReportingEvent[]): {
  rows: Map<string, SummaryRow>;
  staleKeys: Set<string>;
} {
  const rows = new Map<string, SummaryRow>();
  const staleKeys = new Set<string>();
  const seen = new Map<InteractionId, ReportingEvent[]>();
  for (const event of arrivals) {
    const contactId = contactIdOf(event);
    if (contactId === undefined) continue;
    const before = seen.get(contactId) ?? [];
    const after = [...before, event];
    seen.set(contactId, after);
    const beforeRecord = foldContact(before);
    const afterRecord = foldContact(after);
    const changes = contributionChanges(
      beforeRecord === undefined ? [] : contributionsOf(beforeRecord, options),
      afterRecord === undefined ? [] : contributionsOf(afterRecord, options),
    );
    for (const change of changes) {
      const id = rowKeyId(change.key);
      const stored = rows.get(id)?.values ?? totalOf([]);
      const applied = applyChange(stored, change);
      rows.set(id, { key: change.key, values: applied.values });
      if (applied.isMaximumStale) staleKeys.add(id);
    }
  }
  return { rows, staleKeys };
}

function withoutMaximum(values: SummaryValues): Omit<SummaryValues, 'longestWaitMs'> {
  const { longestWaitMs: _, ...rest } = values;
  return rest;
}

describe('keeping summaries up to date', () => {
  const t0 = at('2025-02-03T10:00:00+01:00');

  it("fixes the summaries late events touch: a late abandon lowers its interval's service level, late holds move talk to hold", () => {
    const log = eventLog();
    new ContactScript(log, 'c1').handled({
      queuedAtMs: t0,
      queueId: 'support',
      agentId: 'ana',
      waitMs: 10 * s,
      talkMs: 80 * s,
      wrapUpMs: 0,
    });
    const before = maintain(log.events);
    expect(figuresOf(before.rows.values())).toMatchObject({
      serviceLevelOfOffered: 1,
      averageTalkMs: 80 * s,
      averageHoldMs: 0,
    });

    // Recorded afterwards, though they happened earlier: an escalation and a hold on c1, and a whole
    // abandoned call that arrived at 10:05 and gave up after 45 s.
    log.record({
      type: 'EscalationApplied',
      contactId: contact('c1'),
      queueId: queue('support'),
      atMs: t0 + 5 * s,
    });
    new ContactScript(log, 'c1').held(t0 + 40 * s, 'ana').resumed(t0 + 50 * s, 'ana');
    new ContactScript(log, 'c2').abandoned(t0 + 300 * s, 'support', 45 * s);
    const after = maintain(log.events);
    expect(figuresOf(after.rows.values())).toMatchObject({
      offered: 2,
      serviceLevelOfOffered: 1 / 2,
      escalationRate: 1 / 2,
      averageTalkMs: 70 * s,
      averageHoldMs: 10 * s,
      averageHandleTimeMs: 80 * s,
    });
    const kept = [...after.rows.values()].filter((row) => !isEmptyValues(row.values));
    expect(mergeRows(kept)).toEqual(rowsOf(log.events));
  });

  it('ends with the same table as folding everything at once, whatever order events arrive in', () => {
    const log = eventLog();
    const t = at('2025-10-26T01:50:00+02:00');
    new ContactScript(log, 'a').handled({
      queuedAtMs: t,
      queueId: 'support',
      agentId: 'ana',
      waitMs: 12 * s,
      talkMs: 700 * s,
      wrapUpMs: 20 * s,
    });
    new ContactScript(log, 'b').abandoned(t + 30 * s, 'support', 45 * s);
    new ContactScript(log, 'c')
      .received(t + 60 * s)
      .queued(t + 60 * s, 'sales')
      .answered(t + 80 * s, t + 85 * s, 'sales', 'bo', 25 * s)
      .activity(t + 400 * s, 'bo', 'on-contact', 'wrap-up', 'contact-ended')
      .moved(t + 400 * s, 'sales', 'support', 'transfer')
      .queued(t + 400 * s, 'support')
      .finished(t + 460 * s, 'support', 'abandoned', 60 * s)
      .activity(t + 420 * s, 'bo', 'wrap-up', 'idle');
    new ContactScript(log, 'd').abandoned(t + 3600 * s, 'sales', 3 * s);
    const expected = rowsOf(log.events);
    fc.assert(
      fc.property(fc.shuffledSubarray(log.events, { minLength: log.events.length }), (arrivals) => {
        const { rows, staleKeys } = maintain(arrivals);
        const kept = mergeRows([...rows.values()].filter((row) => !isEmptyValues(row.values)));
        expect(kept.map((row) => row.key)).toEqual(expected.map((row) => row.key));
        kept.forEach((row, index) => {
          const want = expected[index]?.values as SummaryValues;
          expect(withoutMaximum(row.values)).toEqual(withoutMaximum(want));
          // A maximum is exact unless the table flagged it for recomputation.
          if (!staleKeys.has(rowKeyId(row.key))) expect(row.values.longestWaitMs).toBe(want.longestWaitMs);
        });
      }),
      { numRuns: 60 },
    );
  });
});
