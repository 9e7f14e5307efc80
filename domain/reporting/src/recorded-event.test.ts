import { describe, expect, it } from 'vitest';
import { reportingEventOf } from './recorded-event.ts';

describe('reading recorded events', () => {
  it('takes a row the routing engine wrote, with its time and sequence', () => {
    expect(
      reportingEventOf({
        seq: 41,
        type: 'ContactFinished',
        occurredAtMs: 1_700_000_000_000,
        data: { contactId: 'c1', queueId: 'q1', channel: 'voice', outcome: 'abandoned', waitMs: 20_000 },
      }),
    ).toEqual({
      type: 'ContactFinished',
      contactId: 'c1',
      queueId: 'q1',
      channel: 'voice',
      outcome: 'abandoned',
      waitMs: 20_000,
      atMs: 1_700_000_000_000,
      seq: 41,
    });
  });

  it('skips types reports do not read and rows missing what a fold needs', () => {
    expect(
      reportingEventOf({ seq: 1, type: 'CustomerCreated', occurredAtMs: 0, data: { customerId: 'x' } }),
    ).toBeUndefined();
    // The IVR's survey answer (a question and an answer) is not a scored survey.
    expect(
      reportingEventOf({
        seq: 2,
        type: 'SurveyAnswered',
        occurredAtMs: 0,
        data: { interactionId: 'c1', surveyId: 's', questionId: 'q', answer: '5' },
      }),
    ).toBeUndefined();
    expect(
      reportingEventOf({ seq: 3, type: 'ContactAnswered', occurredAtMs: 0, data: null }),
    ).toBeUndefined();
  });

  it('rounds durations given in fractions of a millisecond, which summaries keep whole', () => {
    const event = reportingEventOf({
      seq: 7,
      type: 'ContactFinished',
      occurredAtMs: 1_700_000_000_000,
      data: {
        contactId: 'c1',
        queueId: 'q1',
        channel: 'voice',
        outcome: 'answered',
        waitMs: 4_803.44,
        talkMs: 60_000.5,
        note: 1.5,
      },
    });
    expect(event).toMatchObject({ waitMs: 4_803, talkMs: 60_001, note: 1.5 });
  });
});
