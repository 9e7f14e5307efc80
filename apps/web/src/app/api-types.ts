/** The shapes the REST API answers with (see /docs on the running server). */

/** A role of the permission matrix (docs/security.md). */
export type Role = 'admin' | 'manager' | 'team_lead' | 'agent' | 'trainer' | 'analyst';

/** Every role, in the order the admin screens list them. */
export const roles: readonly Role[] = ['admin', 'manager', 'team_lead', 'agent', 'trainer', 'analyst'];

/** A language the app and the tenants speak. */
export type Language = 'es' | 'en';

/** A member of staff. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly teamId: string | null;
  readonly language: Language;
  /** The languages the user serves contacts in (routing matches them with a contact's language). */
  readonly languages: readonly Language[];
  readonly extension: string | null;
  readonly isDisabled: boolean;
  readonly skills: readonly { readonly skillId: string; readonly name: string; readonly level: number }[];
}

/** The answer of `GET /api/auth/me` (and of a login). */
export interface Me {
  readonly user: User;
  readonly permissions: readonly string[];
  readonly csrfToken: string;
}

/** The tenant and its settings. */
export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly defaultCountry: string;
  readonly defaultLanguage: Language;
  readonly timeZone: string;
  readonly settings: TenantSettings;
}

/** The tenant settings the web app reads and the admin edits (others may be there too). */
export interface TenantSettings {
  readonly recording?: {
    readonly policy?: 'all' | 'none';
    readonly retentionDays?: number;
    readonly agentCanPause?: boolean;
  };
  readonly languages?: readonly Language[];
  readonly leaderboard?: { readonly enabled?: boolean };
  /** The currency of every amount in the settings and the reports: ISO 4217, EUR by default. */
  readonly currency?: string;
  /** How reports count (docs/metrics.md); other report settings may be there too. */
  readonly reports?: ReportSettings;
  /** How the tenant is charged; null or absent when it is not billed. */
  readonly billing?: BillingPlan | null;
  /** The service-level agreement's targets. */
  readonly sla?: { readonly targets?: readonly SlaTarget[]; readonly [key: string]: unknown } | null;
  readonly [key: string]: unknown;
}

/** `settings.reports`: how reports count; amounts are minor units of the tenant's currency. */
export interface ReportSettings {
  /** First-contact resolution: a repeat within this many days (1–90, 7 by default). */
  readonly fcrWindowDays?: number;
  /** First-contact resolution: what counts as the same matter (any-contact by default). */
  readonly fcrSameMatter?: FcrSameMatter;
  /** A caller who hangs up within this many seconds is a short abandon (0–600, 5 by default). */
  readonly shortAbandonSeconds?: number;
  /** Billable time is rounded up to a multiple of this many seconds (1–3600, 1 by default). */
  readonly billingIncrementSeconds?: number;
  /** Every billed contact counts at least this many seconds (0–3600, 0 by default). */
  readonly billingMinimumSeconds?: number;
  /** What running the center costs; absent when not configured. */
  /** null: not configured (a save that cleared them). */
  readonly costRates?: CostRates | null;
  /** What a contact closed with a disposition is worth, by disposition code. */
  readonly dispositionValuesMinor?: Readonly<Record<string, number>>;
  readonly [key: string]: unknown;
}

/** What it costs to run the center (domain/reporting `CostRates`), minor units. */
export interface CostRates {
  readonly agentHourMinor: number;
  readonly telephonyMinuteMinor: number;
}

/** How an outsourcing provider charges a client tenant (domain/reporting `BillingPlan`), minor units. */
export type BillingPlan =
  | { readonly kind: 'per-contact'; readonly pricePerContactMinor: number }
  | { readonly kind: 'per-minute'; readonly pricePerMinuteMinor: number }
  | {
      readonly kind: 'flat';
      readonly monthlyFeeMinor: number;
      readonly includedContacts?: number;
      readonly overagePerContactMinor?: number;
    };

/** A figure an SLA target can be set on: every nullable figure of domain/reporting `Figures`. */
export type SlaMetric =
  | 'averageSpeedOfAnswerMs'
  | 'averageWaitMs'
  | 'averageAbandonWaitMs'
  | 'longestWaitMs'
  | 'averageHandleTimeMs'
  | 'averageTalkMs'
  | 'averageHoldMs'
  | 'averageWrapUpMs'
  | 'serviceLevelOfAnswered'
  | 'serviceLevelOfOffered'
  | 'serviceLevelAbandonsMet'
  | 'serviceLevelAbandonsExcluded'
  | 'abandonmentRate'
  | 'abandonmentRateExcludingShort'
  | 'occupancy'
  | 'utilization'
  | 'transferRate'
  | 'escalationRate'
  | 'firstContactResolution'
  | 'resolutionRate'
  | 'averageTimeToResolveMs'
  | 'csat'
  | 'nps'
  | 'qualityScore'
  | 'revenuePerContactMinor'
  | 'costPerContactMinor';

/** The interval lengths reports group by (domain/reporting `granularities`). */
export const granularities = ['15min', '30min', '60min', 'day', 'week', 'month'] as const;

/** One interval length of reports. */
export type Granularity = (typeof granularities)[number];

/** One promise to a client (domain/reporting `SlaTarget`): rates are fractions, times milliseconds. */
export interface SlaTarget {
  readonly id: string;
  readonly metric: SlaMetric;
  readonly comparison: 'at-least' | 'at-most';
  readonly target: number;
  /** Judged per interval of this length, or once over the whole period. */
  readonly per: Granularity | 'period';
  /** Only these queues; every queue when absent. */
  readonly queueIds?: readonly string[];
}

/** What counts as the same matter for first-contact resolution (docs/metrics.md). */
export type FcrSameMatter = 'any-contact' | 'same-queue';

/** Every `FcrSameMatter`, the default first. */
export const fcrSameMatterValues: readonly FcrSameMatter[] = ['any-contact', 'same-queue'];

/** One page of a list endpoint. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}

/** How a customer can be reached. */
export type IdentityKind = 'phone' | 'email' | 'chat' | 'whatsapp';

/** A phone number, e-mail address or chat id of a customer. */
export interface Identity {
  readonly id: string;
  readonly kind: IdentityKind;
  readonly address: string;
  readonly label: string;
  readonly isPrimary: boolean;
}

/** A customer record. */
export interface Customer {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly displayName: string;
  readonly company: string;
  readonly tags: readonly string[];
  readonly customFields: Readonly<Record<string, string | number | boolean | null>>;
  readonly isVerified: boolean;
  readonly isVip: boolean;
  readonly notes: string;
  readonly identities: readonly Identity[];
}

/** The channel of an interaction. */
export type Channel = 'voice' | 'chat' | 'email' | 'sms' | 'whatsapp';

/** A contact with a customer on any channel. */
export interface Interaction {
  readonly id: string;
  readonly customerId: string | null;
  /** The customer's name (null: no customer, or one known only by an address). */
  readonly customerName: string | null;
  readonly channel: Channel;
  readonly direction: 'inbound' | 'outbound' | 'internal';
  readonly status: string;
  readonly queueName: string | null;
  readonly agentName: string | null;
  readonly remoteAddress: string;
  readonly subject: string;
  readonly startedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
  readonly wrapUpEndedAt: string | null;
  readonly disposition: string | null;
}

/** The category every ticket status belongs to. */
export type StatusCategory = 'open' | 'resolved' | 'closed' | 'needs_follow_up';

/** A built-in or custom ticket status. */
export interface TicketStatus {
  readonly code: string;
  readonly category: StatusCategory;
  readonly labelEs: string;
  readonly labelEn: string;
}

/** A ticket as lists show it. */
export interface TicketSummary {
  readonly id: string;
  readonly number: number;
  readonly customerId: string;
  readonly customerName: string;
  readonly subject: string;
  readonly status: string;
  readonly statusCategory: StatusCategory;
  readonly priority: string;
  readonly assigneeName: string | null;
  readonly createdAt: string;
}

/** A note on a ticket. */
export interface TicketNote {
  readonly id: string;
  readonly authorName: string | null;
  readonly body: string;
  readonly createdAt: string;
}

/** A follow-up task. */
export interface FollowUp {
  readonly id: string;
  readonly ticketId: string;
  readonly ticketNumber: number;
  readonly description: string;
  readonly dueAt: string;
  readonly status: 'pending' | 'done' | 'cancelled';
}

/** A ticket with its notes and follow-ups. */
export interface Ticket extends TicketSummary {
  readonly description: string;
  readonly assigneeId: string | null;
  readonly queueId: string | null;
  /** When the ticket should be dealt with (null: no date). */
  readonly dueAt: string | null;
  readonly updatedAt: string;
  readonly notes: readonly TicketNote[];
  readonly followUps: readonly FollowUp[];
}

/** The answer of `POST /api/identify`. */
export interface Identification {
  readonly isNewCustomer: boolean;
  readonly customer: { readonly id: string };
}

/** A skill agents have and queues require. */
export interface Skill {
  readonly id: string;
  readonly name: string;
}

/** An ACD queue's settings. */
export interface Queue {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly serviceLevelThresholdS: number;
  readonly serviceLevelTargetPct: number;
  /** The skills an agent needs to take this queue's contacts, with the lowest level that will do. */
  readonly skills: readonly { readonly skillId: string; readonly name: string; readonly minLevel: number }[];
  /** Routing settings (strategy, limits, overflow, announcements, escalation; docs/routing.md). */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** An IVR flow as the list shows it. */
export interface FlowSummary {
  readonly key: string;
  readonly name: string;
  readonly publishedVersion: number | null;
  readonly draftVersion: number | null;
}

/** One stored version of a flow. */
export interface FlowVersion {
  readonly number: number;
  readonly document: unknown;
}

/** A flow with its published and draft versions. */
export interface Flow extends FlowSummary {
  readonly published: FlowVersion | null;
  readonly draft: FlowVersion | null;
}

/** One problem in a flow document, at a JSON path. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
  readonly code?: string;
}

/** The answer of the flow tester. */
export interface FlowTestRun {
  readonly transcript: string;
  readonly end: string;
}
