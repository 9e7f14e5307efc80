import type { MessageKey } from '../../i18n/catalog.ts';

/** Where an agent said they are (`PUT /api/agents/me/presence`). */
export type PresenceKind = 'offline' | 'available' | 'break';

/** What the routing engine sees an agent doing (docs/routing.md). */
export type AgentStatus = 'offline' | 'break' | 'idle' | 'reserved' | 'ringing' | 'on-contact' | 'wrap-up';

const knownStatuses: readonly string[] = [
  'offline',
  'break',
  'idle',
  'reserved',
  'ringing',
  'on-contact',
  'wrap-up',
];

/** The break reasons the routing engine sets itself (docs/routing.md), with their text in the user's language. */
const systemBreakReasons: Readonly<
  Record<string, { readonly label: MessageKey; readonly hint: MessageKey }>
> = {
  'missed-offer': { label: 'presence.reason.missedOffer', hint: 'presence.missedOfferHint' },
  'no-phone': { label: 'presence.reason.noPhone', hint: 'presence.noPhoneHint' },
};

/** How a break reason reads: the tenant's own reasons as written, the engine's in the user's language. */
export function breakReasonText(reason: string, t: (key: MessageKey) => string): string {
  const known = systemBreakReasons[reason];
  return known === undefined ? reason : t(known.label);
}

/** What an agent on one of the engine's breaks should do next (undefined for a break they chose). */
export function breakReasonHint(reason: string, t: (key: MessageKey) => string): string | undefined {
  const known = systemBreakReasons[reason];
  return known === undefined ? undefined : t(known.hint);
}

/** An agent's live state (`GET /api/agents/me/state`, `GET /api/agent-states`). */
export interface AgentState {
  readonly agentId: string;
  readonly name: string;
  readonly presence: { readonly kind: PresenceKind; readonly reason?: string };
  readonly status: string;
  readonly timeInStatusMs: number;
  readonly contactsHandled: number;
  readonly talkTimeMs: number;
  readonly missedOffers: number;
  readonly occupancy: number;
  readonly queueIds: readonly string[];
  /** Time left of a timed after-call work, when in wrap-up (null: until the agent ends it). */
  readonly wrapUpEndsInMs?: number | null;
  /** The contacts the agent is talking to (a supervisor can monitor these calls). */
  readonly contactIds?: readonly string[];
  /**
   * Every contact the agent is held for, with what they are doing with it (reserved, ringing, on-contact,
   * wrap-up) and their request for a supervisor's help with it.
   */
  readonly work?: readonly {
    readonly contactId: string;
    readonly activity: string;
    readonly help?: HelpRequest | null;
  }[];
  /** The tenant's break reasons; only `GET /api/agents/me/state` sends them. */
  readonly breakReasons?: readonly string[];
}

/** An agent's request for a supervisor's help with a contact (`POST /api/interactions/:id/help`). */
export interface HelpRequest {
  readonly state: 'open' | 'attended';
  readonly note: string | null;
  readonly timeSinceRequestMs: number;
  readonly attendedBy: { readonly userId: string; readonly name: string } | null;
}

/** The agent's open request for help, with the contact it is about; undefined when there is none. */
export function openHelpRequest(
  agent: AgentState,
): { readonly contactId: string; readonly help: HelpRequest } | undefined {
  for (const item of agent.work ?? [])
    if (item.help?.state === 'open') return { contactId: item.contactId, help: item.help };
  return undefined;
}

/** The status as one the UI has a message for; an unknown future one is shown as idle's neighbour, offline. */
export function knownStatus(status: string): AgentStatus {
  return knownStatuses.includes(status) ? (status as AgentStatus) : 'offline';
}

/** "1:05" or "1:02:05": a time in status, ticking by the second. */
export function formatClock(durationMs: number): string {
  const totalS = Math.max(0, Math.floor(durationMs / 1000));
  const hours = Math.floor(totalS / 3600);
  const minutes = Math.floor((totalS % 3600) / 60);
  const seconds = String(totalS % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
