import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldContact, foldContacts } from './contact-record.ts';
import { ContactScript, agent, at, contact, eventLog, queue } from './test-events.ts';

const t0 = at('2025-02-03T10:00:00+01:00');
const s = 1000;

describe('folding a contact', () => {
  it('makes one queue stay and one handling of an answered call, with hold out of talk time', () => {
    const log = eventLog();
    new ContactScript(log, 'c1')
      .received(t0)
      .queued(t0, 'support')
      .answered(t0 + 15 * s, t0 + 18 * s, 'support', 'ana', 18 * s)
      .held(t0 + 60 * s, 'ana')
      .resumed(t0 + 90 * s, 'ana')
      .activity(t0 + 200 * s, 'ana', 'on-contact', 'wrap-up', 'contact-ended')
      .finished(t0 + 200 * s, 'support', 'answered', 18 * s)
      .ended(t0 + 200 * s)
      .activity(t0 + 230 * s, 'ana', 'wrap-up', 'idle', 'wrap-up-timer');
    const record = foldContact(log.events);
    expect(record?.visits).toEqual([
      expect.objectContaining({
        queueId: queue('support'),
        exit: 'answered',
        waitMs: 18 * s,
        answeredBy: agent('ana'),
      }),
    ]);
    expect(record?.handlings).toEqual([
      expect.objectContaining({
        agentId: agent('ana'),
        queueId: queue('support'),
        connectedAtMs: t0 + 18 * s,
        disconnectedAtMs: t0 + 200 * s,
        holdMs: 30 * s,
        holds: 1,
        wrapUpStartedAtMs: t0 + 200 * s,
        wrapUpEndedAtMs: t0 + 230 * s,
        isComplete: true,
        isTransferredOut: false,
      }),
    ]);
    expect(record?.isConnected).toBe(true);
    expect(record?.endCause).toBe('caller-hangup');
  });

  it('makes one stay per queue of a transferred call and flags the transfer once', () => {
    const log = eventLog();
    new ContactScript(log, 'c1')
      .received(t0)
      .queued(t0, 'sales')
      .answered(t0 + 5 * s, t0 + 5 * s, 'sales', 'ana', 5 * s);
    // A blind transfer to a queue: the call layer and the routing engine both record it.
    log.record({
      type: 'CallTransferred',
      interactionId: contact('c1'),
      fromAgentId: agent('ana'),
      kind: 'blind',
      targetKind: 'queue',
      targetId: 'billing',
      atMs: t0 + 60 * s,
    });
    new ContactScript(log, 'c1')
      .activity(t0 + 60 * s, 'ana', 'on-contact', 'wrap-up', 'contact-ended')
      .moved(t0 + 60 * s, 'sales', 'billing', 'transfer')
      .queued(t0 + 60 * s, 'billing')
      .answered(t0 + 70 * s, t0 + 75 * s, 'billing', 'bo', 15 * s)
      .activity(t0 + 80 * s, 'ana', 'wrap-up', 'idle')
      .activity(t0 + 120 * s, 'bo', 'on-contact', 'idle', 'contact-ended')
      .finished(t0 + 120 * s, 'billing', 'answered', 15 * s);
    const record = foldContact(log.events);
    expect(record?.visits.map((v) => [v.queueId, v.exit, v.waitMs, v.enteredAtMs])).toEqual([
      ['sales', 'answered', 5 * s, t0],
      ['billing', 'answered', 15 * s, t0 + 60 * s],
    ]);
    expect(record?.handlings.map((h) => [h.agentId, h.queueId, h.isTransferredOut, h.isComplete])).toEqual([
      ['ana', 'sales', true, true],
      ['bo', 'billing', false, true],
    ]);
  });

  it('follows an overflow through a full queue to the next one at the same instant', () => {
    const log = eventLog();
    new ContactScript(log, 'c1')
      .queued(t0, 'sales')
      .moved(t0 + 90 * s, 'sales', 'backup', 'max-wait')
      .moved(t0 + 90 * s, 'backup', 'overflow', 'queue-full')
      .queued(t0 + 90 * s, 'overflow')
      .finished(t0 + 100 * s, 'overflow', 'abandoned', 10 * s);
    const record = foldContact(log.events);
    expect(record?.visits.map((v) => [v.queueId, v.exit, v.waitMs, v.moveReason])).toEqual([
      ['sales', 'moved', 90 * s, 'max-wait'],
      ['backup', 'moved', 0, 'queue-full'],
      ['overflow', 'abandoned', 10 * s, undefined],
    ]);
    expect(record?.isConnected).toBe(false);
  });

  it('recognises a callback, reached or not, and counts missed and declined offers', () => {
    const log = eventLog();
    new ContactScript(log, 'c1')
      .queued(t0, 'sales')
      .activity(t0 + 5 * s, 'ana', 'idle', 'ringing')
      .activity(t0 + 20 * s, 'ana', 'ringing', 'idle', 'offer-timeout')
      .activity(t0 + 21 * s, 'bo', 'idle', 'ringing')
      .activity(t0 + 22 * s, 'bo', 'ringing', 'idle', 'declined')
      .activity(t0 + 600 * s, 'cy', 'idle', 'reserved')
      .activity(t0 + 620 * s, 'cy', 'reserved', 'on-contact', 'callback-answered');
    log.record({
      type: 'ContactAnswered',
      contactId: contact('c1'),
      queueId: queue('sales'),
      agentId: agent('cy'),
      waitMs: 620 * s,
      atMs: t0 + 620 * s,
    });
    new ContactScript(log, 'c1')
      .activity(t0 + 700 * s, 'cy', 'on-contact', 'idle', 'contact-ended')
      .finished(t0 + 700 * s, 'sales', 'called-back', 620 * s);
    const visit = foldContact(log.events)?.visits[0];
    expect(visit).toMatchObject({
      exit: 'callback-reached',
      isCallback: true,
      missedOffers: [agent('ana')],
      declinedOffers: [agent('bo')],
    });

    const unreached = eventLog();
    new ContactScript(unreached, 'c2')
      .queued(t0, 'sales')
      .activity(t0 + 600 * s, 'cy', 'idle', 'reserved')
      .activity(t0 + 660 * s, 'cy', 'reserved', 'idle', 'callback-failed')
      .finished(t0 + 660 * s, 'sales', 'called-back', 660 * s);
    expect(foldContact(unreached.events)?.visits[0]?.exit).toBe('callback-not-reached');
  });

  it('takes an outbound call the routing engine never saw from the call layer alone', () => {
    const log = eventLog();
    new ContactScript(log, 'out1').received(t0, 'outbound');
    log.record({
      type: 'CallAnswered',
      interactionId: contact('out1'),
      by: 'customer',
      agentId: agent('ana'),
      atMs: t0 + 12 * s,
    });
    new ContactScript(log, 'out1').ended(t0 + 100 * s);
    const record = foldContact(log.events);
    expect(record).toMatchObject({ direction: 'outbound', isConnected: true, visits: [] });
    expect(record?.handlings).toEqual([
      expect.objectContaining({
        agentId: agent('ana'),
        queueId: null,
        connectedAtMs: t0 + 12 * s,
        disconnectedAtMs: t0 + 100 * s,
        isComplete: true,
      }),
    ]);
  });

  it('gives the same records whatever order the events arrive in', () => {
    const log = eventLog();
    new ContactScript(log, 'a').handled({
      queuedAtMs: t0,
      queueId: 'q1',
      agentId: 'ana',
      waitMs: 9 * s,
      talkMs: 100 * s,
      wrapUpMs: 10 * s,
    });
    new ContactScript(log, 'b').abandoned(t0 + 2 * s, 'q1', 30 * s);
    new ContactScript(log, 'c')
      .received(t0 + 3 * s)
      .queued(t0 + 3 * s, 'q1')
      .answered(t0 + 40 * s, t0 + 41 * s, 'q1', 'bo', 38 * s)
      .held(t0 + 50 * s, 'bo')
      .resumed(t0 + 55 * s, 'bo')
      .activity(t0 + 80 * s, 'bo', 'on-contact', 'wrap-up', 'contact-ended')
      .moved(t0 + 80 * s, 'q1', 'q2', 'transfer')
      .queued(t0 + 80 * s, 'q2')
      .finished(t0 + 95 * s, 'q2', 'abandoned', 15 * s)
      .activity(t0 + 99 * s, 'bo', 'wrap-up', 'idle');
    const expected = foldContacts(log.events);
    fc.assert(
      fc.property(fc.shuffledSubarray(log.events, { minLength: log.events.length }), (shuffled) => {
        expect(foldContacts(shuffled)).toEqual(expected);
      }),
    );
  });
});
