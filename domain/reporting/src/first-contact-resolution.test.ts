import { describe, expect, it } from 'vitest';
import type { ContactRecord } from './contact-record.ts';
import { foldContacts } from './contact-record.ts';
import { contributionsOf } from './contributions.ts';
import { figuresOf } from './figures.ts';
import { firstContactResolution } from './first-contact-resolution.ts';
import { ContactScript, at, contact, eventLog, madrid } from './test-events.ts';

const dayMs = 86_400_000;
const t0 = at('2025-03-03T10:00:00+01:00');

/** Handled inbound calls of customers at the given instants; `abandoned` ones never reach an agent. */
function calls(
  list: readonly {
    id: string;
    customer: string;
    atMs: number;
    abandoned?: boolean;
    direction?: 'outbound';
  }[],
): ContactRecord[] {
  const log = eventLog();
  for (const call of list) {
    const script = new ContactScript(log, call.id);
    if (call.abandoned === true) {
      script
        .received(call.atMs, 'inbound', call.customer)
        .queued(call.atMs, 'q')
        .finished(call.atMs + 9000, 'q', 'abandoned', 9000);
    } else {
      script
        .received(call.atMs, call.direction ?? 'inbound', call.customer)
        .queued(call.atMs, 'q')
        .answered(call.atMs, call.atMs + 1000, 'q', 'ana', 1000)
        .activity(call.atMs + 60_000, 'ana', 'on-contact', 'idle', 'contact-ended')
        .finished(call.atMs + 60_000, 'q', 'answered', 1000);
    }
  }
  return foldContacts(log.events);
}

describe('first-contact resolution over 7 days', () => {
  const options = { windowDays: 7, asOfMs: t0 + 30 * dayMs };

  it('is unresolved when the customer comes back within 7 × 24 h, even exactly at the limit, and even if the repeat is abandoned', () => {
    const statuses = firstContactResolution(
      calls([
        { id: 'a1', customer: 'ann', atMs: t0 },
        { id: 'a2', customer: 'ann', atMs: t0 + 7 * dayMs, abandoned: true },
        { id: 'b1', customer: 'ben', atMs: t0 },
        { id: 'b2', customer: 'ben', atMs: t0 + 7 * dayMs + 1 },
      ]),
      options,
    );
    expect(Object.fromEntries(statuses)).toEqual({ a1: 'repeated', b1: 'resolved', b2: 'resolved' });
  });

  it('keeps a contact pending until its window has passed', () => {
    const statuses = firstContactResolution(calls([{ id: 'c1', customer: 'cat', atMs: t0 }]), {
      windowDays: 7,
      asOfMs: t0 + 7 * dayMs - 1,
    });
    expect(statuses.get(contact('c1'))).toBe('pending');
  });

  it('leaves out outbound calls, unanswered calls and unknown customers, and keys by matter when asked', () => {
    const records = calls([
      { id: 'd1', customer: 'dan', atMs: t0, direction: 'outbound' },
      { id: 'd2', customer: 'dan', atMs: t0 + dayMs, abandoned: true },
      { id: 'e1', customer: 'eve', atMs: t0 },
      { id: 'e2', customer: 'eve', atMs: t0 + dayMs },
    ]);
    expect(Object.fromEntries(firstContactResolution(records, options))).toEqual({
      e1: 'repeated',
      e2: 'resolved',
    });
    const byMatter = firstContactResolution(records, { ...options, matterOf: (record) => record.contactId });
    expect(byMatter.get(contact('e1'))).toBe('resolved');
  });

  it('feeds the FCR rate through the contributions, counting only decided contacts', () => {
    const records = calls([
      { id: 'f1', customer: 'fay', atMs: t0 },
      { id: 'f2', customer: 'fay', atMs: t0 + dayMs },
      { id: 'g1', customer: 'gus', atMs: t0 + 29 * dayMs },
    ]);
    const statuses = firstContactResolution(records, options);
    const rows = records.flatMap((record) =>
      contributionsOf(record, {
        calendar: madrid(),
        granularity: 'day',
        serviceLevelThresholdMs: () => 20_000,
        shortAbandonMs: 5000,
        firstContactResolution: statuses,
      }),
    );
    expect(figuresOf(rows).firstContactResolution).toBe(1 / 2);
  });
});
