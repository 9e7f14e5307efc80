import type { SummaryRow, SummaryValues } from './summary-row.ts';
import { totalOf } from './summary-row.ts';

/**
 * Every figure reports show, computed from summed rows; docs/metrics.md defines each one. A ratio or an
 * average is null when its denominator is zero ("no calls", not "0 %"). Rates are fractions (0.8 = 80 %),
 * NPS runs from -100 to 100, times are milliseconds.
 */
export interface Figures {
  readonly contacts: number;
  readonly contactsConnected: number;
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly shortAbandoned: number;
  readonly movedOut: number;
  readonly overflowed: number;
  readonly callbacksReached: number;
  readonly callbacksNotReached: number;
  readonly missedOffers: number;
  readonly declinedOffers: number;
  readonly handled: number;
  readonly averageSpeedOfAnswerMs: number | null;
  readonly averageWaitMs: number | null;
  readonly averageAbandonWaitMs: number | null;
  readonly longestWaitMs: number | null;
  readonly averageHandleTimeMs: number | null;
  readonly averageTalkMs: number | null;
  readonly averageHoldMs: number | null;
  readonly averageWrapUpMs: number | null;
  /** Answered within the threshold / answered. */
  readonly serviceLevelOfAnswered: number | null;
  /** Answered within the threshold / (answered + abandoned): the wallboard's figure. */
  readonly serviceLevelOfOffered: number | null;
  /** (Answered + abandoned within the threshold) / (answered + abandoned). */
  readonly serviceLevelAbandonsMet: number | null;
  /** Answered within the threshold / (answered + abandoned after the threshold). */
  readonly serviceLevelAbandonsExcluded: number | null;
  /** Abandoned / (answered + abandoned). */
  readonly abandonmentRate: number | null;
  /** The same without short abandons, in numerator and denominator. */
  readonly abandonmentRateExcludingShort: number | null;
  /** Busy / (busy + available and idle). */
  readonly occupancy: number | null;
  /** Busy / logged in. */
  readonly utilization: number | null;
  /** Handlings passed on to someone else / handled. */
  readonly transferRate: number | null;
  /** Queue stays with an escalation step / offered. */
  readonly escalationRate: number | null;
  readonly firstContactResolution: number | null;
  /** Tickets created in the period and resolved (so far) / created. */
  readonly resolutionRate: number | null;
  readonly averageTimeToResolveMs: number | null;
  /** Satisfied answers (4 or 5 of 5) / answers. */
  readonly csat: number | null;
  /** % promoters (9-10) − % detractors (0-6). */
  readonly nps: number | null;
  /** Average quality score, 0-100. */
  readonly qualityScore: number | null;
  readonly billableContacts: number;
  readonly billedMinutes: number;
  readonly revenuePerContactMinor: number | null;
  /**
   * What a connected contact cost (docs/metrics.md): null unless the tenant configured its rates, and
   * when nothing connected.
   */
  readonly costPerContactMinor: number | null;
}

/** numerator / denominator, or null when there is nothing to divide by. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/**
 * Every figure of summed values (`totalOf` merges any selection of rows). Cost per contact needs the
 * tenant's `rates`, and a selection that holds the agents' logged-in time as well as their contacts: pass
 * no rates for rows narrowed to a queue, channel or direction (see `costPerContactMinor`).
 */
export function figuresOf(source: SummaryValues | Iterable<SummaryRow>, rates?: CostRates): Figures {
  const v = isValues(source) ? source : totalOf(source);
  const answeredOrAbandoned = v.answered + v.abandoned;
  const longAbandoned = v.abandoned - v.shortAbandoned;
  const handleMs = v.talkMs + v.holdMs + v.wrapUpMs;
  return {
    contacts: v.contacts,
    contactsConnected: v.contactsConnected,
    offered: v.offered,
    answered: v.answered,
    abandoned: v.abandoned,
    shortAbandoned: v.shortAbandoned,
    movedOut: v.movedOut,
    overflowed: v.overflowed,
    callbacksReached: v.callbacksReached,
    callbacksNotReached: v.callbacksNotReached,
    missedOffers: v.missedOffers,
    declinedOffers: v.declinedOffers,
    handled: v.handled,
    averageSpeedOfAnswerMs: ratio(v.answeredWaitMs, v.answered),
    averageWaitMs: ratio(v.waitMs, v.waited),
    averageAbandonWaitMs: ratio(v.abandonedWaitMs, v.abandoned),
    longestWaitMs: v.waited > 0 ? v.longestWaitMs : null,
    averageHandleTimeMs: ratio(handleMs, v.handled),
    averageTalkMs: ratio(v.talkMs, v.handled),
    averageHoldMs: ratio(v.holdMs, v.handled),
    averageWrapUpMs: ratio(v.wrapUpMs, v.handled),
    serviceLevelOfAnswered: ratio(v.answeredWithinThreshold, v.answered),
    serviceLevelOfOffered: ratio(v.answeredWithinThreshold, answeredOrAbandoned),
    serviceLevelAbandonsMet: ratio(
      v.answeredWithinThreshold + v.abandonedWithinThreshold,
      answeredOrAbandoned,
    ),
    serviceLevelAbandonsExcluded: ratio(
      v.answeredWithinThreshold,
      answeredOrAbandoned - v.abandonedWithinThreshold,
    ),
    abandonmentRate: ratio(v.abandoned, answeredOrAbandoned),
    abandonmentRateExcludingShort: ratio(longAbandoned, v.answered + longAbandoned),
    occupancy: ratio(v.busyMs, v.busyMs + v.availableIdleMs),
    utilization: ratio(v.busyMs, v.loggedInMs),
    transferRate: ratio(v.transferredOut, v.handled),
    escalationRate: ratio(v.escalated, v.offered),
    firstContactResolution: ratio(v.fcrResolved, v.fcrDecided),
    resolutionRate: ratio(v.ticketsResolved, v.ticketsCreated),
    averageTimeToResolveMs: ratio(v.ticketResolveMs, v.ticketsResolved),
    csat: ratio(v.csatSatisfied, v.csatResponses),
    nps: v.npsResponses > 0 ? (100 * (v.npsPromoters - v.npsDetractors)) / v.npsResponses : null,
    qualityScore: ratio(v.qualityPctSum, v.qualityScored),
    billableContacts: v.billableContacts,
    billedMinutes: v.billedSeconds / 60,
    revenuePerContactMinor: ratio(v.revenueMinor, v.contactsConnected),
    costPerContactMinor: rates === undefined ? null : costPerContactMinor(v, rates),
  };
}

function isValues(source: SummaryValues | Iterable<SummaryRow>): source is SummaryValues {
  return typeof (source as SummaryValues).contacts === 'number';
}

/** Handled contacts per agent who handled any: non-additive, so it reads rows that keep the agent. */
export function contactsPerAgent(rows: Iterable<SummaryRow>): number | null {
  const agents = new Set<string>();
  let handled = 0;
  for (const row of rows) {
    if (row.key.agentId === null || row.values.handled === 0) continue;
    agents.add(row.key.agentId);
    handled += row.values.handled;
  }
  return ratio(handled, agents.size);
}

/** What it costs to run the center, when the tenant has configured its rates. */
export interface CostRates {
  /** Loaded cost of one logged-in agent hour, minor units. */
  readonly agentHourMinor: number;
  /** Telephony cost of one connected minute, minor units. */
  readonly telephonyMinuteMinor: number;
}

/**
 * Cost per connected contact: (logged-in agent hours × hourly cost + connected minutes × telephony
 * rate) / contacts connected. Agent time has no queue, channel or direction, so only a selection of rows
 * by interval and agent holds both halves; a queue's rows would give the telephony half alone, a cost
 * that looks cheaper than it is.
 */
export function costPerContactMinor(values: SummaryValues, rates: CostRates): number | null {
  const costMinor =
    (values.loggedInMs / 3_600_000) * rates.agentHourMinor +
    (values.billableMs / 60_000) * rates.telephonyMinuteMinor;
  return ratio(costMinor, values.contactsConnected);
}
