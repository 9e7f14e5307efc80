import { describe, expect, it } from 'vitest';
import type { AgentId } from '@centralita/kernel';
import { foldContact } from './contact-record.ts';
import { contributionsOf } from './contributions.ts';
import { contactsPerAgent, costPerContactMinor, figuresOf } from './figures.ts';
import type { SummaryRow } from './summary-row.ts';
import { emptyValues, valuesOf } from './summary-row.ts';
import { ContactScript, agent, at, contact, eventLog, madrid } from './test-events.ts';

describe('figures', () => {
  it('are null, not zero, when there is nothing to divide by', () => {
    const figures = figuresOf(emptyValues);
    expect(figures.offered).toBe(0);
    for (const name of [
      'averageSpeedOfAnswerMs',
      'longestWaitMs',
      'averageHandleTimeMs',
      'serviceLevelOfAnswered',
      'serviceLevelOfOffered',
      'abandonmentRate',
      'occupancy',
      'utilization',
      'transferRate',
      'firstContactResolution',
      'resolutionRate',
      'csat',
      'nps',
      'qualityScore',
      'revenuePerContactMinor',
    ] as const) {
      expect(figures[name]).toBeNull();
    }
  });

  it('compute times from sums: ASA, average and longest wait, AHT and its parts', () => {
    const figures = figuresOf(
      valuesOf({
        answered: 4,
        answeredWaitMs: 40_000,
        abandoned: 1,
        abandonedWaitMs: 60_000,
        waited: 5,
        waitMs: 100_000,
        longestWaitMs: 60_000,
        handled: 4,
        talkMs: 800_000,
        holdMs: 40_000,
        wrapUpMs: 120_000,
      }),
    );
    expect(figures).toMatchObject({
      averageSpeedOfAnswerMs: 10_000,
      averageWaitMs: 20_000,
      averageAbandonWaitMs: 60_000,
      longestWaitMs: 60_000,
      averageHandleTimeMs: 240_000,
      averageTalkMs: 200_000,
      averageHoldMs: 10_000,
      averageWrapUpMs: 30_000,
    });
  });

  it('score surveys and quality: CSAT top two boxes, NPS promoters minus detractors, quality average', () => {
    const log = eventLog();
    new ContactScript(log, 'c1').handled({
      queuedAtMs: at('2025-02-03T10:00:00+01:00'),
      queueId: 'q',
      agentId: 'ana',
      waitMs: 0,
      talkMs: 1000,
      wrapUpMs: 0,
    });
    const survey = (kind: 'csat' | 'nps', score: number) =>
      log.record({
        type: 'SurveyAnswered',
        interactionId: contact('c1'),
        agentId: agent('ana'),
        kind,
        score,
        atMs: at('2025-02-04T10:00:00+01:00'),
      });
    [5, 4, 3, 1].forEach((score) => survey('csat', score));
    [10, 9, 8, 7, 6, 0].forEach((score) => survey('nps', score));
    log.record({
      type: 'QualityScored',
      interactionId: contact('c1'),
      agentId: agent('ana'),
      scorePct: 80,
      atMs: at('2025-02-05T10:00:00+01:00'),
    });
    log.record({
      type: 'QualityScored',
      interactionId: contact('c1'),
      agentId: agent('ana'),
      scorePct: 90,
      atMs: at('2025-02-05T11:00:00+01:00'),
    });
    const record = foldContact(log.events);
    if (record === undefined) throw new Error('no record');
    const rows = contributionsOf(record, {
      calendar: madrid(),
      granularity: '15min',
      serviceLevelThresholdMs: () => 20_000,
      shortAbandonMs: 5000,
    });
    const figures = figuresOf(rows);
    expect(figures.csat).toBe(0.5);
    expect(figures.nps).toBe(0);
    expect(figures.qualityScore).toBe(85);
    // Survey answers count with the contact's interval and the agent they are about.
    expect(rows.filter((row) => row.values.csatResponses > 0).map((row) => row.key.agentId)).toEqual(['ana']);
  });

  it('give contacts per agent and cost and revenue per contact', () => {
    const row = (agentId: string | null, handled: number): SummaryRow => ({
      key: {
        intervalStartMs: 0,
        queueId: null,
        agentId: agentId as AgentId | null,
        channel: null,
        direction: null,
      },
      values: valuesOf({ handled }),
    });
    expect(contactsPerAgent([row('ana', 6), row('bo', 3), row(null, 5), row('cy', 0)])).toBe(4.5);
    const values = valuesOf({
      contactsConnected: 10,
      loggedInMs: 2 * 3_600_000,
      billableMs: 30 * 60_000,
      revenueMinor: 5000,
    });
    // 2 agent hours at 20.00 and 30 minutes at 0.02: 4000 + 60 = 4060 cents over 10 contacts.
    expect(costPerContactMinor(values, { agentHourMinor: 2000, telephonyMinuteMinor: 2 })).toBe(406);
    expect(figuresOf(values).revenuePerContactMinor).toBe(500);
  });

  it('give cost per contact only when the tenant configured its rates, and only for connected contacts', () => {
    const rates = { agentHourMinor: 1800, telephonyMinuteMinor: 2 };
    const values = valuesOf({ contactsConnected: 4, loggedInMs: 3_600_000, billableMs: 20 * 60_000 });
    // One agent hour at 18.00 and 20 minutes at 0.02: 1800 + 40 = 1840 cents over 4 contacts.
    expect(figuresOf(values, rates).costPerContactMinor).toBe(460);
    expect(figuresOf(values).costPerContactMinor).toBeNull();
    // Agents logged in while nothing connected: a cost with no contact to carry it is no figure.
    expect(
      figuresOf(valuesOf({ loggedInMs: 3_600_000, contactsConnected: 0 }), rates).costPerContactMinor,
    ).toBeNull();
    // Rows of a queue carry no agent time: given rates anyway, only the telephony half would show.
    expect(
      figuresOf(valuesOf({ contactsConnected: 4, billableMs: 20 * 60_000 }), rates).costPerContactMinor,
    ).toBe(10);
  });
});
