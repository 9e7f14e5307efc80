import type { AgentId, InteractionId, QueueId } from '@centralita/kernel';
import type { AgentTimeline } from './agent-timeline.ts';
import type { ContactRecord, Handling, QueueVisit } from './contact-record.ts';
import type { FcrStatus } from './first-contact-resolution.ts';
import type { RowKey, SummaryField, SummaryRow } from './summary-row.ts';
import { mergeRows, valuesOf } from './summary-row.ts';
import type { TicketRecord } from './ticket-record.ts';
import type { Granularity, TimeZoneCalendar } from './time-zone-calendar.ts';

/** How billable time is rounded, per contact, before a client is charged for it. */
export interface BillingRounding {
  /** Each contact's billable time is rounded up to a multiple of this (60: whole minutes, 1: seconds). */
  readonly incrementSeconds: number;
  /** A billable contact is charged at least this long. */
  readonly minimumSeconds: number;
}

/** The tenant's settings a contribution depends on. They are applied when the contact is counted. */
export interface ContributionOptions {
  readonly calendar: TimeZoneCalendar;
  /** The finest interval the summary table keeps (usually 15min); coarser ones are regrouped from it. */
  readonly granularity: Granularity;
  /** The queue's service-level threshold ("answered within 20 s"). */
  readonly serviceLevelThresholdMs: (queueId: QueueId) => number;
  /** Abandons within this wait are short abandons (caller misdialled, changed their mind). */
  readonly shortAbandonMs: number;
  /** Defaults to per-second billing with no minimum. */
  readonly billingRounding?: BillingRounding;
  /** Revenue a disposition brings (a sale), minor units; none by default. */
  readonly dispositionValueMinor?: (disposition: string) => number;
  /** First-contact resolution of decided contacts (see `firstContactResolution`). */
  readonly firstContactResolution?: ReadonlyMap<InteractionId, FcrStatus>;
}

const defaultRounding: BillingRounding = { incrementSeconds: 1, minimumSeconds: 0 };

/** The contact's talk plus hold (the time the customer was connected) across its complete handlings. */
function connectedMs(handling: Handling): number {
  return handling.disconnectedAtMs === undefined ? 0 : handling.disconnectedAtMs - handling.connectedAtMs;
}

/** Billed seconds for one contact: rounded up to the increment, at least the minimum. */
export function billedSecondsOf(billableMs: number, rounding: BillingRounding): number {
  const seconds = Math.ceil(billableMs / 1000);
  const increment = Math.max(1, rounding.incrementSeconds);
  return Math.max(rounding.minimumSeconds, Math.ceil(seconds / increment) * increment);
}

/**
 * What one contact adds to the summary tables (docs/metrics.md, "Which interval a contact counts in"):
 * queue counts and waits in the interval it entered each queue, handling in the interval it entered the
 * queue the agent took it from, volume and outcome in the interval it arrived. Internal calls add
 * nothing. Re-fold a contact after any of its events and apply the difference (`contributionChanges`).
 */
export function contributionsOf(record: ContactRecord, options: ContributionOptions): SummaryRow[] {
  if (record.direction === 'internal') return [];
  const rows: SummaryRow[] = [];
  const keyAt = (atMs: number, queueId: QueueId | null, agentId: AgentId | null): RowKey => ({
    intervalStartMs: options.calendar.intervalStartOf(atMs, options.granularity),
    queueId,
    agentId,
    channel: record.channel ?? null,
    direction: record.direction,
  });
  const add = (key: RowKey, values: Partial<Record<SummaryField, number>>): void => {
    rows.push({ key, values: valuesOf(values) });
  };

  for (const visit of record.visits) {
    const key = keyAt(visit.enteredAtMs, visit.queueId, visit.answeredBy ?? null);
    add(key, visitValues(visit, options));
    for (const agentId of visit.missedOffers) add({ ...key, agentId }, { missedOffers: 1 });
    for (const agentId of visit.declinedOffers) add({ ...key, agentId }, { declinedOffers: 1 });
  }

  for (const handling of record.handlings) {
    if (!handling.isComplete || handling.disconnectedAtMs === undefined) continue;
    const visit = record.visits[handling.visitIndex];
    const enteredAtMs = visit?.enteredAtMs ?? record.arrivedAtMs;
    const wrapUpMs =
      handling.wrapUpStartedAtMs !== undefined && handling.wrapUpEndedAtMs !== undefined
        ? handling.wrapUpEndedAtMs - handling.wrapUpStartedAtMs
        : 0;
    add(keyAt(enteredAtMs, handling.queueId, handling.agentId), {
      handled: 1,
      talkMs: connectedMs(handling) - handling.holdMs,
      holdMs: handling.holdMs,
      holds: handling.holds,
      wrapUpMs,
      transferredOut: handling.isTransferredOut ? 1 : 0,
    });
  }

  const firstQueue = record.visits[0]?.queueId ?? null;
  const lastHandling = record.handlings[record.handlings.length - 1];
  const billableMs = record.handlings.reduce((sum, h) => sum + connectedMs(h), 0);
  const isBillable = record.isConnected;
  const fcr = options.firstContactResolution?.get(record.contactId);
  const value = record.disposition === null ? 0 : (options.dispositionValueMinor?.(record.disposition) ?? 0);
  add(keyAt(record.arrivedAtMs, firstQueue, lastHandling?.agentId ?? null), {
    contacts: 1,
    contactsConnected: record.isConnected ? 1 : 0,
    billableContacts: isBillable ? 1 : 0,
    billableMs: isBillable ? billableMs : 0,
    billedSeconds: isBillable ? billedSecondsOf(billableMs, options.billingRounding ?? defaultRounding) : 0,
    revenueMinor: value,
    fcrDecided: fcr === 'resolved' || fcr === 'repeated' ? 1 : 0,
    fcrResolved: fcr === 'resolved' ? 1 : 0,
  });

  for (const score of record.scores) {
    // A score counts with the queue the scored agent took the contact from.
    const queueId = record.handlings.find((h) => h.agentId === score.agentId)?.queueId ?? firstQueue;
    const key = keyAt(record.arrivedAtMs, queueId, score.agentId);
    switch (score.kind) {
      case 'csat':
        add(key, { csatResponses: 1, csatSatisfied: score.score >= 4 ? 1 : 0 });
        break;
      case 'nps':
        add(key, {
          npsResponses: 1,
          npsPromoters: score.score >= 9 ? 1 : 0,
          npsDetractors: score.score <= 6 ? 1 : 0,
        });
        break;
      case 'quality':
        add(key, { qualityScored: 1, qualityPctSum: score.score });
        break;
    }
  }
  return mergeRows(rows);
}

function visitValues(visit: QueueVisit, options: ContributionOptions): Partial<Record<SummaryField, number>> {
  const thresholdMs = options.serviceLevelThresholdMs(visit.queueId);
  const waitMs = visit.waitMs ?? 0;
  const escalated = visit.escalations > 0 ? 1 : 0;
  // The caller of a callback stopped waiting on the line when they asked for it: such stays count as
  // offered and callbacks, never in waits or service level.
  const waits = { waited: 1, waitMs, longestWaitMs: waitMs };
  switch (visit.exit) {
    case 'waiting':
      return { offered: 1, escalated };
    case 'answered':
      // A callback that connected: reached, even before the routing engine finishes it.
      if (visit.isCallback) return { offered: 1, escalated, callbacksReached: 1 };
      return {
        offered: 1,
        escalated,
        answered: 1,
        answeredWithinThreshold: waitMs <= thresholdMs ? 1 : 0,
        answeredWaitMs: waitMs,
        ...waits,
      };
    case 'abandoned':
      return {
        offered: 1,
        escalated,
        abandoned: 1,
        abandonedWithinThreshold: waitMs <= thresholdMs ? 1 : 0,
        shortAbandoned: waitMs <= options.shortAbandonMs ? 1 : 0,
        abandonedWaitMs: waitMs,
        ...waits,
      };
    case 'moved':
      return { offered: 1, escalated, movedOut: 1, ...waits };
    case 'overflowed':
      return { offered: 1, escalated, overflowed: 1, ...waits };
    case 'callback-reached':
      return { offered: 1, escalated, callbacksReached: 1 };
    case 'callback-not-reached':
      return { offered: 1, escalated, callbacksNotReached: 1 };
  }
}

/** The figures of agent time. */
type AgentTimeField = 'loggedInMs' | 'availableMs' | 'breakMs' | 'busyMs' | 'availableIdleMs';

/**
 * What an agent's timeline adds: logged-in, available, break, busy and available-idle time, each cut at
 * interval boundaries (a shift across midnight counts in both days).
 */
export function agentTimeContributions(
  timeline: AgentTimeline,
  options: { readonly calendar: TimeZoneCalendar; readonly granularity: Granularity },
): SummaryRow[] {
  // An agent's many segments fall in few intervals: add up the five figures per interval, then make rows.
  const byInterval = new Map<number, Record<AgentTimeField, number>>();
  for (const segment of timeline.segments) {
    const isLoggedIn = segment.presence !== 'offline' || segment.isBusy;
    if (!isLoggedIn) continue;
    for (const share of options.calendar.split(segment.startMs, segment.endMs, options.granularity)) {
      let time = byInterval.get(share.intervalStartMs);
      if (time === undefined) {
        time = { loggedInMs: 0, availableMs: 0, breakMs: 0, busyMs: 0, availableIdleMs: 0 };
        byInterval.set(share.intervalStartMs, time);
      }
      time.loggedInMs += share.ms;
      if (segment.presence === 'available') time.availableMs += share.ms;
      if (segment.presence === 'break') time.breakMs += share.ms;
      if (segment.isBusy) time.busyMs += share.ms;
      if (segment.presence === 'available' && !segment.isBusy) time.availableIdleMs += share.ms;
    }
  }
  return mergeRows(
    [...byInterval].map(([intervalStartMs, time]) => ({
      key: { intervalStartMs, queueId: null, agentId: timeline.agentId, channel: null, direction: null },
      values: valuesOf(time),
    })),
  );
}

/** What a ticket adds, in the interval it was created: created, resolved (so far) and time to resolve. */
export function ticketContributions(
  ticket: TicketRecord,
  options: { readonly calendar: TimeZoneCalendar; readonly granularity: Granularity },
): SummaryRow[] {
  const resolveMs = ticket.resolvedAtMs === undefined ? undefined : ticket.resolvedAtMs - ticket.createdAtMs;
  return [
    {
      key: {
        intervalStartMs: options.calendar.intervalStartOf(ticket.createdAtMs, options.granularity),
        queueId: null,
        agentId: null,
        channel: null,
        direction: null,
      },
      values: valuesOf({
        ticketsCreated: 1,
        ticketsResolved: resolveMs === undefined ? 0 : 1,
        ticketResolveMs: resolveMs ?? 0,
      }),
    },
  ];
}
