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
  /** How reports count (docs/metrics.md); other report settings may be there too. */
  readonly reports?: {
    /** First-contact resolution: a repeat within this many days (1–90, 7 by default). */
    readonly fcrWindowDays?: number;
    /** First-contact resolution: what counts as the same matter (any-contact by default). */
    readonly fcrSameMatter?: FcrSameMatter;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
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
