import { describe, expect, it } from 'vitest';
import { billingStatement } from './billing.ts';
import { foldContacts } from './contact-record.ts';
import type { ContributionOptions } from './contributions.ts';
import { billedSecondsOf, contributionsOf } from './contributions.ts';
import { ContactScript, at, eventLog, madrid } from './test-events.ts';

const calendar = madrid();

/** Three calls in October 2025 (61 s, 30 s, 150 s of talk), one abandoned, one on 1 November at 00:30. */
function october(rounding: ContributionOptions['billingRounding']) {
  const log = eventLog();
  const call = (id: string, iso: string, talkSeconds: number) =>
    new ContactScript(log, id).handled({
      queuedAtMs: at(iso),
      queueId: 'q',
      agentId: 'ana',
      waitMs: 5000,
      talkMs: talkSeconds * 1000,
      wrapUpMs: 30_000,
    });
  call('a', '2025-10-01T00:10:00+02:00', 61);
  call('b', '2025-10-15T12:00:00+02:00', 30);
  call('c', '2025-10-31T23:50:00+01:00', 150);
  new ContactScript(log, 'lost').abandoned(at('2025-10-20T12:00:00+02:00'), 'q', 40_000);
  call('november', '2025-11-01T00:30:00+01:00', 600);
  const options: ContributionOptions = {
    calendar,
    granularity: '15min',
    serviceLevelThresholdMs: () => 20_000,
    shortAbandonMs: 5000,
    ...(rounding === undefined ? {} : { billingRounding: rounding }),
  };
  return foldContacts(log.events).flatMap((record) => contributionsOf(record, options));
}

describe('billing a client', () => {
  const month = calendar.intervalOf(at('2025-10-15T12:00:00+02:00'), 'month');

  it('rounds each contact up to the increment, with a minimum', () => {
    expect(billedSecondsOf(61_000, { incrementSeconds: 60, minimumSeconds: 0 })).toBe(120);
    expect(billedSecondsOf(60_000, { incrementSeconds: 60, minimumSeconds: 0 })).toBe(60);
    expect(billedSecondsOf(1, { incrementSeconds: 1, minimumSeconds: 30 })).toBe(30);
  });

  it("charges per answered contact in the client's calendar month", () => {
    const statement = billingStatement(
      october(undefined),
      { kind: 'per-contact', pricePerContactMinor: 150 },
      month,
    );
    expect(statement.billableContacts).toBe(3);
    expect(statement.lines).toEqual([
      { item: 'contacts', quantity: 3, unitPriceMinor: 150, amountMinor: 450 },
    ]);
    expect(statement.totalMinor).toBe(450);
  });

  it('charges per minute, each call rounded up to the whole minute', () => {
    const rows = october({ incrementSeconds: 60, minimumSeconds: 0 });
    const statement = billingStatement(rows, { kind: 'per-minute', pricePerMinuteMinor: 45 }, month);
    // 61 s -> 2 min, 30 s -> 1 min, 150 s -> 3 min.
    expect(statement.billedSeconds).toBe(6 * 60);
    expect(statement.totalMinor).toBe(6 * 45);
  });

  it('charges a flat fee with contacts beyond the included ones', () => {
    const statement = billingStatement(
      october(undefined),
      { kind: 'flat', monthlyFeeMinor: 100_000, includedContacts: 2, overagePerContactMinor: 200 },
      month,
    );
    expect(statement.lines).toEqual([
      { item: 'monthly-fee', quantity: 1, unitPriceMinor: 100_000, amountMinor: 100_000 },
      { item: 'contacts-over-included', quantity: 1, unitPriceMinor: 200, amountMinor: 200 },
    ]);
    expect(statement.totalMinor).toBe(100_200);
  });
});
