import { describe, expect, it } from 'vitest';
import type { ContactRecord } from './contact-record.ts';
import { foldContacts } from './contact-record.ts';
import { contributionsOf } from './contributions.ts';
import { figuresOf } from './figures.ts';
import type { FcrContact, FcrSameMatter } from './first-contact-resolution.ts';
import {
  fcrContactOf,
  firstContactResolution,
  isRepeatOf,
  matterQueueOf,
} from './first-contact-resolution.ts';
import { ContactScript, at, contact, eventLog, madrid } from './test-events.ts';

const dayMs = 86_400_000;
const t0 = at('2025-03-03T10:00:00+01:00');

/**
 * Inbound calls of customers at the given instants, queued in `queue` ('q' when not given; null: put
 * straight through to the agent, never queued); `abandoned` ones never reach an agent, `transferTo` moves an
 * answered one to another queue.
 */
function calls(
  list: readonly {
    id: string;
    customer: string;
    atMs: number;
    abandoned?: boolean;
    direction?: 'outbound';
    queue?: string | null;
    transferTo?: string;
  }[],
): ContactRecord[] {
  const log = eventLog();
  for (const call of list) {
    const script = new ContactScript(log, call.id);
    const queue = call.queue === undefined ? 'q' : call.queue;
    if (queue === null) {
      script
        .received(call.atMs, call.direction ?? 'inbound', call.customer)
        .activity(call.atMs + 1000, 'ana', 'ringing', 'on-contact', 'answered')
        .activity(call.atMs + 60_000, 'ana', 'on-contact', 'idle', 'contact-ended')
        .ended(call.atMs + 60_000);
    } else if (call.abandoned === true) {
      script
        .received(call.atMs, 'inbound', call.customer)
        .queued(call.atMs, queue)
        .finished(call.atMs + 9000, queue, 'abandoned', 9000);
    } else {
      script
        .received(call.atMs, call.direction ?? 'inbound', call.customer)
        .queued(call.atMs, queue)
        .answered(call.atMs, call.atMs + 1000, queue, 'ana', 1000);
      if (call.transferTo !== undefined) {
        script
          .moved(call.atMs + 30_000, queue, call.transferTo, 'transfer')
          .answered(call.atMs + 31_000, call.atMs + 32_000, call.transferTo, 'ben', 2000);
      }
      script
        .activity(call.atMs + 60_000, 'ana', 'on-contact', 'idle', 'contact-ended')
        .finished(call.atMs + 60_000, call.transferTo ?? queue, 'answered', 1000);
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

  it('leaves out outbound calls, unanswered calls and unknown customers', () => {
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

describe('the same matter: any contact or the same queue', () => {
  const asOfMs = t0 + 30 * dayMs;
  const statusesUnder = (sameMatter: FcrSameMatter, records: readonly ContactRecord[]) =>
    Object.fromEntries(firstContactResolution(records, { windowDays: 7, asOfMs, sameMatter }));

  it('billing on Monday then technical support on Tuesday: repeated under any-contact, resolved under same-queue', () => {
    const records = calls([
      { id: 'm1', customer: 'ann', atMs: t0, queue: 'billing' },
      { id: 'm2', customer: 'ann', atMs: t0 + dayMs, queue: 'support' },
    ]);
    expect(statusesUnder('any-contact', records)).toEqual({ m1: 'repeated', m2: 'resolved' });
    expect(statusesUnder('same-queue', records)).toEqual({ m1: 'resolved', m2: 'resolved' });
    // Without the setting: the strict reading.
    expect(Object.fromEntries(firstContactResolution(records, { windowDays: 7, asOfMs }))).toEqual({
      m1: 'repeated',
      m2: 'resolved',
    });
  });

  it('billing twice: repeated under both, the limit itself included, a millisecond past it not', () => {
    const records = calls([
      { id: 'n1', customer: 'ned', atMs: t0, queue: 'billing' },
      { id: 'n2', customer: 'ned', atMs: t0 + 7 * dayMs, queue: 'billing', abandoned: true },
      { id: 'o1', customer: 'ola', atMs: t0, queue: 'billing' },
      { id: 'o2', customer: 'ola', atMs: t0 + 7 * dayMs + 1, queue: 'billing' },
    ]);
    const expected = { n1: 'repeated', o1: 'resolved', o2: 'resolved' };
    expect(statusesUnder('any-contact', records)).toEqual(expected);
    expect(statusesUnder('same-queue', records)).toEqual(expected);
  });

  it('a later call about another queue does not hide a repeat about the same one', () => {
    const records = calls([
      { id: 'p1', customer: 'pia', atMs: t0, queue: 'billing' },
      { id: 'p2', customer: 'pia', atMs: t0 + dayMs, queue: 'support' },
      { id: 'p3', customer: 'pia', atMs: t0 + 2 * dayMs, queue: 'billing' },
    ]);
    expect(statusesUnder('same-queue', records)).toEqual({ p1: 'repeated', p2: 'resolved', p3: 'resolved' });
  });

  it('a contact is about the first queue it entered: a transfer does not change its matter', () => {
    const records = calls([
      { id: 'r1', customer: 'rob', atMs: t0, queue: 'billing', transferTo: 'support' },
      { id: 'r2', customer: 'rob', atMs: t0 + dayMs, queue: 'support' },
      { id: 's1', customer: 'sue', atMs: t0, queue: 'support' },
      { id: 's2', customer: 'sue', atMs: t0 + dayMs, queue: 'billing', transferTo: 'support' },
    ]);
    expect(records.map((record) => [record.contactId, matterQueueOf(record)])).toEqual([
      ['r1', 'billing'],
      ['s1', 'support'],
      ['r2', 'support'],
      ['s2', 'billing'],
    ]);
    expect(statusesUnder('same-queue', records)).toEqual({
      r1: 'resolved',
      r2: 'resolved',
      s1: 'resolved',
      s2: 'resolved',
    });
    expect(statusesUnder('any-contact', records)).toMatchObject({ r1: 'repeated', s1: 'repeated' });
  });

  it('a contact that never reached a queue: any later contact repeats it, and it repeats no queued contact', () => {
    const records = calls([
      // Straight to the agent (no queue), then billing: the first one's matter is unknown, so it is repeated.
      { id: 'u1', customer: 'ulf', atMs: t0, queue: null },
      { id: 'u2', customer: 'ulf', atMs: t0 + dayMs, queue: 'billing' },
      // Billing, then straight to the agent: nothing says the second is about billing.
      { id: 'v1', customer: 'val', atMs: t0, queue: 'billing' },
      { id: 'v2', customer: 'val', atMs: t0 + dayMs, queue: null },
    ]);
    expect(matterQueueOf(records.find((record) => record.contactId === contact('u1'))!)).toBeNull();
    expect(statusesUnder('same-queue', records)).toEqual({
      u1: 'repeated',
      u2: 'resolved',
      v1: 'resolved',
      v2: 'resolved',
    });
    expect(statusesUnder('any-contact', records)).toMatchObject({ u1: 'repeated', v1: 'repeated' });
  });

  it('decides one pair at a time: a later inbound contact of the same customer, within the window, about the same matter', () => {
    const earlier: FcrContact = {
      customerId: 'ann',
      isInbound: true,
      arrivedAtMs: t0,
      matterQueueId: fcrContactOf(calls([{ id: 'w1', customer: 'ann', atMs: t0, queue: 'billing' }])[0]!)
        .matterQueueId,
    };
    const later = (change: Partial<FcrContact>): FcrContact => ({
      ...earlier,
      arrivedAtMs: t0 + dayMs,
      ...change,
    });
    const sameQueue = { windowDays: 7, sameMatter: 'same-queue' } as const;
    const anyContact = { windowDays: 7, sameMatter: 'any-contact' } as const;
    expect(isRepeatOf(later({}), earlier, sameQueue)).toBe(true);
    expect(isRepeatOf(later({ matterQueueId: null }), earlier, sameQueue)).toBe(false);
    expect(isRepeatOf(later({ matterQueueId: null }), earlier, anyContact)).toBe(true);
    expect(isRepeatOf(later({ isInbound: false }), earlier, anyContact)).toBe(false);
    expect(isRepeatOf(later({ customerId: 'ben' }), earlier, anyContact)).toBe(false);
    expect(isRepeatOf(later({ customerId: null }), { ...earlier, customerId: null }, anyContact)).toBe(false);
    expect(isRepeatOf(later({ arrivedAtMs: t0 }), earlier, anyContact)).toBe(false);
    expect(isRepeatOf(later({ arrivedAtMs: t0 - 1 }), earlier, anyContact)).toBe(false);
    expect(isRepeatOf(later({ arrivedAtMs: t0 + 7 * dayMs }), earlier, sameQueue)).toBe(true);
    expect(isRepeatOf(later({ arrivedAtMs: t0 + 7 * dayMs + 1 }), earlier, sameQueue)).toBe(false);
    expect(isRepeatOf(later({}), { ...earlier, matterQueueId: null }, sameQueue)).toBe(true);
  });
});
