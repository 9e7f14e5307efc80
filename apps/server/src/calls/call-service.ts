import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RoutingCommand } from '@centralita/acd';
import type { EventBus } from '@centralita/bus';
import type {
  FlowTransferTarget,
  InboundCall,
  InboundCallCommand,
  InboundCallEvent,
  OutboundCall,
  OutboundCallEvent,
} from '@centralita/calls';
import {
  adoptConnectedCall,
  nextInboundCall,
  nextOutboundCall,
  phoneDialPlan,
  placedCallFlow,
  startInboundCall,
  startOutboundCall,
} from '@centralita/calls';
import { normalizeChannelAddress } from '@centralita/crm';
import {
  callbackAcceptDigit,
  callbackConfirmationText,
  callbackOfferText,
  voicemailAcceptDigit,
  voicemailOfferText,
} from './queue-callback.ts';
import { SPANISH_CALL_PROGRESS_TONES } from '@centralita/media';
import type { ScreenPop } from '@centralita/crm';
import type {
  CallState,
  Flow,
  IvrCommand,
  IvrEvent,
  Language,
  StepContext,
  TenantFallback,
} from '@centralita/ivr';
import { initialCallState, step } from '@centralita/ivr';

import type { AgentId, InteractionId, QueueId, TenantId } from '@centralita/kernel';
import type { PromptCache } from '@centralita/prompt-cache';
import type { MediaEngine, MediaEvent, PlaybackItem, RecordingSummary } from '@centralita/rtp-transport';
import type { NegotiatedAudio, Replaces, SessionTimerPolicy, SipRequest, Uri } from '@centralita/sip';
import {
  headerValue,
  hostAddress,
  parseNameAddress,
  parseUri,
  serializeUri,
  unescapeUriComponent,
} from '@centralita/sip';
import type { MessageSource, SendTarget, ServerTransaction } from '@centralita/sip-transport';
import {
  callLayerActor,
  directory,
  flows,
  identifyCustomer,
  interactions,
  sipAccounts,
  StoreError,
  TenantConfigurationCache,
  tickets,
  trunksAccepting,
  users,
} from '@centralita/store';
import type {
  Database,
  Listening,
  TenantConfiguration,
  TenantContext,
  Tx,
  WriteTx,
  tenants,
} from '@centralita/store';
import type {
  CallAction,
  CallControlPort,
  CallControlRefusal,
  CallTransferTarget,
  CompanionRequest,
  LiveCallView,
  RecordingAction,
  PlaceCallRefusal,
  PlaceCallTarget,
} from '@centralita/http-api';
import type { RoutingRuntime } from '../routing-runtime.ts';
import type { SipCallHandler, SipService } from '../sip-service.ts';
import type { CallLeg, LegRole } from './call-legs.ts';
import { carryOutConferenceCommand } from './companion-media.ts';
import type { ConferenceCommand, ConferenceMembers } from './companion-media.ts';
import { DeferredWrites } from './deferred-writes.ts';
import { musicOnHold } from './music-on-hold.ts';
import type { PhoneToRing } from './phones-to-ring.ts';
import { phonesToRing } from './phones-to-ring.ts';
import type { LegSignal, LocalMedia } from './sip-legs.ts';
import { SipLegs } from './sip-legs.ts';

/** What the call layer needs from the composition root. */
export interface CallServiceOptions {
  readonly database: Database;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly sip: SipService;
  readonly media: MediaEngine;
  readonly routing: RoutingRuntime;
  readonly prompts: PromptCache;
  /** The installation's SIP domain (tenant `demo` is `demo.<domain>`). */
  readonly sipDomain: string;
  /** The address RTP is bound to and announced in SDP. */
  readonly mediaAddress: string;
  /** A leg silent this long ends its call (0: never). */
  readonly noMediaTimeoutMs: number;
  /** Session timers (RFC 4028) of the calls we answer; RFC 4028's defaults when absent. */
  readonly sessionTimer?: SessionTimerPolicy;
  /** Base URL of the platform's own API, for IVR http nodes with a relative URL. */
  readonly apiBaseUrl: () => string;
  /** The secret the API accepts from the IVR (`ivrToken` of the HTTP API), sent only to our own API. */
  readonly ivrToken: string;
  readonly now?: () => number;
}

/** A batch of IVR commands being carried out, stopped at a prompt that must play to its end. */
interface PendingBatch {
  readonly commands: readonly IvrCommand[];
  readonly nextIndex: number;
  readonly playbackId: string;
}

/** One call in progress. */
interface ActiveCall extends ConferenceMembers {
  /** The flow's own overflow (`overflow.afterWaitMs` of its queue node), while the caller waits. */
  overflowTimer: NodeJS.Timeout | undefined;
  /** The user whose phone placed the call, kept busy for the ACD until it ends (calls dialled on phones). */
  readonly engagedUserId: string | undefined;
  readonly tenantId: string;
  readonly tenantSlug: string;
  readonly realm: string;
  readonly interactionId: InteractionId;
  readonly customerLeg: CallLeg;
  readonly callerId: string | null;
  readonly callerName: string | null;
  readonly dialledNumber: string;
  readonly queueReferences: ReadonlyMap<string, string>;
  /** Flows as published when the call came in (a transfer to a flow reads them again). */
  context: StepContext;
  readonly defaultLanguage: Language;
  readonly screenPop: ScreenPop | undefined;
  readonly startedAtMs: number;
  decider: InboundCall;
  ivr: CallState;
  pending: PendingBatch | undefined;
  /** An announcement playing over the queue's music; the music comes back after it. */
  announcementId: string | undefined;
  /** The queue offered a callback (an `offer-callback` escalation step): the number it would call. */
  callbackOffer: { readonly number: string; readonly queueId: string } | undefined;
  /** The queue offered to take a message (an `offer-voicemail` escalation step). */
  isVoicemailOffered: boolean;
  /** The caller took it: the contact waits as a callback, the end of this call is not its end. */
  callbackAcceptedAtMs: number | undefined;
  /** The confirmation playing before the line is hung up. */
  callbackConfirmationId: string | undefined;
  recordingId: string | undefined;
  recordingSegments: number;
  /** The agent paused the recording (a card number being given); it resumes on request or at a new segment. */
  isRecordingPaused: boolean;
  /** When the caller first joined a queue (a callback that keeps the place keeps this seniority). */
  firstQueuedAtMs: number | undefined;
  /** The place in line this call reclaimed from an abandoned call of the same caller, if any. */
  seniorityFromMs: number | undefined;
  /** The phase the call was in when it ended. */
  phaseBeforeEnd: string | undefined;
  /** A voicemail being recorded (the flow's voicemail node). */
  voicemail: Voicemail | undefined;
  isIvrCollecting: boolean;
  /** Work on this call runs one item at a time, in arrival order. */
  chain: Promise<void>;
  readonly ivrPath: string[];
  /** Interaction row changes made at the end, once. */
  isFinished: boolean;
  /** An agent talked to the caller, who was then transferred to a flow (the IVR no longer says so). */
  wasAnsweredByAgent: boolean;
  /**
   * The media engine's placement of the call's legs (legs bridged together must share a worker): the
   * customer leg's id, or, for a call an agent dials while on another call, that call's placement, so that
   * the phone can later join the two (an attended transfer).
   */
  readonly mediaPlacement: string;
  /** Legs this call took over from another call (the colleague an agent's phone consulted). */
  readonly adoptedLegIds: string[];
  /** Legs this call made and handed over to another call: they are not this call's to hang up. */
  readonly releasedLegIds: Set<string>;
  /**
   * A call the agent placed, adopted to be transferred or consulted on, that the ACD has not taken in (a
   * transfer to a queue makes it the ACD's): it ends completed, with no after-call work to wait for.
   */
  isOutsideAcd: boolean;
}

/** The run-time state of a call that nothing has happened to yet (no prompt, queue, offer or leg of its own). */
function untouchedCall(): Pick<
  ActiveCall,
  | 'pending'
  | 'announcementId'
  | 'callbackOffer'
  | 'isVoicemailOffered'
  | 'callbackAcceptedAtMs'
  | 'callbackConfirmationId'
  | 'voicemail'
  | 'phaseBeforeEnd'
  | 'firstQueuedAtMs'
  | 'seniorityFromMs'
  | 'isIvrCollecting'
  | 'chain'
  | 'ivrPath'
  | 'isFinished'
  | 'adoptedLegIds'
  | 'releasedLegIds'
  | 'conference'
  | 'overflowTimer'
> {
  return {
    pending: undefined,
    announcementId: undefined,
    callbackOffer: undefined,
    isVoicemailOffered: false,
    callbackAcceptedAtMs: undefined,
    callbackConfirmationId: undefined,
    voicemail: undefined,
    phaseBeforeEnd: undefined,
    firstQueuedAtMs: undefined,
    seniorityFromMs: undefined,
    isIvrCollecting: false,
    chain: Promise.resolve(),
    ivrPath: [],
    isFinished: false,
    adoptedLegIds: [],
    releasedLegIds: new Set(),
    conference: undefined,
    overflowTimer: undefined,
  };
}

/** How the legs a call makes are named after the customer's: `<customer>-<suffix><n>`. */
const legSuffixes = ['a', 't', 's'] as const;

/** The other party of a placed call, as looked up before dialling. */
type PreparedRemote =
  | {
      readonly kind: 'number';
      readonly address: string;
      readonly trunk: sipAccounts.TrunkDialling;
      /** The caller id shown to the customer: the tenant's first number. */
      readonly presentedNumber: string;
    }
  | {
      readonly kind: 'extension';
      readonly address: string;
      /** The callee's registered phones, rung together. */
      readonly phone: PhoneToRing;
      readonly otherPhones: readonly PhoneToRing[];
      readonly calleeId: string;
    };

/** A call an agent placed, in progress. */
interface PlacedCall {
  readonly tenantId: string;
  readonly tenantSlug: string;
  readonly interactionId: InteractionId;
  decider: OutboundCall;
  readonly remote: {
    readonly requestUri: Uri | undefined;
    readonly target: SendTarget;
    /** The trunk's other located targets, tried in turn when `target` fails (RFC 3263 §4.3). */
    readonly failoverTo: readonly SendTarget[];
    readonly from: string;
    readonly to: string;
    readonly credentials: { readonly username: string; readonly password: string } | undefined;
    /** The callee's other registered phones (an extension), rung with the first. */
    readonly otherPhones: readonly PhoneToRing[];
    /** The callee's phone's Path (an extension registered through other proxies), as Route values. */
    readonly route: readonly string[];
  };
  recordingId: string | undefined;
  isRecordingPaused: boolean;
  chain: Promise<void>;
  isFinished: boolean;
  /** An ACD callback: the routing engine hears whether the customer was reached. */
  readonly isCallback: boolean;
  wasConnected: boolean;
}

/** A call as the desk controls see it (`#deskCall`). */
interface DeskCall {
  readonly call: ActiveCall | PlacedCall;
  readonly view: () => LiveCallView;
  /** The agent's phone while it rings for the contact. */
  readonly ringingLegId: string | undefined;
  /** The customer's (or the called party's) leg once connected. */
  readonly otherPartyLegId: string | undefined;
}

const noCallInProgress: CallControlRefusal = {
  reason: 'not-found',
  message: 'This interaction has no call in progress.',
};

/** What `#answerAndRun` needs to answer a call and run its flow. */
interface CallStart {
  readonly tenantId: string;
  readonly tenant: tenants.Tenant;
  readonly published: Readonly<Record<string, Flow>>;
  readonly fallback: TenantFallback | null | undefined;
  readonly queueReferences: ReadonlyMap<string, string>;
  readonly flow: Flow;
  readonly direction: interactions.InteractionDirection;
  /** The number the call came from, for the flow's `caller.number`. */
  readonly callerId: string | null;
  readonly callerName: string | null;
  /** The caller id shown to whoever the flow calls (the tenant's number for calls out through the trunk). */
  readonly presentedCallerId: string | null;
  /** The interaction's other party: the caller, or the number or extension an agent dialled. */
  readonly remoteAddress: string;
  readonly dialledNumber: string;
  /** The number whose customer the interaction is about (created when unknown); null for none. */
  readonly identifyNumber: string | null;
  /** The agent whose phone placed the call. */
  readonly agentId: string | null;
  readonly isRecorded: boolean;
  readonly metadata: Record<string, unknown>;
  readonly trunkId: string | null;
  /** Keep `agentId` busy for the ACD while the call lasts (a call they dialled). */
  readonly isEngagingAgent?: boolean;
  /** Place the media with this call's (`ActiveCall.mediaPlacement`); the new customer leg's own by default. */
  readonly mediaPlacement?: string;
}

/** What to negotiate before a phone's answer tells us its codec: G.711 µ-law with RFC 4733 offered. */
function probeAudio(address: string): NegotiatedAudio {
  return {
    codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
    telephoneEvent: { payloadType: 101, events: '0-16' },
    remoteAddress: address,
    remotePort: 9,
    direction: 'sendrecv',
    mediaIndex: 0,
  };
}

/**
 * The Request-URI of a call out through a trunk: the number at the trunk's host, with its port and transport
 * when it has them (without, the host is located by DNS: RFC 3263).
 */
function trunkUri(user: string, trunk: sipAccounts.TrunkDialling): string {
  const port = trunk.port === null ? '' : `:${String(trunk.port)}`;
  const transport =
    trunk.transport === null || trunk.transport === 'udp' ? '' : `;transport=${trunk.transport}`;
  return `sip:${user}@${trunk.host}${port}${transport}`;
}

/** A database write a decision asked for, done with the decision's others in one transaction. */
type PendingWrite = (tx: WriteTx) => void;

/**
 * Commands that touch only the call's own media and SIP legs (and leave writes pending): nothing another
 * part of the system records can come between them and the decision's facts.
 */
const keepsToTheCall: ReadonlySet<InboundCallCommand['type']> = new Set<InboundCallCommand['type']>([
  'RecordFact',
  'StopRecording',
  'StartRecording',
  'BridgeLegs',
  'PlayMusicOnHold',
  'StopMusicOnHold',
  'HoldCustomer',
  'ResumeCustomer',
  'BridgePair',
  'UnbridgeLeg',
  'JoinConference',
  'SetConferenceMode',
  'LeaveConference',
]);

/** A leg's quality as the interaction's metadata keeps it. */
interface LegQualityFigures {
  readonly packetsReceived: number;
  readonly lossPercent: number;
  readonly jitterMs: number;
  readonly mos: number;
}

/**
 * Keeps a finished recording on its interaction: the first is the interaction's, every one (several after
 * transfers) is listed in order.
 */
function keepRecording(tx: WriteTx, interactionId: string, summary: RecordingSummary): void {
  tx.execute({
    sql: `UPDATE interactions SET recording_ref = coalesce(recording_ref, $2),
       metadata = jsonb_set(metadata, '{recordings}', coalesce(metadata -> 'recordings', '[]'::jsonb) || $3::jsonb)
     WHERE id = $1`,
    params: [
      interactionId,
      summary.path,
      JSON.stringify([
        {
          path: summary.path,
          durationMs: summary.durationMs,
          isComplete: summary.isComplete,
          pauses: summary.markers,
        },
      ]),
    ],
  });
  tx.recordEvent('RecordingCompleted', {
    interactionId: interactionId,
    path: summary.path,
    durationMs: summary.durationMs,
    isComplete: summary.isComplete,
  });
}

/** The tenant, its flows, IVR fallback and queue references, as a call's flow needs them. */
interface FlowsForCall {
  readonly tenant: tenants.Tenant;
  readonly published: Readonly<Record<string, Flow>>;
  readonly fallback: TenantFallback | null;
  readonly queueReferences: ReadonlyMap<string, string>;
}

function flowsOf(configuration: TenantConfiguration): FlowsForCall {
  const { tenant, published, ivrSettings, queueReferences } = configuration;
  return { tenant, published, fallback: flows.interpreterFallback(ivrSettings), queueReferences };
}

/** What the IVR does when a flow fails and the tenant set nothing: an apology, then the first queue. */
function defaultFallback(queueReferences: ReadonlyMap<string, string>): TenantFallback {
  return {
    prompt: {
      es: { text: 'Disculpe, en este momento no podemos atender su llamada. Le pasamos con un agente.' },
      en: { text: 'Sorry, we cannot take your call right now. We are putting you through to an agent.' },
    },
    queueId: [...queueReferences.values()][0] ?? '',
  };
}

/** An agent's transfer target as the tenant's directory reads it: an extension, a number, or a flow. */
type ResolvedTransferTarget =
  | FlowTransferTarget
  | { readonly kind: 'flow'; readonly flowKey: string; readonly published: Readonly<Record<string, Flow>> };

/** A message being left: it becomes a ticket of `queueId` when it ends. */
interface Voicemail {
  readonly recordingId: string;
  readonly queueId: string | null;
  readonly subject: string;
  readonly timer: NodeJS.Timeout;
  /** Left from a queue (its overflow): the call ends with the message, there is no flow to go on with. */
  readonly isFromQueue: boolean;
}

/** A phone number from a SIP URI user part or a From header: `+` and digits only, or undefined. */
export function dialledDigits(user: string | undefined): string | undefined {
  if (user === undefined) return undefined;
  const text = unescapeUriComponent(user).split(';')[0] ?? '';
  const cleaned = text.replace(/[\s().-]/g, '');
  return /^\+?[0-9]{2,20}$/.test(cleaned) ? cleaned : undefined;
}

/** What a call's database work needs of it (an inbound call, a placed call or a leg): its tenant and interaction. */
interface InteractionRef {
  readonly tenantId: string;
  readonly interactionId: string;
}

/**
 * The call layer of the server: a back-to-back user agent. Each inbound call is two SIP dialogs with
 * the media anchored in the media engine: the customer's leg (answered at once, so the IVR can speak)
 * and, once the ACD offers the call, an agent's leg to their registered phone. The pure decider of
 * `@centralita/calls` says what to do with the legs; the IVR interpreter what the caller hears; the ACD
 * who gets the call. This class carries their commands out and feeds back what happens, one call's work
 * at a time.
 */
export class CallService implements SipCallHandler, CallControlPort {
  readonly #options: CallServiceOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #legs: SipLegs;
  readonly #calls = new Map<string, ActiveCall>();
  /** Callers answered whose call could not be recorded: each gets a BYE once our 2xx is acknowledged. */
  readonly #hangUpOnAck = new Map<ServerTransaction, CallLeg>();
  readonly #callsByLeg = new Map<string, ActiveCall>();
  readonly #localMedia = new Map<string, LocalMedia>();
  readonly #placed = new Map<string, PlacedCall>();
  readonly #placedByLeg = new Map<string, PlacedCall>();
  readonly #pending = new Set<Promise<void>>();
  /** The writes of calls (decisions, ends, wrap-ups) the database refused: kept and stored when it takes them. */
  readonly #deferred: DeferredWrites;
  readonly #unsubscribe: (() => void)[] = [];
  /** Each tenant's row and published flows, read (and parsed) once per configuration change, not per call. */
  readonly #tenantConfiguration = new TenantConfigurationCache();
  /** The configuration cache's listening connection: transfers find the tenant's trunk without a query. */
  readonly #configurationWatch: Listening;
  #isClosed = false;

  constructor(options: CallServiceOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => Date.now());
    this.#deferred = new DeferredWrites({ logger: options.logger });
    this.#configurationWatch = this.#tenantConfiguration.watch(options.database);
    this.#legs = new SipLegs({
      endpoint: options.sip.endpoint,
      logger: options.logger,
      ...(options.sessionTimer === undefined ? {} : { sessionTimer: options.sessionTimer }),
      onSignal: (signal) => {
        this.#onLegSignal(signal);
      },
    });
    this.#unsubscribe.push(
      options.media.onEvent((event) => {
        this.#onMediaEvent(event);
      }),
    );
    options.routing.setCommandListener((tenantId, command) => {
      this.#onRoutingCommand(tenantId, command);
    });
    this.#unsubscribe.push(
      options.bus.subscribe('*', (event) => {
        if (event.type !== 'AgentActivityChanged') return;
        const data = event.data as { contactId?: string; from?: string; to?: string };
        if (data.to !== 'idle' || data.contactId === undefined) return;
        if (data.from !== 'wrap-up' && data.from !== 'on-contact') return;
        this.#track(
          this.#completeInteraction(
            event.tenantId,
            data.contactId,
            data.from === 'wrap-up',
            event.occurredAt,
          ),
        );
      }),
    );
    options.sip.attachCalls(this);
  }

  /** Calls in progress. */
  activeCalls(): number {
    return this.#calls.size + this.#placed.size;
  }

  /** Ends every call (BYE to each leg) and waits for the work in progress. */
  async close(): Promise<void> {
    this.#isClosed = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    for (const call of this.#calls.values()) {
      this.#enqueue(call, () =>
        this.#decide(call, { type: 'LegFailed', legId: call.customerLeg.legId, atMs: this.#now() }),
      );
    }
    for (const placed of this.#placed.values())
      this.#enqueue(placed, () =>
        this.#decideOutbound(placed, { type: 'HangUpRequested', atMs: this.#now() }),
      );
    await Promise.allSettled([
      ...this.#pending,
      ...[...this.#calls.values()].map((call) => call.chain),
      ...[...this.#placed.values()].map((placed) => placed.chain),
    ]);
    await this.#configurationWatch.close();
    const unstored = await this.#deferred.close();
    if (unstored > 0) {
      this.#logger.error(
        { unstored },
        'call writes (decisions, ends of calls and wrap-ups) were never stored: the database was unavailable until shutdown',
      );
    }
  }

  // ---- call controls (the agent desktop) ---------------------------------------------------------------

  liveCall(tenantId: string, interactionId: string): LiveCallView | undefined {
    const placed = this.#placed.get(interactionId);
    if (placed !== undefined && placed.tenantId === tenantId) return this.#placedView(placed);
    const call = this.#calls.get(interactionId);
    if (call === undefined || call.tenantId !== tenantId) return undefined;
    return this.#view(call);
  }

  async control(
    tenantId: string,
    interactionId: string,
    action: CallAction,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }> {
    const placed = this.#placed.get(interactionId);
    if (placed !== undefined && placed.tenantId === tenantId && action !== 'hangup') {
      await this.#controlledCall(tenantId, interactionId);
      if (this.#placed.has(interactionId))
        return {
          ok: false,
          error: { reason: 'not-connected', message: 'The call is not connected yet: wait for the answer.' },
        };
    } else if (placed !== undefined && placed.tenantId === tenantId) {
      await this.#queued(placed, () =>
        this.#decideOutbound(placed, { type: 'HangUpRequested', atMs: this.#now() }),
      );
      return { ok: true, value: this.#placedView(placed) };
    }
    const call = this.#calls.get(interactionId);
    if (call === undefined || call.tenantId !== tenantId)
      return {
        ok: false,
        error: { reason: 'not-found', message: 'This interaction has no call in progress.' },
      };
    if (call.decider.phase.kind !== 'connected' && action !== 'hangup')
      return {
        ok: false,
        error: {
          reason: 'not-connected',
          message: 'The call is not connected to an agent yet: it cannot be held.',
        },
      };
    const atMs = this.#now();
    await this.#queued(call, async () => {
      const phase = call.decider.phase;
      if (action === 'hold') await this.#decide(call, { type: 'HoldRequested', atMs });
      else if (action === 'resume') await this.#decide(call, { type: 'ResumeRequested', atMs });
      else if (phase.kind === 'connected') await this.#decide(call, { type: 'HangUpRequested', atMs });
      else await this.#decide(call, { type: 'FlowHungUp', atMs });
    });
    return { ok: true, value: this.#view(call) };
  }

  /**
   * The call of an interaction in the tenant's hands, inbound or placed by an agent, with the leg each desk
   * control acts on: the agent's ringing phone, the other party once connected.
   */
  #deskCall(tenantId: string, interactionId: string): DeskCall | undefined {
    const placed = this.#placed.get(interactionId);
    if (placed !== undefined)
      return placed.tenantId !== tenantId
        ? undefined
        : {
            call: placed,
            view: () => this.#placedView(placed),
            ringingLegId:
              placed.decider.phase.kind === 'ringingAgent' ? placed.decider.agentLegId : undefined,
            otherPartyLegId:
              placed.decider.phase.kind === 'connected' ? placed.decider.remoteLegId : undefined,
          };
    const call = this.#calls.get(interactionId);
    if (call === undefined || call.tenantId !== tenantId) return undefined;
    const phase = call.decider.phase;
    return {
      call,
      view: () => this.#view(call),
      ringingLegId: phase.kind === 'offering' ? phase.agentLegId : undefined,
      otherPartyLegId: phase.kind === 'connected' ? call.customerLeg.legId : undefined,
    };
  }

  /**
   * Picks up the agent's ringing phone from the desktop, where the phone allows it (a NOTIFY `talk`): the
   * call then connects as if answered on the phone. Refused when nothing rings for this contact or the phone
   * does not take remote answers (the agent picks up by hand).
   */
  async answer(
    tenantId: string,
    interactionId: string,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }> {
    const desk = this.#deskCall(tenantId, interactionId);
    if (desk === undefined) return { ok: false, error: noCallInProgress };
    const leg = desk.ringingLegId === undefined ? undefined : this.#legs.legs.byId(desk.ringingLegId);
    if (leg === undefined)
      return {
        ok: false,
        error: { reason: 'not-connected', message: 'Your phone is not ringing for this contact.' },
      };
    const status = await this.#legs.remoteAnswer(leg);
    if (status < 200 || status >= 300)
      return {
        ok: false,
        error: {
          reason: 'not-connected',
          message:
            status === 0
              ? 'Your phone is not ringing yet; answer it on the phone.'
              : `Your phone does not answer from the desktop (it replied ${String(status)}); pick it up, or enable remote answer (SIP NOTIFY "talk") in its settings.`,
        },
      };
    return { ok: true, value: desk.view() };
  }

  /**
   * Sends keys to the other party of a connected call (the customer, or whoever the agent called) as RFC 4733
   * events, in-band tones where their leg has no telephone-event: an agent working a supplier's menu, a
   * transfer that needs an extension.
   */
  async sendDigits(
    tenantId: string,
    interactionId: string,
    digits: string,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }> {
    const desk = this.#deskCall(tenantId, interactionId);
    if (desk === undefined) return { ok: false, error: noCallInProgress };
    if (desk.otherPartyLegId === undefined)
      return {
        ok: false,
        error: { reason: 'not-connected', message: 'Keys can be sent only while the call is connected.' },
      };
    const sent = await this.#options.media.sendDtmf({ legId: desk.otherPartyLegId, digits });
    if (!sent.ok)
      return {
        ok: false,
        error: { reason: 'not-connected', message: `The keys were not sent: ${sent.error.message}` },
      };
    return { ok: true, value: desk.view() };
  }

  /**
   * Pauses or resumes the recording of a call (a card number must never be recorded): the engine writes
   * silence meanwhile and marks the gap; `RecordingPaused`/`RecordingResumed` are recorded with the call.
   */
  async recording(
    tenantId: string,
    interactionId: string,
    action: RecordingAction,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }> {
    const desk = this.#deskCall(tenantId, interactionId);
    if (desk === undefined) return { ok: false, error: noCallInProgress };
    const target = desk.call;
    const refusal = await this.#queued(target, () => this.#switchRecording(target, tenantId, action));
    return refusal === undefined ? { ok: true, value: desk.view() } : { ok: false, error: refusal };
  }

  /** Pauses or resumes a call's recording in its work queue; the refusal, if it could not. */
  async #switchRecording(
    target: ActiveCall | PlacedCall,
    tenantId: string,
    action: RecordingAction,
  ): Promise<CallControlRefusal | undefined> {
    const recordingId = target.recordingId;
    if (recordingId === undefined)
      return { reason: 'not-connected', message: 'This call is not being recorded.' };
    if ((action === 'pause') === target.isRecordingPaused)
      return {
        reason: 'not-connected',
        message: action === 'pause' ? 'The recording is already paused.' : 'The recording is not paused.',
      };
    const media = this.#options.media;
    const done =
      action === 'pause'
        ? await media.recordPause(recordingId, 'agent')
        : await media.recordResume(recordingId);
    if (!done.ok)
      return { reason: 'not-connected', message: `The recording did not ${action}: ${done.error.message}` };
    target.isRecordingPaused = done.value.isPaused;
    const switchedAt = new Date(this.#now());
    await this.#record({ tenantId, interactionId: target.interactionId }, `a recording's ${action}`, (tx) => {
      tx.recordEvent(
        action === 'pause' ? 'RecordingPaused' : 'RecordingResumed',
        { interactionId: target.interactionId, recordingId },
        switchedAt,
      );
    });
    return undefined;
  }

  async transfer(
    tenantId: string,
    interactionId: string,
    target: CallTransferTarget,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }> {
    const call = await this.#controlledCall(tenantId, interactionId);
    if (call === undefined || call.tenantId !== tenantId)
      return {
        ok: false,
        error: { reason: 'not-found', message: 'This interaction has no call in progress.' },
      };
    if (call.decider.phase.kind !== 'connected')
      return {
        ok: false,
        error: { reason: 'not-connected', message: 'Only a call connected to an agent can be transferred.' },
      };
    const atMs = this.#now();
    const resolved =
      target.kind === 'extension' || target.kind === 'number'
        ? await this.#transferTarget(
            tenantId,
            target.kind === 'extension' ? target.extension : target.number,
            target.kind === 'number',
          )
        : undefined;
    // One of the tenant's own numbers is its flow: the caller goes there without leaving through the trunk.
    if (target.kind === 'flow' || resolved?.kind === 'flow') {
      const flowKey =
        resolved?.kind === 'flow' ? resolved.flowKey : target.kind === 'flow' ? target.flowKey : '';
      const published =
        resolved?.kind === 'flow'
          ? resolved.published
          : await this.#options.database.inTenant(
              this.#context(call),
              async (tx) => (await this.#tenantConfiguration.read(tx)).published,
            );
      if (published[flowKey] === undefined)
        return {
          ok: false,
          error: { reason: 'unknown-target', message: 'No published flow has this key.' },
        };
      const refusal = await this.#queued(call, () => {
        call.context = { ...call.context, publishedFlows: published };
        return this.#tryDecide(call, { type: 'TransferToFlowRequested', flowKey, atMs });
      });
      if (refusal !== undefined)
        return {
          ok: false,
          error: {
            reason: 'not-connected',
            message: 'End the consultation or monitoring before transferring.',
          },
        };
      return { ok: true, value: this.#view(call) };
    }
    if (target.kind !== 'queue') {
      if (resolved === undefined || (target.kind === 'extension') !== (resolved.kind === 'extension'))
        return {
          ok: false,
          error: {
            reason: 'unknown-target',
            message:
              target.kind === 'extension'
                ? 'No colleague has this extension.'
                : 'This is not a phone number.',
          },
        };
      const refusal = await this.#queued(call, () =>
        this.#tryDecide(call, { type: 'BlindTransferRequested', target: resolved, atMs }),
      );
      if (refusal !== undefined)
        return {
          ok: false,
          error: {
            reason: 'not-connected',
            message: 'End the consultation or monitoring before transferring.',
          },
        };
      return { ok: true, value: this.#view(call) };
    }
    await this.#queued(call, async () => {
      await this.#options.database.inTenant(this.#context(call), (tx) =>
        interactions
          .changeInteraction(tx, call.interactionId, { queueId: target.queueId, status: 'queued' })
          .then(() => undefined),
      );
      await this.#decide(call, {
        type: 'TransferToQueueRequested',
        queueId: target.queueId as QueueId,
        atMs,
      });
    });
    return { ok: true, value: this.#view(call) };
  }

  #view(call: ActiveCall): LiveCallView {
    const phase = call.decider.phase;
    const companion = phase.kind === 'connected' ? phase.companion : undefined;
    return {
      interactionId: call.interactionId,
      phase: phase.kind,
      agentId: phase.kind === 'connected' || phase.kind === 'offering' ? phase.agentId : null,
      isHeld: phase.kind === 'connected' && phase.isHeld,
      recording: call.recordingId === undefined ? 'off' : call.isRecordingPaused ? 'paused' : 'on',
      companion:
        companion === undefined
          ? null
          : {
              kind: companion.kind,
              userId: companion.userId,
              mode: companion.mode,
              isAnswered: companion.isAnswered,
            },
    };
  }

  async companion(
    tenantId: string,
    interactionId: string,
    request: CompanionRequest,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: CallControlRefusal }> {
    const call = await this.#controlledCall(tenantId, interactionId);
    if (call === undefined || call.tenantId !== tenantId)
      return {
        ok: false,
        error: { reason: 'not-found', message: 'This interaction has no call in progress.' },
      };
    const atMs = this.#now();
    const phase = call.decider.phase;
    const current = phase.kind === 'connected' ? phase.companion : undefined;
    const event: InboundCallEvent =
      request.action === 'monitor'
        ? current?.kind === 'supervisor' && current.userId === request.userId
          ? { type: 'CompanionModeRequested', mode: request.mode, atMs }
          : {
              type: 'CompanionRequested',
              kind: 'supervisor',
              userId: request.userId as AgentId,
              mode: request.mode,
              atMs,
            }
        : request.action === 'consult'
          ? {
              type: 'CompanionRequested',
              kind: 'colleague',
              userId: request.userId as AgentId,
              mode: 'consult',
              atMs,
            }
          : request.action === 'conference'
            ? { type: 'CompanionModeRequested', mode: 'conference', atMs }
            : request.action === 'hand-over'
              ? { type: 'AgentLeaveRequested', atMs }
              : { type: 'CompanionEndRequested', atMs };
    const refusal = await this.#queued(call, () => this.#tryDecide(call, event));
    if (refusal !== undefined)
      return { ok: false, error: { reason: 'not-connected', message: companionRefusal(request, call) } };
    return { ok: true, value: this.#view(call) };
  }

  // ---- SIP -------------------------------------------------------------------------------------------

  onInvite(transaction: ServerTransaction): void {
    if (headerValue(transaction.request.headers, 'to')?.match(/;\s*tag=/i)) {
      this.onInDialogRequest(transaction);
      return;
    }
    if (this.#isClosed) {
      transaction.reply(503, 'Service Unavailable');
      return;
    }
    this.#track(this.#acceptInbound(transaction));
  }

  onInDialogRequest(transaction: ServerTransaction): void {
    this.#legs.onInDialogRequest(transaction, (leg) => this.#localMedia.get(leg.legId));
  }

  onAck(_ack: SipRequest, _source: MessageSource, invite?: ServerTransaction): void {
    // The endpoint stops retransmitting our 2xx; only a caller waiting to be hung up waits for the ACK.
    if (invite !== undefined) this.#hangUpUnrecorded(invite);
  }

  /** Hangs up the caller of `invite` if its call could not be recorded (`#hangUpOnAck`). */
  #hangUpUnrecorded(invite: ServerTransaction): void {
    const leg = this.#hangUpOnAck.get(invite);
    if (leg === undefined) return;
    this.#hangUpOnAck.delete(invite);
    this.#legs.bye(leg);
    this.#legs.forget(leg);
  }

  onCancel(invite: ServerTransaction): void {
    this.#legs.cancelled(invite);
  }

  onAckTimeout(invite: ServerTransaction): void {
    // Never acknowledged: the dialog counts as confirmed and the session is ended with a BYE (RFC 3261 §13.3.1.4).
    this.#hangUpUnrecorded(invite);
    for (const call of this.#calls.values()) {
      if (call.customerLeg.inviteTransaction !== invite) continue;
      this.#enqueue(call, () =>
        this.#decide(call, { type: 'LegFailed', legId: call.customerLeg.legId, atMs: this.#now() }),
      );
    }
  }

  /**
   * A new INVITE from a trunk: the number called gives the tenant and its flow, the source address must
   * be one of the tenant's trunks, the SDP offer must be usable; then the call is answered, the caller
   * identified and the flow started.
   */
  async #acceptInbound(transaction: ServerTransaction): Promise<void> {
    const request = transaction.request;
    const realm = this.#phoneRealm(request);
    if (realm !== undefined) {
      await this.#acceptFromPhone(transaction, realm);
      return;
    }
    const uri = request.requestUri;
    const number = dialledDigits(uri.kind === 'sip' ? uri.user : undefined);
    if (number === undefined) {
      transaction.reply(404, 'Not Found - No Number in the Request-URI');
      return;
    }
    const candidates = number.startsWith('+') ? [number] : [`+${number}`, number];
    // One query gives the number's tenant and its configuration version; while the tenant's configuration
    // kept in memory is that version, its trunks and flows need no other query.
    const route = await this.#options.database.readAsSystem((tx) =>
      sipAccounts.findFirstDidRoute(tx, candidates),
    );
    if (route === undefined) {
      transaction.reply(404, 'Not Found - Number Not Served Here');
      return;
    }
    const context = this.#context(route);
    const configuration =
      this.#tenantConfiguration.at(route.tenantId, route.configurationVersion) ??
      (await this.#options.database.inTenant(context, (tx) => this.#tenantConfiguration.read(tx)));
    const trunkIds = trunksAccepting(configuration.trunks, transaction.source.remoteAddress);
    const setup =
      trunkIds.length === 0 && !configuration.trunks.hasDigest
        ? undefined
        : { trunkId: trunkIds[0], ...flowsOf(configuration) };
    if (setup === undefined) {
      this.#logger.info(
        { source: transaction.source.remoteAddress, number: route.number },
        'INVITE from an unknown trunk refused',
      );
      transaction.reply(403, 'Forbidden - Not a Trunk of This Number');
      return;
    }
    let trunkId = setup.trunkId;
    if (trunkId === undefined) {
      // No trunk takes calls from this address as it is, but one authenticates its carrier (RFC 3261 §22.2).
      const realm = sipAccounts.sipRealm(setup.tenant.slug, this.#options.sipDomain);
      const trunk = await this.#options.sip.authenticateTrunk(transaction, context, realm);
      if (trunk === undefined) return;
      trunkId = trunk.trunkId;
    }
    const flow = setup.published[route.flowKey];
    if (flow === undefined) {
      transaction.reply(480, 'Temporarily Unavailable - The Number Has No Published Flow');
      return;
    }
    const from = parseNameAddress(headerValue(request.headers, 'from') ?? '');
    const callerId = dialledDigits(from?.uri.kind === 'sip' ? from.uri.user : undefined) ?? null;
    const recording = setup.tenant.settings['recording'] as { policy?: unknown } | undefined;
    await this.#answerAndRun(transaction, {
      tenantId: route.tenantId,
      tenant: setup.tenant,
      published: setup.published,
      fallback: setup.fallback,
      queueReferences: setup.queueReferences,
      flow,
      direction: 'inbound',
      callerId,
      callerName: from?.displayName ?? null,
      presentedCallerId: callerId,
      remoteAddress: callerId ?? 'anonymous',
      dialledNumber: route.number,
      identifyNumber: callerId,
      agentId: null,
      isRecorded: recording?.policy !== 'none',
      metadata: { dialledNumber: route.number, flowKey: route.flowKey },
      trunkId,
    });
  }

  /** The tenant realm (`<slug>.<SIP domain>`) of a call dialled on a registered phone, from its From URI. */
  #phoneRealm(request: SipRequest): string | undefined {
    const from = parseNameAddress(headerValue(request.headers, 'from') ?? '');
    if (from?.uri.kind !== 'sip') return undefined;
    const host = hostAddress(from.uri.host).toLowerCase();
    return host.endsWith(`.${this.#options.sipDomain.toLowerCase()}`) ? host : undefined;
  }

  /**
   * A call dialled on an agent's registered phone: authenticated with Digest as a proxy would (407), the
   * From must be the authenticated extension; then the dial plan decides (phone-dial-plan.ts): a feature code
   * changes the agent's presence and a prompt confirms it, an extension rings that colleague (an internal call,
   * never recorded), anything else is a number called through the tenant's trunk (an outbound customer call).
   */
  async #acceptFromPhone(transaction: ServerTransaction, realm: string): Promise<void> {
    const authenticated = await this.#options.sip.authenticate(transaction, realm, 'proxy');
    if (authenticated === undefined) return;
    const request = transaction.request;
    const { account, context } = authenticated;
    const from = parseNameAddress(headerValue(request.headers, 'from') ?? '');
    if (from?.uri.kind !== 'sip' || from.uri.user !== account.username) {
      transaction.reply(403, 'Forbidden - From Is Not Your Extension');
      return;
    }
    const dialled = request.requestUri.kind === 'sip' ? (request.requestUri.user ?? '') : '';
    const tenantId = context.tenantId as string;
    const setup = await this.#options.database.inTenant(context, async (tx) => {
      const configuration = await this.#tenantConfiguration.read(tx);
      const forCall = flowsOf(configuration);
      const tenant = forCall.tenant;
      const user = await users.getUser(tx, account.userId);
      const isExtension =
        /^[0-9]{2,8}$/.test(dialled) && (await sipAccounts.userIdByExtension(tx, dialled)) !== undefined;
      const number = isExtension
        ? undefined
        : normalizeChannelAddress('phone', dialled, tenant.defaultCountry, 'number');
      const trunk = configuration.trunks.outbound;
      const own = number?.ok === true ? await sipAccounts.findDidRoute(tx, number.value) : undefined;
      const presented = (await sipAccounts.listDids(tx))[0]?.number ?? null;
      return {
        user,
        isExtension,
        number: number?.ok === true ? number.value : undefined,
        hasTrunk: trunk !== undefined,
        ownNumberFlowKey: own?.tenantId === (context.tenantId as string) ? own.flowKey : undefined,
        presented,
        ...forCall,
      };
    });
    const breakReasons = await this.#options.routing.breakReasons(tenantId);
    const plan = phoneDialPlan({
      dialled,
      isExtension: setup.isExtension,
      number: setup.number,
      hasTrunk: setup.hasTrunk,
      ownNumberFlowKey: setup.ownNumberFlowKey,
      breakReasons,
      language: setup.user.language,
    });
    if (plan.kind === 'refused') {
      transaction.reply(plan.statusCode, plan.reasonPhrase);
      return;
    }
    if (plan.kind === 'own-number') {
      const ownFlow = setup.published[plan.flowKey];
      if (ownFlow === undefined) {
        transaction.reply(480, 'Temporarily Unavailable - The Number Has No Published Flow');
        return;
      }
      const recording = setup.tenant.settings['recording'] as { policy?: unknown } | undefined;
      await this.#answerAndRun(transaction, {
        tenantId,
        tenant: setup.tenant,
        published: setup.published,
        fallback: setup.fallback,
        queueReferences: setup.queueReferences,
        flow: ownFlow,
        direction: 'inbound',
        callerId: account.username,
        callerName: setup.user.displayName,
        presentedCallerId: account.username,
        remoteAddress: account.username,
        dialledNumber: plan.number,
        identifyNumber: null,
        agentId: null,
        isRecorded: recording?.policy !== 'none',
        metadata: { dialledNumber: plan.number, flowKey: plan.flowKey, placedFrom: 'phone' },
        trunkId: null,
      });
      return;
    }
    let flow = plan.flow;
    if (plan.kind === 'feature') {
      const changed = await this.#options.routing.selectPresence(
        tenantId,
        account.userId,
        plan.presence,
        'agent',
      );
      if (!changed.ok) {
        this.#logger.info(
          { userId: account.userId, code: dialled, reason: changed.error.message },
          'feature code refused by the ACD',
        );
        flow = plan.refusedFlow;
      }
    }
    const recording = setup.tenant.settings['recording'] as { policy?: unknown } | undefined;
    const isCustomerCall = plan.kind === 'number';
    await this.#answerAndRun(transaction, {
      tenantId,
      tenant: setup.tenant,
      published: setup.published,
      fallback: setup.fallback,
      queueReferences: setup.queueReferences,
      flow,
      direction: isCustomerCall ? 'outbound' : 'internal',
      callerId: account.username,
      callerName: setup.user.displayName,
      presentedCallerId: isCustomerCall ? setup.presented : account.username,
      remoteAddress: plan.kind === 'number' ? plan.number : dialled,
      dialledNumber: plan.kind === 'number' ? plan.number : dialled,
      identifyNumber: plan.kind === 'number' ? plan.number : null,
      agentId: account.userId,
      isRecorded: isCustomerCall && recording?.policy !== 'none',
      metadata: {
        dialledNumber: dialled,
        placedFrom: 'phone',
        ...(plan.kind === 'feature' ? { featureCode: dialled } : {}),
      },
      trunkId: null,
      isEngagingAgent: plan.kind !== 'feature',
      // A colleague called while on a customer's call may be handed that customer (an attended transfer).
      ...(plan.kind === 'extension' ? this.#placementBesides(account.userId) : {}),
    });
  }

  /** The media placement of the call `userId` talks on as its agent, if any (see `ActiveCall.mediaPlacement`). */
  #placementBesides(userId: string): { readonly mediaPlacement?: string } {
    for (const call of this.#calls.values()) {
      const phase = call.decider.phase;
      if (phase.kind === 'connected' && (phase.agentId as string) === userId)
        return { mediaPlacement: call.mediaPlacement };
    }
    return {};
  }

  /**
   * Answers an INVITE whose flow is known and runs it: the SDP offer must be usable; the call is answered, the
   * interaction created (the customer identified by `identifyNumber`), `CallReceived` and `CallAnswered`
   * recorded, and the flow started. Shared by calls from trunks and calls dialled on agents' phones.
   */
  async #answerAndRun(transaction: ServerTransaction, start: CallStart): Promise<void> {
    const request = transaction.request;
    const probe = SipLegs.negotiate(request.body, { address: this.#options.mediaAddress, rtpPort: 9 });
    if (probe === undefined) {
      transaction.reply(400, 'Bad Request - Malformed SDP');
      return;
    }
    if (!probe.ok) {
      transaction.reply(488, 'Not Acceptable Here');
      return;
    }
    if (transaction.hasFinalResponse) return;
    const legId = `c${randomBytes(6).toString('hex')}`;
    const mediaPlacement = start.mediaPlacement ?? legId;
    const created = await this.#createMediaLeg(legId, mediaPlacement, probe.value.audio, true);
    if (created === undefined) {
      transaction.reply(503, 'Service Unavailable - No Media Port');
      return;
    }
    const answer = SipLegs.negotiate(request.body, created);
    // A CANCEL may have answered the INVITE (487) while the media leg was being made.
    const isCancelled = (): boolean => transaction.hasFinalResponse;
    if (answer === undefined || !answer.ok || isCancelled()) {
      await this.#options.media.destroyLeg(legId);
      if (!isCancelled()) transaction.reply(488, 'Not Acceptable Here');
      return;
    }
    const source = transaction.source;
    const leg: CallLeg = {
      legId,
      role: 'customer',
      interactionId: '',
      tenantId: start.tenantId,
      target: { protocol: source.protocol, address: source.remoteAddress, port: source.remotePort },
      dialog: undefined,
      inviteTransaction: transaction,
      localSdp: undefined,
      sdpVersion: 1,
      hasMedia: true,
      isEnded: false,
    };
    if (!this.#legs.answerCustomer(leg, transaction, answer.value.answer)) {
      await this.#options.media.destroyLeg(legId);
      return;
    }
    const startedAtMs = this.#now();
    const tenant = start.tenant;
    const context = this.#context(start);
    const record = await this.#options.database
      .inTenant(context, async (tx) => {
        const screenPop =
          start.identifyNumber === null
            ? undefined
            : await identifyCustomer(tx, 'phone', start.identifyNumber, start.tenant).catch(
                (error: unknown) => {
                  // A caller ID that is no phone number (anonymous, a SIP name) identifies nobody. Any other failure
                  // was a statement's, which aborted the transaction: the call cannot be recorded, so say why.
                  if (error instanceof StoreError && error.code === 'STORE_INVALID_INPUT') return undefined;
                  throw error;
                },
              );
        const interactionId = await interactions.insertInteraction(tx, {
          customerId: screenPop?.customer.id ?? null,
          channel: 'voice',
          direction: start.direction,
          status: 'in_progress',
          remoteAddress: start.remoteAddress,
          startedAt: new Date(startedAtMs),
          ...(start.agentId === null ? {} : { agentId: start.agentId }),
          metadata: { ...start.metadata, sipCallId: headerValue(request.headers, 'call-id') },
        });
        tx.recordEvent(
          'CallReceived',
          {
            interactionId,
            direction: start.direction,
            channel: 'voice',
            from: start.callerId,
            to: start.dialledNumber,
            customerId: screenPop?.customer.id ?? null,
            trunkId: start.trunkId,
            ...(start.agentId === null ? {} : { agentId: start.agentId }),
          },
          new Date(startedAtMs),
        );
        tx.recordEvent('CallAnswered', { interactionId, by: 'ivr' }, new Date(startedAtMs));
        return { interactionId: interactionId as InteractionId, screenPop };
      })
      .catch((error: unknown) => {
        this.#logger.error(
          { err: error, legId, callId: headerValue(request.headers, 'call-id') },
          'an answered call could not be recorded, so the caller is hung up: check that the database is reachable and its log',
        );
        return undefined;
      });
    if (record === undefined) {
      // Answered but nothing to run it with: free its media and hang up (once our 2xx is acknowledged).
      await this.#releaseMedia(leg);
      this.#hangUpOnAck.set(transaction, leg);
      if (transaction.isAcknowledged) this.#hangUpUnrecorded(transaction);
      return;
    }
    const interactionId = record.interactionId;
    leg.interactionId = interactionId;
    const fallback = start.fallback ?? defaultFallback(start.queueReferences);
    const call: ActiveCall = {
      tenantId: start.tenantId,
      tenantSlug: tenant.slug,
      realm: sipAccounts.sipRealm(tenant.slug, this.#options.sipDomain),
      interactionId,
      customerLeg: leg,
      callerId: start.presentedCallerId,
      callerName: start.callerName,
      dialledNumber: start.dialledNumber,
      queueReferences: start.queueReferences,
      context: { timeZone: tenant.timeZone, fallback, publishedFlows: start.published },
      defaultLanguage: tenant.defaultLanguage,
      screenPop: start.direction === 'inbound' ? record.screenPop : undefined,
      startedAtMs,
      decider: startInboundCall({
        interactionId,
        customerLegId: legId,
        isRecorded: start.isRecorded,
      }),
      ivr: initialCallState(start.flow),
      ...untouchedCall(),
      recordingId: undefined,
      recordingSegments: 0,
      isRecordingPaused: false,
      wasAnsweredByAgent: false,
      mediaPlacement,
      isOutsideAcd: false,
      engagedUserId: start.isEngagingAgent === true ? (start.agentId ?? undefined) : undefined,
    };
    this.#calls.set(interactionId, call);
    if (call.engagedUserId !== undefined)
      await this.#engage(call.tenantId, call.engagedUserId, interactionId, true);
    this.#callsByLeg.set(legId, call);
    this.#logger.info(
      {
        tenantId: call.tenantId,
        interactionId,
        legId,
        number: start.dialledNumber,
        direction: start.direction,
      },
      'call answered',
    );
    this.#enqueue(call, () =>
      this.#feedIvr(call, {
        type: 'Started',
        now: this.#now(),
        callId: interactionId,
        callerId: start.callerId,
        dialledNumber: start.dialledNumber,
      }),
    );
    // A BYE that came while the interaction was being stored found no call to tell (a carrier that cancels
    // right as we answer): the caller is gone already.
    if (leg.isEnded)
      this.#enqueue(call, () => this.#decide(call, { type: 'CustomerHungUp', atMs: this.#now() }));
  }

  /**
   * A media leg for a SIP leg. `isCustomer`: the keys pressed on it matter (the IVR, the queue's callback and
   * voicemail keys); on an agent's, a supervisor's or a transfer target's leg nobody listens to them, and the
   * engine then spares the in-band tone detection it would run on every packet from a phone without RFC 4733.
   */
  async #createMediaLeg(
    legId: string,
    placement: string,
    audio: NegotiatedAudio,
    isCustomer: boolean,
  ): Promise<LocalMedia | undefined> {
    const created = await this.#options.media.createLeg({
      legId,
      callId: placement,
      detectsDigits: isCustomer,
      remoteAddress: audio.remoteAddress === '0.0.0.0' ? '127.0.0.1' : audio.remoteAddress,
      remotePort: audio.remotePort,
      payloadType: audio.codec.name === 'PCMA' ? 8 : 0,
      ...(audio.telephoneEvent === undefined
        ? {}
        : { telephoneEventPayloadType: audio.telephoneEvent.payloadType }),
      noMediaTimeoutMs: this.#options.noMediaTimeoutMs,
    });
    if (!created.ok) {
      this.#logger.error({ legId, reason: created.error.message }, 'media leg could not be created');
      return undefined;
    }
    const local = { address: this.#options.mediaAddress, rtpPort: created.value.localPort };
    this.#localMedia.set(legId, local);
    return local;
  }

  #onLegSignal(signal: LegSignal): void {
    const placed = this.#placedByLeg.get(signal.leg.legId);
    if (placed !== undefined) {
      this.#onPlacedSignal(placed, signal);
      return;
    }
    const call = this.#callsByLeg.get(signal.leg.legId);
    if (call === undefined) return;
    const atMs = this.#now();
    const legId = signal.leg.legId;
    const isCustomer = signal.leg.role === 'customer';
    if (signal.leg.isTransferTarget === true) {
      this.#onTransferLegSignal(call, signal, atMs);
      return;
    }
    // A companion who was handed the call (takeover, attended transfer) is the call's agent from then on.
    const phase = call.decider.phase;
    const isNowAgent = phase.kind === 'connected' && phase.agentLegId === signal.leg.legId;
    if (signal.leg.isCompanion === true && !isNowAgent) {
      this.#onCompanionLegSignal(call, signal, atMs);
      return;
    }
    this.#enqueue(call, async () => {
      switch (signal.type) {
        case 'ringing':
          await this.#decide(call, { type: 'AgentLegRinging', agentLegId: legId, atMs });
          return;
        case 'answered': {
          const updated = await this.#options.media.updateRemote({
            legId,
            remoteAddress: signal.audio.remoteAddress,
            remotePort: signal.audio.remotePort,
            payloadType: signal.audio.codec.name === 'PCMA' ? 8 : 0,
            telephoneEventPayloadType: signal.audio.telephoneEvent?.payloadType ?? null,
          });
          if (!updated.ok)
            this.#logger.warn(
              { legId, reason: updated.error.message },
              'agent media could not follow the answer',
            );
          await this.#decide(call, { type: 'AgentLegAnswered', agentLegId: legId, atMs });
          return;
        }
        case 'failed':
          await this.#destroyMedia(signal.leg);
          await this.#decide(call, {
            type: 'AgentLegFailed',
            agentLegId: legId,
            statusCode: signal.statusCode,
            atMs,
          });
          return;
        case 'hungUp':
          await this.#decide(
            call,
            isCustomer ? { type: 'CustomerHungUp', atMs } : { type: 'AgentHungUp', agentLegId: legId, atMs },
          );
          return;
        case 'directionChanged':
          await this.#options.media.updateRemote({
            legId,
            remoteAddress:
              signal.audio.remoteAddress === '0.0.0.0' ? '127.0.0.1' : signal.audio.remoteAddress,
            remotePort: signal.audio.remotePort,
            noMediaTimeoutMs: signal.isHeld ? 0 : this.#options.noMediaTimeoutMs,
          });
          // A phone's hold key (re-INVITE with sendonly) holds the customer; the customer's own hold is theirs.
          if (!isCustomer && call.decider.phase.kind === 'connected')
            await this.#decide(call, { type: signal.isHeld ? 'HoldRequested' : 'ResumeRequested', atMs });
          return;
        case 'referred':
          await this.#onReferred(call, signal.leg, signal.target, signal.replaces);
          return;
        case 'sessionExpired':
          await this.#decide(call, { type: 'LegFailed', legId, atMs, isSessionExpired: true });
          return;
        case 'infoDigit':
          await this.#options.media.injectDigit(legId, signal.digit);
          return;
      }
    });
  }

  // ---- the decider -------------------------------------------------------------------------------------

  async #decide(call: ActiveCall, event: InboundCallEvent): Promise<void> {
    await this.#tryDecide(call, event);
  }

  /** Feeds the decider and carries out its commands; the refusal's message when the event does not fit. */
  async #tryDecide(call: ActiveCall, event: InboundCallEvent): Promise<string | undefined> {
    const result = nextInboundCall(call.decider, event);
    if (!result.ok) {
      this.#logger.debug(
        { interactionId: call.interactionId, event: event.type, reason: result.error.message },
        'call event ignored',
      );
      return result.error.message;
    }
    if (result.call.phase.kind === 'ended' && call.decider.phase.kind !== 'ended')
      call.phaseBeforeEnd = call.decider.phase.kind;
    call.decider = result.call;
    // The decision's own writes (its facts, a finished recording, a dropped leg's quality) go to the database
    // together, in one transaction: before any command that makes another part act (which may write its own
    // facts, so the stored order stays the order of what happened), at the end, or with the call's last write.
    const writes: PendingWrite[] = [];
    for (const command of result.commands) {
      if (writes.length > 0 && !keepsToTheCall.has(command.type)) await this.#write(call, writes);
      await this.#carryOut(call, command, writes);
    }
    if (call.decider.phase.kind === 'ended') await this.#finish(call, writes);
    else await this.#write(call, writes);
    return undefined;
  }

  /** Does the writes a decision left pending, in one transaction, and empties the list. */
  async #write(call: ActiveCall, writes: PendingWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const batch = writes.splice(0);
    // What the decision records already happened: the call goes on (its next commands are carried out) while a
    // refused write waits for the database (DeferredWrites), in order with the call's later writes.
    await this.#record(call, 'a call decision', (tx) => {
      for (const write of batch) write(tx);
    });
  }

  /**
   * Stores what already happened on a call (an answer, a queueing, an offer the caller heard, a voicemail's
   * ticket) in order with the call's other writes. The call goes on whether or not the database takes it now:
   * a refused write waits in `DeferredWrites` and is run again, so `write` must be safe to run again (its
   * events keep their ids across attempts: one whose COMMIT's answer was lost is not stored twice).
   * `fields` go to the log besides the interaction id.
   */
  async #record(
    about: InteractionRef,
    what: string,
    write: (tx: WriteTx) => void,
    fields: Readonly<Record<string, unknown>> = {},
  ): Promise<void> {
    // It reads nothing: its statements and events go in one round trip.
    await this.#keep(about, what, fields, (context, eventIdKey) =>
      this.#options.database.writeInTenant(context, write, { eventIdKey }),
    );
  }

  /** `#record` for a write that must read first (a transaction of several round trips). */
  async #recordAfterReading(
    about: InteractionRef,
    what: string,
    write: (tx: Tx) => Promise<void>,
    fields: Readonly<Record<string, unknown>> = {},
  ): Promise<void> {
    await this.#keep(about, what, fields, (context, eventIdKey) =>
      this.#options.database.inTenant(context, write, { eventIdKey }),
    );
  }

  /** Runs a write of `#record`'s in order with the call's others, kept and retried while it is refused. */
  async #keep(
    about: InteractionRef,
    what: string,
    fields: Readonly<Record<string, unknown>>,
    run: (context: TenantContext, eventIdKey: string) => Promise<void>,
  ): Promise<void> {
    const context = this.#context(about);
    await this.#deferred.run({
      what,
      fields: { interactionId: about.interactionId, ...fields },
      run: (eventIdKey) => run(context, eventIdKey),
    });
  }

  /**
   * Runs database work whose answer the call needs now (a lookup, a row it must have the id of); when the
   * database cannot do it, logs why and answers `undefined`, and the call goes on without it.
   */
  async #attempt<T>(
    about: InteractionRef,
    what: string,
    read: (tx: Tx) => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await this.#options.database.inTenant(this.#context(about), read);
    } catch (error) {
      this.#logger.error(
        { err: error, interactionId: about.interactionId },
        `${what} failed: the call goes on without it; check that the database is reachable and its log`,
      );
      return undefined;
    }
  }

  async #carryOut(call: ActiveCall, command: InboundCallCommand, writes: PendingWrite[]): Promise<void> {
    const media = this.#options.media;
    switch (command.type) {
      case 'PlayMusicOnHold':
        await media.play({
          legId: command.legId,
          items: musicOnHold,
          isLooping: true,
          playbackId: `moh-${command.legId}`,
        });
        return;
      // The stop and a bridge are not waited for: the media worker carries out a call's commands in the order they
      // were given (neither does anything on this thread before sending), and those given in one turn of the event
      // loop reach it together (one wake-up), as StopMusicOnHold, BridgeLegs and StartRecording do when the caller
      // is connected. A play is waited for: it may load a file before its command leaves.
      case 'StopMusicOnHold':
        void media.stopPlayback(command.legId);
        return;
      case 'InviteAgent':
        await this.#inviteAgent(call, command.agentId, command.agentLegId);
        return;
      case 'InviteTransferTarget':
        await this.#inviteTransferTarget(call, command.legId, command.target);
        return;
      case 'StartQueueVoicemail':
        await this.#startQueueVoicemail(call, command.queueId);
        return;
      case 'ConfirmQueueCallback':
        await this.#confirmQueueCallback(call);
        return;
      case 'StartFlow': {
        // The agent transferred the caller to a flow: it runs from its entry, as for a new call.
        const flow = call.context.publishedFlows[command.flowKey];
        if (flow === undefined) {
          await this.#decide(call, { type: 'FlowHungUp', atMs: this.#now() });
          return;
        }
        call.wasAnsweredByAgent = true;
        call.ivr = initialCallState(flow);
        await this.#feedIvr(call, {
          type: 'Started',
          now: this.#now(),
          callId: call.interactionId,
          callerId: call.callerId,
          dialledNumber: call.dialledNumber,
        });
        return;
      }
      case 'CancelAgentLeg':
      case 'HangUpLeg': {
        const legId = command.type === 'CancelAgentLeg' ? command.agentLegId : command.legId;
        const leg = this.#legs.legs.byId(legId);
        if (leg === undefined) return;
        if (command.type === 'CancelAgentLeg') this.#legs.cancel(leg);
        else this.#legs.bye(leg);
        const quality = await this.#releaseMedia(leg);
        if (quality === undefined || leg.interactionId === '') return;
        if (leg.interactionId === call.interactionId)
          writes.push((tx) => {
            tx.execute(interactions.interactionChange(leg.interactionId, { metadata: quality }));
          });
        else await this.#saveQuality(leg, quality);
        return;
      }
      case 'BridgeLegs': {
        void media.bridge(command.customerLegId, command.agentLegId).then((bridged) => {
          if (!bridged.ok)
            this.#logger.error(
              { interactionId: call.interactionId, reason: bridged.error.message },
              'legs could not be bridged',
            );
        });
        return;
      }
      case 'StartRecording': {
        // One file per agent who talks with the customer (a transfer starts the next one).
        call.recordingSegments += 1;
        const segment = call.recordingSegments === 1 ? '' : `-${String(call.recordingSegments)}`;
        const recordingId = `r-${call.interactionId}${segment}`;
        const day = new Date(this.#now()).toISOString().slice(0, 10).replaceAll('-', '/');
        const started = await media.recordStart({
          recordingId,
          customerLegId: command.customerLegId,
          agentLegId: command.agentLegId,
          path: `${call.tenantSlug}/${day}/${call.interactionId}${segment}.wav`,
        });
        if (started.ok) {
          call.recordingId = recordingId;
          call.isRecordingPaused = false;
        } else
          this.#logger.error(
            { interactionId: call.interactionId, reason: started.error.message },
            'recording could not start',
          );
        return;
      }
      case 'StopRecording': {
        if (call.recordingId === undefined) return;
        // Forget the id before stopping: the engine's recordingFinished event may arrive before the reply,
        // and it must not save the recording a second time.
        const recordingId = call.recordingId;
        call.recordingId = undefined;
        const stopped = await media.recordStop(recordingId);
        if (stopped.ok) {
          const summary = stopped.value;
          writes.push((tx) => {
            keepRecording(tx, call.interactionId, summary);
          });
        } else
          this.#logger.error(
            { interactionId: call.interactionId, reason: stopped.error.message },
            'recording could not be finished',
          );
        return;
      }
      case 'HoldCustomer':
        await media.unbridge(command.customerLegId);
        await media.play({
          legId: command.customerLegId,
          items: musicOnHold,
          isLooping: true,
          playbackId: `moh-${command.customerLegId}`,
        });
        return;
      case 'ResumeCustomer':
        await media.stopPlayback(command.customerLegId);
        await media.bridge(command.customerLegId, command.agentLegId);
        return;
      case 'TellRouting':
        await this.#tellRouting(call, command.event);
        return;
      case 'InviteCompanion':
        await this.#inviteCompanion(call, command.legId, command.userId, command.kind);
        return;
      case 'BridgePair':
      case 'UnbridgeLeg':
      case 'JoinConference':
      case 'SetConferenceMode':
      case 'LeaveConference':
        await carryOutConferenceCommand(media, call, command satisfies ConferenceCommand, this.#logger);
        return;
      case 'TellIvr':
        await this.#feedIvr(call, { type: command.event, now: this.#now() } as IvrEvent);
        return;
      case 'RecordFact': {
        const { type, atMs, ...data } = command.fact;
        writes.push((tx) => {
          tx.recordEvent(type, { interactionId: call.interactionId, ...data }, new Date(atMs));
        });
        return;
      }
    }
  }

  async #tellRouting(
    call: ActiveCall,
    event: Extract<InboundCallCommand, { type: 'TellRouting' }>['event'],
  ): Promise<void> {
    const contactId = call.interactionId;
    if (event.type === 'ContactArrived') call.isOutsideAcd = false;
    const refusal = await this.#options.routing.dispatch(
      call.tenantId,
      event.type === 'ContactArrived'
        ? {
            type: 'ContactArrived',
            contactId,
            queueId: event.queueId,
            channel: 'voice',
            language: call.ivr.language,
            ...(call.screenPop?.customer.isVip === true ? { customerPriority: 10 } : {}),
            ...(call.seniorityFromMs === undefined ? {} : { seniorityFromMs: call.seniorityFromMs }),
          }
        : event.type === 'OfferDeclined'
          ? { ...event, contactId }
          : event.type === 'OfferAccepted'
            ? { type: event.type, contactId, agentId: event.agentId }
            : event.type === 'ContactTransferred'
              ? { type: 'ContactTransferred', contactId, toQueueId: event.toQueueId }
              : { type: event.type, contactId },
    );
    if (refusal !== undefined)
      this.#logger.warn(
        { interactionId: contactId, event: event.type, code: refusal.code, reason: refusal.message },
        'routing refused a call event',
      );
  }

  #context(of: { readonly tenantId: string }): TenantContext {
    return { tenantId: of.tenantId as TenantId, actor: callLayerActor };
  }

  /**
   * A user's registered phones as INVITE branches (`phonesToRing`): one per phone that registered flows
   * (RFC 5626), on its newest open flow with the others as failover, one per Contact for the rest.
   */
  #phonesToRing(bindings: readonly sipAccounts.SipBinding[]): PhoneToRing[] {
    const endpoint = this.#options.sip.endpoint;
    return phonesToRing(bindings, (target) => endpoint.hasFlow(target));
  }

  /** The tenant, its flows, IVR fallback and queue references, as a call's flow needs them (one read). */
  async #flowsForCall(tx: Tx): Promise<FlowsForCall> {
    return flowsOf(await this.#tenantConfiguration.read(tx));
  }

  /** What happens on the leg of a flow's transfer (an extension's phone or a number through the trunk). */
  #onTransferLegSignal(call: ActiveCall, signal: LegSignal, atMs: number): void {
    const legId = signal.leg.legId;
    this.#enqueue(call, async () => {
      switch (signal.type) {
        case 'answered':
          await this.#options.media.updateRemote({
            legId,
            remoteAddress: signal.audio.remoteAddress,
            remotePort: signal.audio.remotePort,
            payloadType: signal.audio.codec.name === 'PCMA' ? 8 : 0,
            telephoneEventPayloadType: signal.audio.telephoneEvent?.payloadType ?? null,
          });
          // A colleague who picks up an extension's call is busy with it for the ACD.
          await this.#engageLeg(signal.leg, call.interactionId);
          await this.#decide(call, { type: 'TransferLegAnswered', legId, atMs });
          return;
        case 'failed':
          await this.#destroyMedia(signal.leg);
          await this.#decide(call, { type: 'TransferLegFailed', legId, statusCode: signal.statusCode, atMs });
          return;
        case 'hungUp':
        case 'sessionExpired':
          // A session nobody refreshed (RFC 4028) ends as a hang-up: its BYE is already sent.
          await this.#decide(call, { type: 'TransferLegHungUp', legId, atMs });
          return;
        case 'infoDigit':
          await this.#options.media.injectDigit(legId, signal.digit);
          return;
        case 'referred':
          this.#legs.notifyRefer(signal.leg, 603, 'Declined');
          return;
        case 'ringing':
        case 'directionChanged':
          return;
      }
    });
  }

  /**
   * The flow's transfer node: calls a colleague's extension (all their registered phones) or a number through the
   * tenant's outbound trunk, showing the caller's number. A target that cannot be called fails at once, and
   * the flow takes the node's onFailure.
   */
  async #inviteTransferTarget(call: ActiveCall, legId: string, target: FlowTransferTarget): Promise<void> {
    const now = new Date(this.#now());
    const resolve = async () => {
      if (target.kind === 'extension') {
        return await this.#options.database.inTenant(this.#context(call), async (tx) => {
          const userId = await sipAccounts.userIdByExtension(tx, target.extension);
          const [phone, ...otherPhones] =
            userId === undefined ? [] : this.#phonesToRing(await sipAccounts.listBindings(tx, userId, now));
          if (phone === undefined) return undefined;
          return {
            requestUri: phone.requestUri,
            target: phone.target,
            to: `<sip:${target.extension}@${call.realm}>`,
            credentials: undefined,
            userId,
            otherPhones,
            failoverTo: phone.failoverTo,
            route: phone.route,
          };
        });
      }
      // A number: the tenant's country and outbound trunk, from memory while its configuration is current.
      const { tenant, trunks } = await this.#tenantConfiguration.current(
        this.#options.database,
        this.#context(call),
      );
      const normalized = normalizeChannelAddress('phone', target.number, tenant.defaultCountry, 'number');
      const trunk = trunks.outbound;
      if (!normalized.ok || trunk === undefined) return undefined;
      const user = normalized.value.replace('+', '');
      return {
        requestUri: parseUri(trunkUri(user, trunk)),
        ...(await this.#trunkTargets(trunk)),
        to: `<sip:${user}@${trunk.host}>`,
        credentials:
          trunk.username !== null && trunk.secret !== null
            ? { username: trunk.username, password: trunk.secret }
            : undefined,
        userId: undefined,
        otherPhones: [],
      };
    };
    let resolved: Awaited<ReturnType<typeof resolve>>;
    try {
      resolved = await resolve();
    } catch (error) {
      this.#logger.error(
        { err: error, interactionId: call.interactionId, target },
        'the transfer target could not be looked up: check that the database is reachable and its log',
      );
      await this.#decide(call, { type: 'TransferLegFailed', legId, statusCode: 503, atMs: this.#now() });
      return;
    }
    const local =
      resolved?.requestUri === undefined
        ? undefined
        : await this.#createMediaLeg(legId, call.mediaPlacement, probeAudio(resolved.target.address), false);
    if (resolved?.requestUri === undefined || local === undefined) {
      this.#logger.info(
        { interactionId: call.interactionId, target },
        'the flow transfer target cannot be called',
      );
      await this.#decide(call, { type: 'TransferLegFailed', legId, statusCode: 480, atMs: this.#now() });
      return;
    }
    const leg: CallLeg = {
      legId,
      role: 'agent',
      interactionId: call.interactionId,
      tenantId: call.tenantId,
      target: resolved.target,
      dialog: undefined,
      localSdp: undefined,
      sdpVersion: 0,
      hasMedia: true,
      isEnded: false,
      isTransferTarget: true,
      ...(resolved.userId === undefined ? {} : { agentId: resolved.userId }),
    };
    this.#callsByLeg.set(legId, call);
    const fromUser = (call.callerId ?? 'anonymous').replace(/[^0-9+a-z]/gi, '');
    this.#legs.invite(
      leg,
      {
        requestUri: resolved.requestUri,
        from: `<sip:${fromUser}@${call.realm}>`,
        to: resolved.to,
        extraHeaders: [{ name: 'X-Centralita-Interaction-Id', value: call.interactionId }],
        credentials: resolved.credentials,
        failoverTo: resolved.failoverTo,
        route: 'route' in resolved ? resolved.route : undefined,
      },
      local,
      resolved.otherPhones,
    );
  }

  /**
   * No phone of the offered agent was rung: they have none registered (`no-phone`: the ACD puts them on a
   * break), or the server could not ring one (`server`); either way the ACD moves the offer on.
   */
  async #agentNotRung(call: ActiveCall, agentLegId: string, why: 'no-phone' | 'server'): Promise<void> {
    await this.#decide(call, {
      type: 'AgentLegFailed',
      agentLegId,
      statusCode: why === 'no-phone' ? 480 : 503,
      atMs: this.#now(),
      notRung: why,
    });
  }

  /** Calls the agent's registered phones (all of them, together), and sends the screen pop to their desktop. */
  async #inviteAgent(call: ActiveCall, agentId: AgentId, agentLegId: string): Promise<void> {
    const found = await this.#attempt(call, "finding the offered agent's phones", async (tx) => {
      const user = await users.getUser(tx, agentId);
      const phones = this.#phonesToRing(await sipAccounts.listBindings(tx, agentId, new Date(this.#now())));
      return { user, phones };
    });
    if (found === undefined) {
      // Nothing to ring without the database: the ACD takes the offer back and offers the call again.
      await this.#agentNotRung(call, agentLegId, 'server');
      return;
    }
    const [phone, ...otherPhones] = found.phones;
    if (phone === undefined || found.user.extension === null) {
      // Before the screen pop and the interaction's agent: the call never reaches this agent.
      this.#logger.info(
        { interactionId: call.interactionId, agentId },
        'the offered agent has no registered phone: the ACD puts them on a break',
      );
      await this.#agentNotRung(call, agentLegId, 'no-phone');
      return;
    }
    await this.#record(call, 'the agent a call is offered to', (tx) => {
      tx.execute({
        sql: 'UPDATE interactions SET agent_id = $2 WHERE id = $1',
        params: [call.interactionId, agentId],
      });
    });
    this.#options.bus.publish([
      {
        id: randomUUID(),
        type: 'ContactOffered',
        tenantId: call.tenantId as TenantId,
        occurredAt: new Date(this.#now()).toISOString(),
        recipientUserId: agentId,
        data: {
          interactionId: call.interactionId,
          agentId,
          channel: 'voice',
          callerId: call.callerId,
          dialledNumber: call.dialledNumber,
          queueId: call.decider.phase.kind === 'offering' ? call.decider.phase.queueId : null,
          screenPop: call.screenPop ?? null,
        },
      },
    ]);
    const probe: NegotiatedAudio = {
      codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
      telephoneEvent: { payloadType: 101, events: '0-16' },
      remoteAddress: phone.target.address,
      remotePort: 9,
      direction: 'sendrecv',
      mediaIndex: 0,
    };
    const local = await this.#createMediaLeg(agentLegId, call.mediaPlacement, probe, false);
    if (local === undefined) {
      await this.#agentNotRung(call, agentLegId, 'server');
      return;
    }
    const leg: CallLeg = {
      legId: agentLegId,
      role: 'agent',
      interactionId: call.interactionId,
      tenantId: call.tenantId,
      target: phone.target,
      dialog: undefined,
      localSdp: undefined,
      sdpVersion: 0,
      hasMedia: true,
      isEnded: false,
      agentId,
    };
    this.#callsByLeg.set(agentLegId, call);
    const customer = call.screenPop?.customer;
    const name =
      customer === undefined
        ? (call.callerName ?? call.callerId ?? 'Anonymous')
        : `${customer.firstName} ${customer.lastName}`.trim() || (call.callerId ?? 'Anonymous');
    const fromUser = (call.callerId ?? 'anonymous').replace(/[^0-9+a-z]/gi, '');
    this.#legs.invite(
      leg,
      {
        requestUri: phone.requestUri,
        from: `"${name.replace(/["\\]/g, '')}" <sip:${fromUser}@${call.realm}>`,
        to: `<sip:${found.user.extension}@${call.realm}>`,
        extraHeaders: [
          { name: 'X-Centralita-Interaction-Id', value: call.interactionId },
          ...(customer === undefined ? [] : [{ name: 'X-Centralita-Customer-Id', value: customer.id }]),
          { name: 'Call-Info', value: `<urn:uuid:${call.interactionId}>;purpose=info` },
        ],
        failoverTo: phone.failoverTo,
        route: phone.route,
      },
      local,
      otherPhones,
    );
  }

  /**
   * The agent's phone transferred the call (REFER, blind): the target is a colleague's extension or a number
   * (called through the trunk). The phone hears the outcome of taking it on in a NOTIFY: 200 and the agent's
   * leg is hung up, or 404 (nothing to call) or 603 (the call cannot be transferred now).
   */
  async #onReferred(
    call: ActiveCall,
    leg: CallLeg,
    target: Uri,
    replaces: Replaces | undefined,
  ): Promise<void> {
    if (replaces !== undefined) {
      await this.#onAttendedRefer(call, leg, replaces);
      return;
    }
    const phase = call.decider.phase;
    if (leg.role !== 'agent' || phase.kind !== 'connected' || phase.agentLegId !== leg.legId) {
      this.#legs.notifyRefer(leg, 603, 'Declined');
      return;
    }
    let resolved: ResolvedTransferTarget | undefined;
    try {
      resolved = await this.#transferTarget(
        call.tenantId,
        target.kind === 'sip' ? (target.user ?? '') : '',
        true,
      );
    } catch (error) {
      // The phone hears that the transfer failed, and keeps the caller (RFC 3515 §2.4.5).
      this.#logger.error(
        { err: error, interactionId: call.interactionId },
        'the transfer target could not be looked up: check that the database is reachable and its log',
      );
      this.#legs.notifyRefer(leg, 503, 'Service Unavailable');
      return;
    }
    if (resolved === undefined) {
      this.#legs.notifyRefer(leg, 404, 'Not Found');
      return;
    }
    const event: InboundCallEvent =
      resolved.kind === 'flow'
        ? { type: 'TransferToFlowRequested', flowKey: resolved.flowKey, atMs: this.#now() }
        : { type: 'BlindTransferRequested', target: resolved, atMs: this.#now() };
    if (!nextInboundCall(call.decider, event).ok) {
      this.#legs.notifyRefer(leg, 603, 'Declined');
      return;
    }
    // We take the transfer on: the phone's part is done (it hangs up, or we do).
    this.#legs.notifyRefer(leg, 200, 'OK');
    if (resolved.kind === 'flow') call.context = { ...call.context, publishedFlows: resolved.published };
    await this.#decide(call, event);
  }

  /**
   * The agent's phone completed an attended transfer (REFER with Replaces, RFC 5589 §7): it holds the
   * customer on one call and talks with a colleague it dialled on a second one, and the REFER comes on
   * either dialog naming the other. The colleague's leg moves to the customer's call, which hands the
   * customer over as the desktop's attended transfer does (`AttendedTransferFromPhone`); the second call ends
   * and both of the phone's dialogs are hung up. The phone hears 481 in the NOTIFY when the named dialog is
   * not one of its calls with us, and 603 when the pair cannot be joined (the second call is not connected,
   * or the customer's call has a third party). A second line to an outside number hands the customer to that
   * number's leg instead (`PhoneTransferredToNumber`).
   */
  async #onAttendedRefer(call: ActiveCall, leg: CallLeg, replaces: Replaces): Promise<void> {
    const replaced = this.#legs.legReplaced(replaces);
    const other = replaced === undefined ? undefined : this.#callsByLeg.get(replaced.legId);
    if (replaced === undefined || other === undefined || other === call) {
      this.#legs.notifyRefer(leg, 481, 'Call/Transaction Does Not Exist');
      return;
    }
    const isAgentLegOf = (active: ActiveCall, candidate: CallLeg): boolean =>
      active.decider.phase.kind === 'connected' && active.decider.phase.agentLegId === candidate.legId;
    const pair = isAgentLegOf(call, leg)
      ? { customerCall: call, consultCall: other, phoneLegInConsult: replaced }
      : isAgentLegOf(other, replaced)
        ? { customerCall: other, consultCall: call, phoneLegInConsult: leg }
        : undefined;
    const customerPhase = pair?.customerCall.decider.phase;
    const consultPhase = pair?.consultCall.decider.phase;
    const targetLeg =
      consultPhase?.kind === 'transferred' && consultPhase.isConnected
        ? this.#legs.legs.byId(consultPhase.legId)
        : undefined;
    const colleagueId = targetLeg?.agentId;
    if (
      pair === undefined ||
      customerPhase?.kind !== 'connected' ||
      consultPhase?.kind !== 'transferred' ||
      targetLeg === undefined ||
      pair.consultCall.customerLeg !== pair.phoneLegInConsult ||
      // Both calls are the same phone's: the agent on the customer's call dialled the colleague.
      pair.consultCall.engagedUserId !== (customerPhase.agentId as string)
    ) {
      this.#legs.notifyRefer(leg, 603, 'Declined');
      return;
    }
    const { customerCall, consultCall } = pair;
    const atMs = this.#now();
    // The second line rang a colleague's extension, or an outside number through the trunk.
    const event: InboundCallEvent =
      colleagueId === undefined
        ? {
            type: 'PhoneTransferredToNumber',
            number: consultCall.dialledNumber,
            legId: targetLeg.legId,
            atMs,
          }
        : {
            type: 'AttendedTransferFromPhone',
            colleagueId: colleagueId as AgentId,
            legId: targetLeg.legId,
            consultedAtMs: consultPhase.connectedAtMs ?? atMs,
            atMs,
          };
    if (!nextInboundCall(customerCall.decider, event).ok) {
      this.#legs.notifyRefer(leg, 603, 'Declined');
      return;
    }
    this.#legs.notifyRefer(leg, 200, 'OK');
    // The leg changes calls: its signals, its end and its media now belong to the customer's call.
    consultCall.releasedLegIds.add(targetLeg.legId);
    customerCall.adoptedLegIds.push(targetLeg.legId);
    this.#callsByLeg.set(targetLeg.legId, customerCall);
    // A colleague becomes the call's agent (a companion handed the call); a number stays a transfer's leg.
    targetLeg.isTransferTarget = colleagueId === undefined;
    targetLeg.isCompanion = colleagueId !== undefined;
    targetLeg.interactionId = customerCall.interactionId;
    const unbridged = await this.#options.media.unbridge(targetLeg.legId);
    if (!unbridged.ok)
      this.#logger.warn(
        { legId: targetLeg.legId, reason: unbridged.error.message },
        'the second line could not be unbridged',
      );
    await this.#engageLeg(targetLeg, customerCall.interactionId);
    this.#logger.info(
      { interactionId: customerCall.interactionId, from: customerPhase.agentId, to: colleagueId ?? 'number' },
      'attended transfer from the phone',
    );
    const handOver = async (): Promise<void> => {
      await this.#decide(customerCall, event);
    };
    const endConsultation = async (): Promise<void> => {
      await this.#decide(consultCall, { type: 'TransferLegHungUp', legId: targetLeg.legId, atMs });
    };
    // This runs in `call`'s queue of work; the other call's step goes to its own queue.
    if (customerCall === call) {
      await handOver();
      this.#enqueue(consultCall, endConsultation);
    } else {
      this.#enqueue(customerCall, handOver);
      await endConsultation();
    }
  }

  /**
   * What an agent's transfer target means, in one look at the tenant: a colleague's extension, else a number
   * in the tenant's country. With `isOwnNumberAFlow`, one of the tenant's own numbers with a published flow is
   * that flow (the caller goes there without leaving through the trunk), with the flows as published now.
   */
  async #transferTarget(
    tenantId: string,
    dialled: string,
    isOwnNumberAFlow = false,
  ): Promise<ResolvedTransferTarget | undefined> {
    return this.#options.database.inTenant(this.#context({ tenantId }), async (tx) => {
      if (/^[0-9]{2,8}$/.test(dialled) && (await sipAccounts.userIdByExtension(tx, dialled)) !== undefined)
        return { kind: 'extension', extension: dialled };
      const { tenant, published } = await this.#tenantConfiguration.read(tx);
      const normalized = normalizeChannelAddress('phone', dialled, tenant.defaultCountry, 'number');
      if (!normalized.ok) return undefined;
      const route = isOwnNumberAFlow ? await sipAccounts.findDidRoute(tx, normalized.value) : undefined;
      if (route?.tenantId === tenantId) {
        if (published[route.flowKey] !== undefined)
          return { kind: 'flow', flowKey: route.flowKey, published };
      }
      return { kind: 'external', number: normalized.value };
    });
  }

  /** What happens on the leg of a supervisor or a consulted colleague. */
  #onCompanionLegSignal(call: ActiveCall, signal: LegSignal, atMs: number): void {
    const legId = signal.leg.legId;
    this.#enqueue(call, async () => {
      switch (signal.type) {
        case 'answered':
        case 'directionChanged': {
          const updated = await this.#options.media.updateRemote({
            legId,
            remoteAddress:
              signal.audio.remoteAddress === '0.0.0.0' ? '127.0.0.1' : signal.audio.remoteAddress,
            remotePort: signal.audio.remotePort,
            ...(signal.type === 'answered'
              ? {
                  payloadType: signal.audio.codec.name === 'PCMA' ? 8 : 0,
                  telephoneEventPayloadType: signal.audio.telephoneEvent?.payloadType ?? null,
                }
              : { noMediaTimeoutMs: signal.isHeld ? 0 : this.#options.noMediaTimeoutMs }),
          });
          if (!updated.ok)
            this.#logger.warn(
              { legId, reason: updated.error.message },
              'companion media could not follow the answer',
            );
          if (signal.type === 'answered')
            await this.#decide(call, { type: 'CompanionLegAnswered', legId, atMs });
          return;
        }
        case 'failed':
          await this.#destroyMedia(signal.leg);
          await this.#decide(call, {
            type: 'CompanionLegFailed',
            legId,
            statusCode: signal.statusCode,
            atMs,
          });
          return;
        case 'hungUp':
        case 'sessionExpired':
          // A session nobody refreshed (RFC 4028) ends as a hang-up: its BYE is already sent.
          await this.#destroyMedia(signal.leg);
          await this.#decide(call, { type: 'CompanionHungUp', legId, atMs });
          return;
        case 'referred':
          this.#legs.notifyRefer(signal.leg, 603, 'Declined');
          return;
        case 'infoDigit':
        case 'ringing':
          return;
      }
    });
  }

  /**
   * Calls a supervisor's or a colleague's registered phone for the call's third leg. The display shows whom
   * the call is about; a user without a registered phone cannot join (the decider hears a 480).
   */
  async #inviteCompanion(
    call: ActiveCall,
    legId: string,
    userId: AgentId,
    kind: 'supervisor' | 'colleague',
  ): Promise<void> {
    const found = await this.#options.database.inTenant(this.#context(call), async (tx) => {
      const user = await users.getUser(tx, userId).catch(() => undefined);
      const phones =
        user === undefined
          ? []
          : this.#phonesToRing(await sipAccounts.listBindings(tx, userId, new Date(this.#now())));
      return { user, phones };
    });
    const [phone, ...otherPhones] = found.phones;
    const local =
      phone === undefined
        ? undefined
        : await this.#createMediaLeg(legId, call.mediaPlacement, probeAudio(phone.target.address), false);
    if (phone === undefined || local === undefined || found.user === undefined) {
      this.#logger.info(
        { interactionId: call.interactionId, userId, kind },
        'the companion has no registered phone',
      );
      await this.#decide(call, { type: 'CompanionLegFailed', legId, statusCode: 480, atMs: this.#now() });
      return;
    }
    const leg: CallLeg = {
      legId,
      role: 'agent',
      interactionId: call.interactionId,
      tenantId: call.tenantId,
      target: phone.target,
      dialog: undefined,
      localSdp: undefined,
      sdpVersion: 0,
      hasMedia: true,
      isEnded: false,
      agentId: userId,
      isCompanion: true,
    };
    this.#callsByLeg.set(legId, call);
    await this.#engageLeg(leg, call.interactionId);
    const customer = call.screenPop?.customer;
    const about =
      customer === undefined
        ? (call.callerName ?? call.callerId ?? 'Anonymous')
        : `${customer.firstName} ${customer.lastName}`.trim() || (call.callerId ?? 'Anonymous');
    const label = kind === 'supervisor' ? 'Supervision' : 'Consulta';
    this.#legs.invite(
      leg,
      {
        requestUri: phone.requestUri,
        from: `"${`${label}: ${about}`.replace(/["\\]/g, '')}" <sip:centralita@${call.realm}>`,
        to: `<sip:${found.user.extension ?? 'user'}@${call.realm}>`,
        extraHeaders: [
          { name: 'X-Centralita-Interaction-Id', value: call.interactionId },
          { name: 'X-Centralita-Companion', value: kind },
        ],
        failoverTo: phone.failoverTo,
        route: phone.route,
      },
      local,
      otherPhones,
    );
  }

  /**
   * Keeps the user a leg rings (`agentId`) engaged on `contactId` for the ACD, moving the engagement when the
   * leg changes calls; undefined ends it. A leg without a user is left alone.
   */
  async #engageLeg(leg: CallLeg, contactId: string | undefined): Promise<void> {
    const userId = leg.agentId;
    if (userId === undefined || leg.engagedContactId === contactId) return;
    const previous = leg.engagedContactId;
    leg.engagedContactId = contactId;
    if (previous !== undefined) await this.#engage(leg.tenantId, userId, previous, false);
    if (contactId !== undefined) await this.#engage(leg.tenantId, userId, contactId, true);
  }

  /**
   * Tells the ACD that a user is busy with (or free of) a contact it did not route: a call they placed or
   * dialled, a consultation, a monitored call. Users the ACD does not route are refused, which is fine.
   */
  async #engage(tenantId: string, userId: string, contactId: string, isEngaged: boolean): Promise<void> {
    const refusal = await this.#options.routing.dispatch(
      tenantId,
      isEngaged
        ? {
            type: 'AgentEngaged',
            agentId: userId as AgentId,
            contactId: contactId as InteractionId,
            channel: 'voice',
          }
        : { type: 'AgentDisengaged', agentId: userId as AgentId, contactId: contactId as InteractionId },
    );
    if (refusal !== undefined)
      this.#logger.debug({ userId, contactId, reason: refusal.message }, 'engagement not routed by the ACD');
  }

  async #destroyMedia(leg: CallLeg): Promise<void> {
    const quality = await this.#releaseMedia(leg);
    if (quality !== undefined && leg.interactionId !== '') await this.#saveQuality(leg, quality);
  }

  /** Keeps a leg's quality figures on its interaction, in a transaction of their own. */
  async #saveQuality(leg: CallLeg, quality: Record<string, LegQualityFigures>): Promise<void> {
    await this.#record(leg, "a leg's quality figures", (tx) => {
      tx.execute(interactions.interactionChange(leg.interactionId, { metadata: quality }));
    });
  }

  /**
   * Frees the leg's media (a supervisor's or a colleague's leg ending frees them for the ACD too) and
   * returns its quality figures as the interaction's metadata keeps them (`customerQuality`,
   * `agentQuality`…), or undefined when it had no media.
   */
  async #releaseMedia(leg: CallLeg): Promise<Record<string, LegQualityFigures> | undefined> {
    await this.#engageLeg(leg, undefined);
    if (!leg.hasMedia) return undefined;
    leg.hasMedia = false;
    this.#localMedia.delete(leg.legId);
    const destroyed = await this.#options.media.destroyLeg(leg.legId);
    if (!destroyed.ok) return undefined;
    const quality = destroyed.value;
    return {
      [`${leg.role}Quality`]: {
        packetsReceived: quality.packetsReceived,
        lossPercent: quality.lossPercent,
        jitterMs: quality.jitterMs,
        mos: quality.mos,
      },
    };
  }

  /** A call's (or a placed call's) finished recording, onto its interaction. */
  async #saveRecording(call: InteractionRef, summary: RecordingSummary): Promise<void> {
    // The recording is on disk whatever the database says: its row waits for the database if need be.
    await this.#record(
      call,
      'a recording',
      (tx) => {
        keepRecording(tx, call.interactionId, summary);
      },
      {
        path: summary.path,
      },
    );
  }

  /** The call is over: media freed, the interaction closed with what happened. */
  async #finish(call: ActiveCall, writes: PendingWrite[] = []): Promise<void> {
    // A decision after the end (a late answer hung up at once) still has its own writes to do.
    if (call.isFinished) {
      await this.#write(call, writes);
      return;
    }
    call.isFinished = true;
    clearTimeout(call.overflowTimer);
    const phase = call.decider.phase;
    if (phase.kind !== 'ended') {
      await this.#write(call, writes);
      return;
    }
    await this.#endVoicemail(call, false);
    let recording: RecordingSummary | undefined;
    if (call.recordingId !== undefined) {
      const recordingId = call.recordingId;
      call.recordingId = undefined;
      const stopped = await this.#options.media.recordStop(recordingId);
      if (stopped.ok) recording = stopped.value;
    }
    // Every leg's media at once (one wake of the media thread), their quality figures kept with the rest.
    const legs = [call.customerLeg];
    for (const legId of this.#otherLegIds(call)) {
      const leg = this.#legs.legs.byId(legId);
      if (leg !== undefined) legs.push(leg);
    }
    const qualities = await Promise.all(legs.map((leg) => this.#releaseMedia(leg)));
    const ownQuality: Record<string, LegQualityFigures> = {};
    const otherQualities: Promise<void>[] = [];
    legs.forEach((leg, index) => {
      this.#legs.forget(leg);
      const quality = qualities[index];
      if (quality === undefined || leg.interactionId === '') return;
      if (leg.interactionId === call.interactionId) Object.assign(ownQuality, quality);
      else otherQualities.push(this.#saveQuality(leg, quality));
    });
    await Promise.all(otherQualities);
    const wasAnswered =
      call.wasAnsweredByAgent ||
      (call.ivr.activity.kind === 'ended' && call.ivr.activity.outcome.kind === 'answered');
    const decisionWrites = writes.splice(0);
    // The call is over whatever the database says: a refused end is kept and stored later (DeferredWrites), and
    // the call is let go below, so its agent is free for the next one.
    const endWrite = (tx: WriteTx): void => {
      for (const write of decisionWrites) write(tx);
      if (recording !== undefined) keepRecording(tx, call.interactionId, recording);
      const metadata = {
        ...ownQuality,
        endCause: phase.cause,
        ivrPath: call.ivrPath,
        language: call.ivr.language,
      };
      // Abandoned: the caller left while waiting in a queue or while an agent's phone rang.
      const isAbandoned = call.phaseBeforeEnd === 'queued' || call.phaseBeforeEnd === 'offering';
      // A caller who took the queue's callback hung up still waiting for it: the callback ends the contact.
      if (call.callbackAcceptedAtMs !== undefined) {
        tx.execute(interactions.interactionChange(call.interactionId, { status: 'queued', metadata }));
        return;
      }
      // An answered ACD call goes to wrap-up unless its after-call work already ended (the agent was quick).
      tx.execute(
        interactions.interactionChange(call.interactionId, {
          endedAt: new Date(phase.endedAtMs),
          status: wasAnswered
            ? call.isOutsideAcd
              ? 'completed'
              : 'wrap_up'
            : isAbandoned
              ? 'abandoned'
              : 'completed',
          keepsCompleted: wasAnswered && !call.isOutsideAcd,
          metadata,
        }),
      );
    };
    await this.#record(call, 'the end of a call', endWrite);
    for (const legId of this.#otherLegIds(call)) this.#callsByLeg.delete(legId);
    this.#callsByLeg.delete(call.customerLeg.legId);
    this.#calls.delete(call.interactionId);
    if (call.engagedUserId !== undefined)
      await this.#engage(call.tenantId, call.engagedUserId, call.interactionId, false);
    this.#logger.info({ interactionId: call.interactionId, cause: phase.cause }, 'call ended');
  }

  /**
   * Every leg of a call besides the customer's: the agents offered (a), flow transfers (t), supervisors and
   * colleagues (s) it made, less those it handed to another call, plus those it took over.
   */
  #otherLegIds(call: ActiveCall): string[] {
    const made: string[] = [];
    for (let index = 1; index <= call.decider.agentLegCount; index++)
      for (const suffix of legSuffixes) made.push(`${call.customerLeg.legId}-${suffix}${String(index)}`);
    return [...made.filter((legId) => !call.releasedLegIds.has(legId)), ...call.adoptedLegIds];
  }

  /** The agent's after-call work ended (or there was none): the interaction is complete. */
  async #completeInteraction(
    tenantId: string,
    interactionId: string,
    hadWrapUp: boolean,
    occurredAt: string,
  ): Promise<void> {
    // After the call's end, which may itself wait for the database: DeferredWrites keeps their order.
    await this.#record({ tenantId, interactionId }, 'the end of a wrap-up', (tx) => {
      tx.execute(interactions.wrapUpCompletion(interactionId, hadWrapUp ? new Date(occurredAt) : undefined));
    });
  }

  // ---- the IVR ---------------------------------------------------------------------------------------

  async #feedIvr(call: ActiveCall, event: IvrEvent): Promise<void> {
    if (call.ivr.activity.kind === 'ended') return;
    const result = step(call.ivr, event, call.context);
    if (!result.ok) {
      this.#logger.debug(
        { interactionId: call.interactionId, event: event.type, reason: result.error.message },
        'IVR event ignored',
      );
      return;
    }
    call.ivr = result.value.state;
    call.pending = undefined;
    await this.#perform(call, result.value.commands, 0);
  }

  /** Carries out a batch of IVR commands from `start`, stopping at a prompt that must play to its end. */
  async #perform(call: ActiveCall, commands: readonly IvrCommand[], start: number): Promise<void> {
    const legId = call.customerLeg.legId;
    for (let index = start; index < commands.length; index++) {
      if (call.decider.phase.kind === 'ended') return;
      const command = commands[index];
      if (command === undefined) return;
      const isLast = index === commands.length - 1;
      const now = this.#now();
      switch (command.type) {
        case 'RecordNodeVisit':
          call.ivrPath.push(command.nodeId);
          break;
        case 'SetLanguage':
          break;
        case 'PlayPrompt': {
          const item = await this.#promptItem(call, command);
          const isBeforeCollect = commands[index + 1]?.type === 'CollectDigits';
          if (item === undefined) {
            if (isLast) {
              await this.#feedIvr(call, { type: 'PromptFinished', now });
              return;
            }
            break;
          }
          const playbackId = `p-${randomBytes(5).toString('hex')}`;
          if (isBeforeCollect) {
            await this.#options.media.play({
              legId,
              items: [item],
              isBargeIn: command.isBargeInAllowed,
              playbackId,
            });
            break;
          }
          call.pending = { commands, nextIndex: index + 1, playbackId };
          const played = await this.#options.media.play({ legId, items: [item], playbackId });
          if (!played.ok) {
            call.pending = undefined;
            this.#logger.warn(
              { interactionId: call.interactionId, reason: played.error.message },
              'prompt could not play',
            );
            break;
          }
          return;
        }
        case 'CollectDigits': {
          call.isIvrCollecting = true;
          const collecting = await this.#options.media.collectDigits({
            legId,
            minDigits: command.minDigits,
            maxDigits: command.maxDigits,
            terminators: command.terminator ?? '',
            firstDigitTimeoutMs: command.firstDigitTimeoutMs,
            interDigitTimeoutMs: command.interDigitTimeoutMs,
          });
          if (!collecting.ok) {
            call.isIvrCollecting = false;
            await this.#feedIvr(call, { type: 'DigitsTimedOut', now });
          }
          return;
        }
        case 'HttpRequest':
          await this.#feedIvr(call, await this.#httpRequest(call, command));
          return;
        case 'IdentifyCaller': {
          const identified = await this.#attempt(call, 'identifying the caller', (tx) =>
            command.by === 'accountNumber'
              ? tx
                  .query<{ id: string; name: string; isVip: boolean }>(
                    `SELECT id, trim(first_name || ' ' || last_name) AS name, is_vip AS "isVip" FROM customers
                     WHERE custom_fields ->> 'accountNumber' = $1 ORDER BY created_at LIMIT 1`,
                    [command.value],
                  )
                  .then((r) => r.rows[0])
                  .catch(() => undefined)
              : identifyCustomer(tx, 'phone', command.value)
                  .then((pop) => ({
                    id: pop.customer.id,
                    name: `${pop.customer.firstName} ${pop.customer.lastName}`.trim(),
                    isVip: pop.customer.isVip,
                  }))
                  .catch(() => undefined),
          );
          await this.#feedIvr(
            call,
            identified === undefined
              ? { type: 'CallerNotIdentified', now }
              : {
                  type: 'CallerIdentified',
                  now,
                  customerId: identified.id,
                  name: identified.name || null,
                  isVip: identified.isVip,
                },
          );
          return;
        }
        case 'RequestQueueFigures': {
          const stats = await this.#options.routing.queueStats(call.tenantId);
          const queueId = call.queueReferences.get(command.queueId) ?? command.queueId;
          const figures = stats.find((s) => s.queueId === queueId);
          await this.#feedIvr(
            call,
            figures === undefined
              ? { type: 'QueueFiguresUnavailable', now, queueId: command.queueId }
              : {
                  type: 'QueueFiguresAnswered',
                  now,
                  queueId: command.queueId,
                  agentsAvailable: figures.agentsByStatus['idle']?.count ?? 0,
                  callsWaiting: figures.waiting,
                  estimatedWaitMs: figures.estimatedWaitMs ?? 0,
                },
          );
          break;
        }
        case 'Enqueue': {
          const queueId = call.queueReferences.get(command.queueId);
          if (queueId === undefined) {
            this.#logger.warn(
              { interactionId: call.interactionId, queue: command.queueId },
              'the flow names an unknown queue',
            );
            await this.#feedIvr(call, { type: 'QueueOverflowed', now, reason: 'noAgentsLoggedIn' });
            return;
          }
          if (command.overflow?.whenNoAgentsLoggedIn === true) {
            const stats = (await this.#options.routing.queueStats(call.tenantId)).find(
              (s) => s.queueId === queueId,
            );
            const loggedIn = Object.entries(stats?.agentsByStatus ?? {}).reduce(
              (sum, [status, figure]) => (status === 'offline' ? sum : sum + figure.count),
              0,
            );
            if (loggedIn === 0) {
              await this.#feedIvr(call, { type: 'QueueOverflowed', now, reason: 'noAgentsLoggedIn' });
              return;
            }
          }
          const isFirstQueue = call.firstQueuedAtMs === undefined;
          call.firstQueuedAtMs ??= now;
          const reclaimed = isFirstQueue
            ? await this.#attempt(call, 'looking for a place to give back', (tx) =>
                this.#reclaimedPlace(tx, call, queueId, now),
              )
            : undefined;
          call.seniorityFromMs = reclaimed?.seniorityFromMs;
          const seniorityFromMs = call.seniorityFromMs ?? now;
          await this.#record(call, 'a call entering its queue', (tx) => {
            if (reclaimed !== undefined)
              tx.recordEvent('QueuePlaceReclaimed', {
                interactionId: call.interactionId,
                abandonedInteractionId: reclaimed.abandonedInteractionId,
                queueId,
                seniorityFrom: new Date(reclaimed.seniorityFromMs).toISOString(),
              });
            tx.execute(
              interactions.interactionChange(call.interactionId, {
                queueId,
                status: 'queued',
                ...(isFirstQueue
                  ? { metadata: { firstQueuedAt: new Date(seniorityFromMs).toISOString() } }
                  : {}),
              }),
            );
          });
          await this.#decide(call, { type: 'Enqueued', queueId: queueId as QueueId, atMs: now });
          clearTimeout(call.overflowTimer);
          const afterWaitMs = command.overflow?.afterWaitMs ?? null;
          if (afterWaitMs !== null) {
            // The ACD takes the contact out of the queue if it is still waiting then (not once connected).
            call.overflowTimer = setTimeout(() => {
              call.overflowTimer = undefined;
              this.#enqueue(call, async () => {
                if (call.decider.phase.kind !== 'queued' && call.decider.phase.kind !== 'offering') return;
                await this.#options.routing.dispatch(call.tenantId, {
                  type: 'FlowOverflowDue',
                  contactId: call.interactionId,
                });
              });
            }, afterWaitMs);
            call.overflowTimer.unref();
          }
          return;
        }
        case 'StartVoicemail':
          await this.#startVoicemail(call, command);
          return;
        case 'ScheduleCallback':
          await this.#scheduleCallback(call, command);
          break;
        case 'RecordSurveyAnswer':
          await this.#record(call, 'a survey answer', (tx) => {
            tx.recordEvent(
              'SurveyQuestionAnswered',
              {
                interactionId: call.interactionId,
                surveyId: command.surveyId,
                questionId: command.questionId,
                answer: command.answer,
              },
              new Date(now),
            );
          });
          break;
        case 'Transfer':
          await this.#decide(call, { type: 'FlowTransferRequested', target: command.target, atMs: now });
          return;
        case 'Hangup':
          await this.#decide(call, { type: 'FlowHungUp', atMs: now });
          return;
        case 'LogFault':
          this.#logger.warn(
            {
              interactionId: call.interactionId,
              flowId: command.flowId,
              nodeId: command.nodeId,
              code: command.code,
              reason: command.message,
            },
            'IVR flow fault',
          );
          await this.#record(call, 'a flow fault', (tx) => {
            tx.recordEvent(
              'IvrFaulted',
              {
                interactionId: call.interactionId,
                flowId: command.flowId,
                version: command.version,
                nodeId: command.nodeId,
                code: command.code,
              },
              new Date(now),
            );
          });
          break;
      }
    }
  }

  /**
   * A caller who hung up while waiting in this queue and calls again within the tenant's window
   * (`settings.calls.placeReclaimWindowSeconds`, 300 by default; 0 turns it off) gets their place back: the
   * new contact's seniority is the abandoned one's. Returns that seniority and the abandoned contact, or
   * undefined.
   */
  async #reclaimedPlace(
    tx: Tx,
    call: ActiveCall,
    queueId: string,
    nowMs: number,
  ): Promise<{ seniorityFromMs: number; abandonedInteractionId: string } | undefined> {
    if (call.callerId === null) return undefined;
    const callerId = call.callerId;
    const tenant = (await this.#tenantConfiguration.read(tx)).tenant;
    const configured = (tenant.settings['calls'] as { placeReclaimWindowSeconds?: unknown } | undefined)
      ?.placeReclaimWindowSeconds;
    const windowS = typeof configured === 'number' && configured >= 0 ? configured : 300;
    if (windowS === 0) return undefined;
    const previous = (
      await tx.query<{ id: string; firstQueuedAt: string | null }>(
        `SELECT id, metadata ->> 'firstQueuedAt' AS "firstQueuedAt" FROM interactions
           WHERE remote_address = $1 AND queue_id = $2 AND status = 'abandoned' AND direction = 'inbound'
             AND ended_at > $3 AND id <> $4
           ORDER BY ended_at DESC LIMIT 1`,
        [callerId, queueId, new Date(nowMs - windowS * 1000), call.interactionId],
      )
    ).rows[0];
    if (previous?.firstQueuedAt == null) return undefined;
    const seniorityFromMs = Date.parse(previous.firstQueuedAt);
    if (!Number.isFinite(seniorityFromMs)) return undefined;
    return { seniorityFromMs, abandonedInteractionId: previous.id };
  }

  /**
   * The caller asked to be called back: a new outbound interaction (linked to this call) joins the queue as
   * a callback contact, with this call's seniority when the place is kept; the ACD reserves an agent when
   * its turn comes (`PlaceCallback`), and then the agent's phone rings first and the customer is called.
   */
  async #scheduleCallback(
    call: ActiveCall,
    command: Extract<IvrCommand, { type: 'ScheduleCallback' }>,
  ): Promise<void> {
    const queueId = call.queueReferences.get(command.queueId);
    if (queueId === undefined) {
      this.#logger.warn(
        { interactionId: call.interactionId, queue: command.queueId },
        'a callback names an unknown queue',
      );
      return;
    }
    const now = this.#now();
    const callback = await this.#attempt(call, 'storing the callback', async (tx) => {
      const tenant = (await this.#tenantConfiguration.read(tx)).tenant;
      const normalized = normalizeChannelAddress('phone', command.number, tenant.defaultCountry, 'number');
      if (!normalized.ok) return null;
      const pop = await identifyCustomer(tx, 'phone', normalized.value);
      const interaction = await interactions.createInteraction(tx, {
        customerId: pop.customer.id,
        channel: 'voice',
        direction: 'outbound',
        status: 'queued',
        queueId,
        remoteAddress: normalized.value,
        startedAt: new Date(now),
        metadata: { callbackFor: call.interactionId, language: command.language },
      });
      tx.recordEvent('CallbackRequestedByCaller', {
        interactionId: call.interactionId,
        callbackInteractionId: interaction.id,
        queueId,
        number: normalized.value,
        isPlaceKept: command.isPlaceKept,
      });
      return interaction.id;
    });
    if (callback === undefined) return;
    if (callback === null) {
      this.#logger.warn({ interactionId: call.interactionId }, 'the callback number is not a phone number');
      return;
    }
    const seniorityFromMs = command.isPlaceKept
      ? (call.seniorityFromMs ?? call.firstQueuedAtMs ?? call.startedAtMs)
      : now;
    const arrived = await this.#options.routing.dispatch(call.tenantId, {
      type: 'ContactArrived',
      contactId: callback as InteractionId,
      queueId: queueId as QueueId,
      channel: 'voice',
      language: command.language,
      seniorityFromMs,
    });
    this.#logger.info(
      { interactionId: call.interactionId, callback, queueId },
      'callback requested by the caller',
    );
    const requested =
      arrived ??
      (await this.#options.routing.dispatch(call.tenantId, {
        type: 'CallbackRequested',
        contactId: callback as InteractionId,
      }));
    if (requested !== undefined)
      this.#logger.warn(
        { interactionId: call.interactionId, code: requested.code, reason: requested.message },
        'the callback could not be queued',
      );
  }

  /** The ACD reserved an agent for a callback: ring the agent, then call the customer. */
  async #placeCallback(tenantId: string, contactId: string, agentId: string): Promise<void> {
    const interaction = await this.#attempt(
      { tenantId, interactionId: contactId },
      'reading the callback to place it',
      (tx) => interactions.getInteraction(tx, contactId),
    );
    if (interaction === undefined) {
      // Handled as a callback that could not be placed: the reserved agent is let go.
      await this.#options.routing.dispatch(tenantId, {
        type: 'CallbackFailed',
        contactId: contactId as InteractionId,
      });
      return;
    }
    // A caller who took the queue's callback is called on the number they were told.
    const callbackNumber = interaction.metadata['callbackNumber'];
    const placed = await this.placeCall(
      tenantId,
      agentId,
      {
        kind: 'number',
        number: typeof callbackNumber === 'string' ? callbackNumber : interaction.remoteAddress,
      },
      contactId,
    );
    if (!placed.ok) {
      this.#logger.warn(
        { interactionId: contactId, agentId, reason: placed.error.message },
        'callback could not be placed',
      );
      await this.#options.routing.dispatch(tenantId, {
        type: 'CallbackFailed',
        contactId: contactId as InteractionId,
      });
    }
  }

  /** Records the caller's message after a beep; it ends at the flow's limit or when the caller hangs up. */
  async #startVoicemail(
    call: ActiveCall,
    command: Extract<IvrCommand, { type: 'StartVoicemail' }>,
  ): Promise<void> {
    const legId = call.customerLeg.legId;
    const media = this.#options.media;
    if (command.isBeepPlayed)
      await media.play({
        legId,
        items: [
          {
            kind: 'tone',
            tone: { frequenciesHz: [1000], levelDbm0: -10, cadenceMs: [], isRepeating: true },
            durationMs: 400,
          },
        ],
        playbackId: `beep-${legId}`,
      });
    const recordingId = `vm-${call.interactionId}`;
    const day = new Date(this.#now()).toISOString().slice(0, 10).replaceAll('-', '/');
    const started = await media.recordStart({
      recordingId,
      customerLegId: legId,
      path: `${call.tenantSlug}/${day}/${call.interactionId}-voicemail.wav`,
    });
    if (!started.ok) {
      this.#logger.error(
        { interactionId: call.interactionId, reason: started.error.message },
        'voicemail could not start',
      );
      await this.#feedIvr(call, { type: 'VoicemailRecorded', now: this.#now(), recordingId, durationMs: 0 });
      return;
    }
    const timer = setTimeout(() => {
      this.#enqueue(call, () => this.#endVoicemail(call, true));
    }, command.maxDurationMs);
    timer.unref();
    call.voicemail = {
      recordingId,
      queueId: call.queueReferences.get(command.queueId) ?? null,
      subject: command.ticketSubject ?? (command.language === 'es' ? 'Mensaje de voz' : 'Voicemail'),
      timer,
      isFromQueue: false,
    };
  }

  /**
   * A queue's voicemail (its overflow rule, or an escalation step): the caller hears that nobody can answer and
   * how to leave a message, a beep, then up to two minutes are recorded; the message becomes a ticket of the
   * queue and the call ends.
   */
  /**
   * The queue's escalation offers the waiting caller a callback that keeps their place: the offer plays over
   * the music and stands for the rest of the wait. Callers without a number we can dial are not offered it.
   */
  async #offerQueueCallback(call: ActiveCall): Promise<void> {
    const phase = call.decider.phase;
    if (phase.kind !== 'queued' || call.callbackOffer !== undefined) return;
    const number = await this.#attempt(call, 'the callback offer', async (tx) => {
      const tenant = (await this.#tenantConfiguration.read(tx)).tenant;
      const normalized = normalizeChannelAddress(
        'phone',
        call.callerId ?? '',
        tenant.defaultCountry,
        'number',
      );
      return normalized.ok ? normalized.value : undefined;
    });
    if (number === undefined) {
      this.#logger.info(
        { interactionId: call.interactionId },
        'the caller has no number to call back: the callback is not offered',
      );
      return;
    }
    const language = call.ivr.language;
    const rendered = await this.#options.prompts.get({ language, text: callbackOfferText(language) });
    if (!rendered.ok) return;
    call.callbackOffer = { number, queueId: phase.queueId };
    const offeredAt = new Date(this.#now());
    await this.#record(call, 'a callback offer', (tx) => {
      tx.recordEvent(
        'CallbackOffered',
        { interactionId: call.interactionId, queueId: phase.queueId },
        offeredAt,
      );
    });
    const playbackId = `cbo-${randomBytes(4).toString('hex')}`;
    call.announcementId = playbackId;
    await this.#options.media.play({
      legId: call.customerLeg.legId,
      items: [{ kind: 'file', path: rendered.value.file }],
      playbackId,
    });
  }

  /**
   * The caller pressed 1 after the offer: the ACD keeps the contact's place as a callback (it reserves an
   * agent when the turn comes, then calls the customer), the caller hears the number we will call and the
   * line is hung up. Refused by the ACD (an agent just took the call): nothing changes.
   */
  async #acceptQueueCallback(call: ActiveCall, atMs: number): Promise<void> {
    const offer = call.callbackOffer;
    const phase = call.decider.phase;
    if (offer === undefined || call.callbackAcceptedAtMs !== undefined) return;
    if (phase.kind !== 'queued' && phase.kind !== 'offering') return;
    const refusal = await this.#options.routing.dispatch(call.tenantId, {
      type: 'CallbackRequested',
      contactId: call.interactionId,
    });
    if (refusal !== undefined) {
      this.#logger.info(
        { interactionId: call.interactionId, reason: refusal.message },
        'the callback the caller chose was refused',
      );
      return;
    }
    call.callbackAcceptedAtMs = atMs;
    await this.#record(call, 'a callback the caller took', (tx) => {
      tx.execute(
        interactions.interactionChange(call.interactionId, {
          metadata: { callbackRequestedAt: new Date(atMs).toISOString(), callbackNumber: offer.number },
        }),
      );
      tx.recordEvent(
        'CallbackRequestedByCaller',
        {
          interactionId: call.interactionId,
          callbackInteractionId: call.interactionId,
          queueId: phase.queueId,
          number: offer.number,
          isPlaceKept: true,
          isFromQueue: true,
        },
        new Date(atMs),
      );
    });
    this.#logger.info({ interactionId: call.interactionId }, 'the waiting caller took the callback');
    await this.#decide(call, { type: 'QueueCallbackAccepted', atMs });
  }

  /** The queue's escalation offers the waiting caller to leave a message instead: "press 2", over the music. */
  async #offerQueueVoicemail(call: ActiveCall): Promise<void> {
    const phase = call.decider.phase;
    if (phase.kind !== 'queued' || call.isVoicemailOffered) return;
    const language = call.ivr.language;
    const rendered = await this.#options.prompts.get({ language, text: voicemailOfferText(language) });
    if (!rendered.ok) return;
    call.isVoicemailOffered = true;
    const queueId = phase.queueId;
    const offeredAt = new Date(this.#now());
    await this.#record(call, 'a voicemail offer', (tx) => {
      tx.recordEvent('VoicemailOffered', { interactionId: call.interactionId, queueId }, offeredAt);
    });
    const playbackId = `vmo-${randomBytes(4).toString('hex')}`;
    call.announcementId = playbackId;
    await this.#options.media.play({
      legId: call.customerLeg.legId,
      items: [{ kind: 'file', path: rendered.value.file }],
      playbackId,
    });
  }

  /** The caller pressed 2 after the offer: out of the ACD, the queue's voicemail prompt and beep. */
  async #acceptQueueVoicemail(call: ActiveCall, atMs: number): Promise<void> {
    const phase = call.decider.phase;
    if (phase.kind !== 'queued' && phase.kind !== 'offering') return;
    call.isVoicemailOffered = false;
    const refusal = await this.#options.routing.dispatch(call.tenantId, {
      type: 'VoicemailChosen',
      contactId: call.interactionId,
    });
    if (refusal !== undefined) {
      this.#logger.info(
        { interactionId: call.interactionId, reason: refusal.message },
        'the voicemail the caller chose was refused',
      );
      return;
    }
    await this.#decide(call, { type: 'QueueVoicemailRequested', atMs });
  }

  /** Tells the caller the number we will call, then hangs up (when the confirmation has played). */
  async #confirmQueueCallback(call: ActiveCall): Promise<void> {
    const language = call.ivr.language;
    const rendered = await this.#options.prompts.get({
      language,
      text: callbackConfirmationText(language, call.callbackOffer?.number ?? ''),
    });
    if (!rendered.ok) {
      await this.#decide(call, { type: 'FlowHungUp', atMs: this.#now() });
      return;
    }
    const playbackId = `cbc-${call.customerLeg.legId}`;
    call.callbackConfirmationId = playbackId;
    await this.#options.media.play({
      legId: call.customerLeg.legId,
      items: [{ kind: 'file', path: rendered.value.file }],
      playbackId,
    });
  }

  async #startQueueVoicemail(call: ActiveCall, queueId: string): Promise<void> {
    const legId = call.customerLeg.legId;
    const media = this.#options.media;
    const language = call.ivr.language;
    const text =
      language === 'es'
        ? 'En este momento no podemos atender su llamada. Deje su mensaje después de la señal y le llamaremos.'
        : 'We cannot take your call right now. Please leave a message after the tone and we will call you back.';
    const rendered = await this.#options.prompts.get({ language, text });
    const beep = {
      kind: 'tone' as const,
      tone: { frequenciesHz: [1000], levelDbm0: -10, cadenceMs: [], isRepeating: true },
      durationMs: 400,
    };
    const playbackId = `qvm-${legId}`;
    await media.play({
      legId,
      items: rendered.ok ? [{ kind: 'file', path: rendered.value.file }, beep] : [beep],
      playbackId,
    });
    const recordingId = `vm-${call.interactionId}`;
    const day = new Date(this.#now()).toISOString().slice(0, 10).replaceAll('-', '/');
    const started = await media.recordStart({
      recordingId,
      customerLegId: legId,
      path: `${call.tenantSlug}/${day}/${call.interactionId}-voicemail.wav`,
    });
    if (!started.ok) {
      this.#logger.error(
        { interactionId: call.interactionId, reason: started.error.message },
        'queue voicemail could not start',
      );
      await this.#decide(call, { type: 'FlowHungUp', atMs: this.#now() });
      return;
    }
    const timer = setTimeout(() => {
      this.#enqueue(call, () => this.#endVoicemail(call, true));
    }, 120_000);
    timer.unref();
    call.voicemail = {
      recordingId,
      queueId,
      subject: language === 'es' ? 'Mensaje de voz de la cola' : 'Voicemail from the queue',
      timer,
      isFromQueue: true,
    };
  }

  /**
   * Closes the voicemail and turns it into a ticket for its queue with the recording on the interaction;
   * `isFlowContinuing` when the caller is still there (the time limit ran out) and the flow goes on.
   */
  async #endVoicemail(call: ActiveCall, isFlowContinuing: boolean): Promise<void> {
    const voicemail = call.voicemail;
    if (voicemail === undefined) return;
    call.voicemail = undefined;
    clearTimeout(voicemail.timer);
    const stopped = await this.#options.media.recordStop(voicemail.recordingId);
    if (!stopped.ok) {
      this.#logger.error(
        { interactionId: call.interactionId, reason: stopped.error.message },
        'voicemail lost',
      );
      return;
    }
    const summary = stopped.value;
    const customerId = call.screenPop?.customer.id;
    const leftAt = new Date(this.#now());
    await this.#recordAfterReading(call, 'a voicemail and its ticket', async (tx) => {
      // The queue may have been deleted while the caller spoke: the message is kept, without a queue.
      const queueId =
        voicemail.queueId !== null && (await directory.queueExists(tx, voicemail.queueId))
          ? voicemail.queueId
          : null;
      if (queueId !== voicemail.queueId)
        this.#logger.warn(
          { interactionId: call.interactionId, queueId: voicemail.queueId },
          'the voicemail’s queue was deleted: the message is kept without a queue',
        );
      await interactions.changeInteraction(tx, call.interactionId, {
        recordingRef: summary.path,
        ...(queueId === null ? {} : { queueId }),
        metadata: { voicemail: { durationMs: summary.durationMs, isComplete: summary.isComplete } },
      });
      let ticketId: string | null = null;
      // A ticket needs a customer: a withheld number leaves the message on the interaction only.
      if (customerId !== undefined) {
        const ticket = await tickets.createTicket(
          tx,
          {
            customerId,
            subject: voicemail.subject,
            description: `${call.callerId ?? 'anonymous'} → ${call.dialledNumber}: ${String(Math.round(summary.durationMs / 1000))} s`,
            queueId,
            interactionIds: [call.interactionId],
            createdBy: null,
          },
          leftAt,
        );
        ticketId = ticket.id;
        tx.recordEvent(
          'TicketCreated',
          { ticketId: ticket.id, number: ticket.number, customerId, status: ticket.status },
          leftAt,
        );
      }
      tx.recordEvent(
        'VoicemailLeft',
        {
          interactionId: call.interactionId,
          ticketId,
          queueId,
          path: summary.path,
          durationMs: summary.durationMs,
        },
        leftAt,
      );
    });
    if (isFlowContinuing && voicemail.isFromQueue) {
      await this.#decide(call, { type: 'FlowHungUp', atMs: this.#now() });
      return;
    }
    if (isFlowContinuing)
      await this.#feedIvr(call, {
        type: 'VoicemailRecorded',
        now: this.#now(),
        recordingId: voicemail.recordingId,
        durationMs: summary.durationMs,
      });
  }

  async #promptItem(
    call: ActiveCall,
    command: Extract<IvrCommand, { type: 'PlayPrompt' }>,
  ): Promise<PlaybackItem | undefined> {
    const text = command.audio.kind === 'tts' ? command.audio.text : command.audio.transcript;
    if (text === null || text.trim() === '') {
      this.#logger.warn(
        { interactionId: call.interactionId },
        'a recorded prompt without transcript cannot be played yet',
      );
      return undefined;
    }
    const rendered = await this.#options.prompts.get({ language: command.language, text });
    if (!rendered.ok) {
      this.#logger.warn(
        { interactionId: call.interactionId, reason: rendered.error.message },
        'prompt could not be rendered',
      );
      return undefined;
    }
    return { kind: 'file', path: rendered.value.file };
  }

  /** An IVR http node: relative URLs go to the platform's own API. */
  async #httpRequest(
    call: ActiveCall,
    command: Extract<IvrCommand, { type: 'HttpRequest' }>,
  ): Promise<IvrEvent> {
    const now = (): number => this.#now();
    try {
      const url = new URL(command.url, this.#options.apiBaseUrl());
      const isOwnApi = url.origin === new URL(this.#options.apiBaseUrl()).origin;
      const response = await fetch(url, {
        method: command.method,
        headers: {
          ...command.headers,
          ...(isOwnApi
            ? { 'x-centralita-ivr-token': this.#options.ivrToken, 'x-centralita-tenant': call.tenantId }
            : {}),
          ...(command.body === null ? {} : { 'content-type': 'application/json' }),
        },
        ...(command.body === null ? {} : { body: JSON.stringify(command.body) }),
        signal: AbortSignal.timeout(command.timeoutMs),
      });
      const text = await response.text();
      let body: unknown = null;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        body = text;
      }
      return { type: 'HttpResponded', now: now(), status: response.status, body };
    } catch (error) {
      return {
        type: 'HttpFailed',
        now: now(),
        reason: error instanceof Error ? error.message : String(error),
      };
    }
  }

  // ---- media and routing events ----------------------------------------------------------------------

  #onMediaEvent(event: MediaEvent): void {
    if (event.type === 'workerExited') {
      for (const legId of event.legIds) {
        const call = this.#callsByLeg.get(legId);
        if (call !== undefined)
          this.#enqueue(call, () => this.#decide(call, { type: 'LegFailed', legId, atMs: event.atMs }));
      }
      return;
    }
    if (event.type === 'recordingFinished') {
      // A recording that ended by itself (a leg destroyed, the engine stopping) is still saved.
      const interactionId = event.summary.recordingId.replace(/^r-/, '').slice(0, 36);
      const call = this.#calls.get(interactionId);
      if (call?.recordingId !== event.summary.recordingId) return;
      call.recordingId = undefined;
      this.#enqueue(call, () => this.#saveRecording(call, event.summary));
      return;
    }
    if (event.type === 'legDestroyed') return;
    const placed = this.#placedByLeg.get(event.legId);
    if (placed !== undefined) {
      if (event.type === 'noMedia')
        this.#enqueue(placed, () =>
          this.#decideOutbound(placed, { type: 'HangUpRequested', atMs: event.atMs }),
        );
      return;
    }
    const call = this.#callsByLeg.get(event.legId);
    if (call === undefined) return;
    this.#enqueue(call, async () => {
      switch (event.type) {
        case 'playbackFinished': {
          const pending = call.pending;
          if (pending !== undefined && pending.playbackId === event.playbackId) {
            call.pending = undefined;
            if (pending.nextIndex >= pending.commands.length)
              await this.#feedIvr(call, { type: 'PromptFinished', now: event.atMs });
            else await this.#perform(call, pending.commands, pending.nextIndex);
            return;
          }
          if (call.callbackConfirmationId === event.playbackId) {
            call.callbackConfirmationId = undefined;
            await this.#decide(call, { type: 'FlowHungUp', atMs: event.atMs });
            return;
          }
          if (call.announcementId === event.playbackId) {
            call.announcementId = undefined;
            if (call.decider.phase.kind === 'queued' || call.decider.phase.kind === 'offering')
              await this.#options.media.play({
                legId: event.legId,
                items: musicOnHold,
                isLooping: true,
                playbackId: `moh-${event.legId}`,
              });
          }
          return;
        }
        case 'collectDigitsResult':
          if (!call.isIvrCollecting) return;
          call.isIvrCollecting = false;
          await this.#feedIvr(
            call,
            event.digits === ''
              ? { type: 'DigitsTimedOut', now: event.atMs }
              : { type: 'DigitsCollected', now: event.atMs, digits: event.digits },
          );
          return;
        case 'noMedia':
          this.#logger.info(
            { interactionId: call.interactionId, legId: event.legId, seconds: event.seconds },
            'no media on a leg',
          );
          await this.#decide(call, { type: 'LegFailed', legId: event.legId, atMs: event.atMs });
          return;
        case 'digit':
          // The keys a waiting caller can press: the offered callback, the offered voicemail.
          if (event.digit === callbackAcceptDigit && call.callbackOffer !== undefined)
            await this.#acceptQueueCallback(call, event.atMs);
          else if (event.digit === voicemailAcceptDigit && call.isVoicemailOffered)
            await this.#acceptQueueVoicemail(call, event.atMs);
          return;
      }
    });
  }

  #onRoutingCommand(tenantId: string, command: RoutingCommand): void {
    if (command.type === 'PlaceCallback') {
      this.#track(this.#placeCallback(tenantId, command.contactId, command.agentId));
      return;
    }
    if (!('contactId' in command)) return;
    const call = this.#calls.get(command.contactId);
    if (call === undefined || call.tenantId !== tenantId) return;
    const atMs = this.#now();
    this.#enqueue(call, async () => {
      switch (command.type) {
        case 'OfferContact':
          await this.#decide(call, { type: 'AgentOffered', agentId: command.agentId, atMs });
          return;
        case 'WithdrawOffer':
          await this.#decide(call, { type: 'OfferWithdrawn', agentId: command.agentId, atMs });
          return;
        case 'ConnectContact':
          await this.#decide(call, { type: 'ContactConnected', agentId: command.agentId, atMs });
          await this.#record(call, 'a call answered by an agent', (tx) => {
            tx.execute(
              interactions.interactionChange(call.interactionId, {
                answeredAt: new Date(atMs),
                agentId: command.agentId,
                status: 'in_progress',
              }),
            );
            tx.recordEvent(
              'CallAnswered',
              { interactionId: call.interactionId, by: 'agent', agentId: command.agentId },
              new Date(atMs),
            );
          });
          return;
        case 'DisconnectContact':
        case 'RejectContact':
          await this.#decide(call, { type: 'QueueLeft', atMs });
          return;
        case 'RouteToDestination':
          if (command.destination === 'flow') {
            // The flow's own overflow: it goes on at its queue node's `next`.
            await this.#decide(call, { type: 'QueueLeft', atMs });
            return;
          }
          {
            // A number (through the trunk) or a colleague's extension; anything else ends the call, logged.
            if (call.decider.phase.kind !== 'queued' && call.decider.phase.kind !== 'offering') return;
            // Own numbers are not read as flows here, so a target is an extension or a number.
            const target = await this.#transferTarget(call.tenantId, command.destination);
            if (target === undefined || target.kind === 'flow') {
              this.#logger.warn(
                { interactionId: call.interactionId, destination: command.destination },
                'a queue overflows to a destination that is neither a number nor an extension',
              );
              await this.#decide(call, { type: 'FlowHungUp', atMs });
              return;
            }
            await this.#decide(call, { type: 'QueueDestinationRequested', target, atMs });
          }
          return;
        case 'OfferVoicemailToCaller':
          // An escalation step offers it: the caller chooses with 2 (`#acceptQueueVoicemail`).
          await this.#offerQueueVoicemail(call);
          return;
        case 'SendToVoicemail':
          // The queue's overflow: the caller leaves a message, which becomes a ticket.
          if (call.decider.phase.kind !== 'queued' && call.decider.phase.kind !== 'offering') return;
          await this.#decide(call, { type: 'QueueVoicemailRequested', atMs });
          return;
        case 'OfferCallbackToCaller':
          await this.#offerQueueCallback(call);
          return;
        case 'AnnounceQueuePosition': {
          if (call.decider.phase.kind !== 'queued' || command.position === undefined) return;
          const language = call.ivr.language;
          const minutes =
            command.estimatedWaitMs === undefined
              ? undefined
              : Math.max(1, Math.round(command.estimatedWaitMs / 60_000));
          const text =
            language === 'es'
              ? `Su posición en la cola es ${String(command.position)}.${minutes === undefined ? '' : ` El tiempo de espera estimado es de ${String(minutes)} ${minutes === 1 ? 'minuto' : 'minutos'}.`}`
              : `You are number ${String(command.position)} in the queue.${minutes === undefined ? '' : ` The estimated wait is ${String(minutes)} ${minutes === 1 ? 'minute' : 'minutes'}.`}`;
          const rendered = await this.#options.prompts.get({ language, text });
          if (!rendered.ok) return;
          const playbackId = `ann-${randomBytes(4).toString('hex')}`;
          call.announcementId = playbackId;
          await this.#options.media.play({
            legId: call.customerLeg.legId,
            items: [{ kind: 'file', path: rendered.value.file }],
            playbackId,
          });
          return;
        }
      }
    });
  }

  // ---- calls placed by agents (click-to-call, internal calls) ----------------------------------------

  /**
   * The call the desk controls act on: a call that came in, or a connected call the agent placed, adopted
   * first (`#adopt`) so that holding, transferring, consulting and monitoring work on it as on any other.
   */
  async #controlledCall(tenantId: string, interactionId: string): Promise<ActiveCall | undefined> {
    const placed = this.#placed.get(interactionId);
    if (placed !== undefined && placed.tenantId === tenantId)
      await this.#queued(placed, () => this.#adopt(placed));
    const call = this.#calls.get(interactionId);
    return call === undefined || call.tenantId !== tenantId ? undefined : call;
  }

  /**
   * A connected call the agent placed is taken over by the inbound decider (`adoptConnectedCall`): the other
   * party's leg plays the customer's part and the agent's leg stays the agent's; its recording and the
   * agent's engagement carry on. Nothing happens to a call that is not connected.
   */
  async #adopt(placed: PlacedCall): Promise<void> {
    const phase = placed.decider.phase;
    const { agentLegId, remoteLegId, agentId } = placed.decider;
    const customerLeg = this.#legs.legs.byId(remoteLegId);
    const agentLeg = this.#legs.legs.byId(agentLegId);
    if (
      phase.kind !== 'connected' ||
      placed.isFinished ||
      this.#placed.get(placed.interactionId) !== placed ||
      customerLeg === undefined ||
      agentLeg === undefined
    )
      return;
    const context = this.#context(placed);
    const setup = await this.#options.database.inTenant(context, async (tx) => ({
      interaction: await interactions.getInteraction(tx, placed.interactionId),
      ...(await this.#flowsForCall(tx)),
    }));
    const { tenant } = setup;
    const call: ActiveCall = {
      tenantId: placed.tenantId,
      tenantSlug: placed.tenantSlug,
      realm: sipAccounts.sipRealm(tenant.slug, this.#options.sipDomain),
      interactionId: placed.interactionId,
      customerLeg,
      callerId: setup.interaction.remoteAddress,
      callerName: null,
      dialledNumber: setup.interaction.remoteAddress,
      queueReferences: setup.queueReferences,
      context: {
        timeZone: tenant.timeZone,
        fallback: setup.fallback ?? defaultFallback(setup.queueReferences),
        publishedFlows: setup.published,
      },
      defaultLanguage: tenant.defaultLanguage,
      screenPop: undefined,
      startedAtMs: phase.connectedAtMs,
      decider: adoptConnectedCall({
        interactionId: placed.interactionId,
        customerLegId: remoteLegId,
        agentId,
        agentLegId,
        connectedAtMs: phase.connectedAtMs,
        isRecorded: placed.decider.isRecorded,
        isAcdContact: placed.isCallback,
      }),
      ivr: initialCallState(placedCallFlow(tenant.defaultLanguage)),
      ...untouchedCall(),
      recordingId: placed.recordingId,
      recordingSegments: placed.recordingId === undefined ? 0 : 1,
      isRecordingPaused: placed.isRecordingPaused,
      wasAnsweredByAgent: true,
      mediaPlacement: agentLegId.replace(/-agent$/, ''),
      adoptedLegIds: [agentLegId],
      isOutsideAcd: !placed.isCallback,
      // The agent placed the call engaged (a callback is the ACD's own contact): that ends with their leg now.
      engagedUserId: undefined,
    };
    if (!placed.isCallback) agentLeg.engagedContactId = placed.interactionId;
    placed.isFinished = true;
    this.#placed.delete(placed.interactionId);
    for (const legId of [agentLegId, remoteLegId]) {
      this.#placedByLeg.delete(legId);
      this.#callsByLeg.set(legId, call);
    }
    this.#calls.set(call.interactionId, call);
    this.#logger.info(
      { interactionId: call.interactionId, agentId },
      'placed call adopted for call controls',
    );
  }

  /**
   * Places a call for an agent: their own phone rings first; when they pick up, the other party is called
   * (a number through the tenant's outbound trunk, or a colleague's extension) while they hear ringback.
   */
  async placeCall(
    tenantId: string,
    agentId: string,
    target: PlaceCallTarget,
    /** The callback contact (an interaction the ACD reserved this agent for) this call carries out. */
    callbackOf?: string,
  ): Promise<{ ok: true; value: LiveCallView } | { ok: false; error: PlaceCallRefusal }> {
    const context = this.#context({ tenantId });
    const now = new Date(this.#now());
    const prepared = await this.#options.database.inTenant(context, async (tx) => {
      const tenant = (await this.#tenantConfiguration.read(tx)).tenant;
      const agent = await users.getUser(tx, agentId);
      const agentPhones = this.#phonesToRing(await sipAccounts.listBindings(tx, agentId, now));
      if (agentPhones.length === 0 || agent.extension === null)
        return {
          refusal: {
            reason: 'no-phone',
            message: 'Your phone is not registered: register it and try again.',
          },
        } as const;
      let remote: PreparedRemote;
      let customerId: string | null = null;
      let screenPopName: string | null = null;
      if (target.kind === 'number') {
        const normalized = normalizeChannelAddress('phone', target.number, tenant.defaultCountry, 'number');
        if (!normalized.ok)
          return { refusal: { reason: 'invalid-number', message: normalized.error.message } } as const;
        const trunk = await sipAccounts.outboundTrunk(tx);
        if (trunk === undefined)
          return {
            refusal: {
              reason: 'no-trunk',
              message: 'No trunk can place outside calls: give a trunk outbound settings.',
            },
          } as const;
        const pop = await identifyCustomer(tx, 'phone', normalized.value);
        customerId = pop.customer.id;
        screenPopName = `${pop.customer.firstName} ${pop.customer.lastName}`.trim() || null;
        const dids = await sipAccounts.listDids(tx);
        remote = {
          kind: 'number',
          address: normalized.value,
          trunk,
          presentedNumber: dids[0]?.number ?? normalized.value,
        };
      } else {
        const calleeId = await sipAccounts.userIdByExtension(tx, target.extension);
        if (calleeId === undefined)
          return {
            refusal: { reason: 'unknown-extension', message: `Nobody has extension ${target.extension}.` },
          } as const;
        const [phone, ...otherPhones] = this.#phonesToRing(await sipAccounts.listBindings(tx, calleeId, now));
        if (phone === undefined)
          return {
            refusal: {
              reason: 'no-phone',
              message: `Extension ${target.extension} has no registered phone.`,
            },
          } as const;
        remote = { kind: 'extension', address: target.extension, phone, otherPhones, calleeId };
      }
      const interaction =
        callbackOf === undefined
          ? await interactions.createInteraction(tx, {
              customerId,
              channel: 'voice',
              direction: target.kind === 'number' ? 'outbound' : 'internal',
              status: 'in_progress',
              agentId,
              remoteAddress: remote.address,
              startedAt: now,
              metadata: {
                placedBy: agentId,
                ...(remote.kind === 'extension' ? { calleeId: remote.calleeId } : {}),
              },
            })
          : await interactions.updateInteraction(tx, callbackOf, { agentId, status: 'in_progress' });
      // The callback of a caller who waited in a queue goes on the same contact, which stays inbound (one
      // call received, one dialled); the other calls placed start their contact here.
      tx.recordEvent(
        interaction.direction === 'inbound' ? 'CallbackDialled' : 'CallReceived',
        {
          interactionId: interaction.id,
          direction: target.kind === 'number' ? 'outbound' : 'internal',
          channel: 'voice',
          from: agent.extension,
          to: remote.address,
          customerId,
          agentId,
          // The agent's desktop shows its own calls from this (the ACD offers them nothing).
          ...(interaction.direction === 'inbound' ? {} : { placedFrom: 'desktop' }),
        },
        now,
      );
      return { tenant, agent, agentPhones, remote, interactionId: interaction.id, screenPopName } as const;
    });
    if (prepared.refusal !== undefined) return { ok: false, error: prepared.refusal };
    const { tenant, agent, agentPhones, remote, interactionId } = prepared;
    const realm = sipAccounts.sipRealm(tenant.slug, this.#options.sipDomain);
    const legBase = `o${randomBytes(6).toString('hex')}`;
    const agentLegId = `${legBase}-agent`;
    const remoteLegId = `${legBase}-remote`;
    const remoteTargets =
      remote.kind === 'number'
        ? await this.#trunkTargets(remote.trunk)
        : { target: remote.phone.target, failoverTo: remote.phone.failoverTo };
    const placed: PlacedCall = {
      tenantId,
      tenantSlug: tenant.slug,
      interactionId: interactionId as InteractionId,
      decider: startOutboundCall({
        interactionId: interactionId as InteractionId,
        agentId: agentId as AgentId,
        agentLegId,
        remoteLegId,
        isRecorded:
          remote.kind === 'number' &&
          (tenant.settings['recording'] as { policy?: unknown } | undefined)?.policy !== 'none',
      }),
      remote: {
        requestUri:
          remote.kind === 'number'
            ? parseUri(trunkUri(remote.address.replace('+', ''), remote.trunk))
            : remote.phone.requestUri,
        ...remoteTargets,
        from:
          remote.kind === 'number'
            ? `<sip:${remote.presentedNumber}@${realm}>`
            : `"${agent.displayName.replace(/["\\]/g, '')}" <sip:${agent.extension ?? ''}@${realm}>`,
        to:
          remote.kind === 'number'
            ? `<sip:${remote.address.replace('+', '')}@${remote.trunk.host}>`
            : `<sip:${remote.address}@${realm}>`,
        credentials:
          remote.kind === 'number' && remote.trunk.username !== null && remote.trunk.secret !== null
            ? { username: remote.trunk.username, password: remote.trunk.secret }
            : undefined,
        otherPhones: remote.kind === 'extension' ? remote.otherPhones : [],
        route: remote.kind === 'extension' ? remote.phone.route : [],
      },
      recordingId: undefined,
      isRecordingPaused: false,
      chain: Promise.resolve(),
      isFinished: false,
      isCallback: callbackOf !== undefined,
      wasConnected: false,
    };
    this.#placed.set(interactionId, placed);
    this.#placedByLeg.set(agentLegId, placed);
    this.#placedByLeg.set(remoteLegId, placed);
    // A callback is the ACD's own contact; any other call the agent places keeps them from offers meanwhile.
    if (!placed.isCallback) await this.#engage(tenantId, agentId, interactionId, true);
    const [agentPhone, ...otherAgentPhones] = agentPhones;
    const local =
      agentPhone === undefined
        ? undefined
        : await this.#createMediaLeg(agentLegId, legBase, probeAudio(agentPhone.target.address), false);
    if (agentPhone === undefined || local === undefined) {
      this.#enqueue(placed, () =>
        this.#decideOutbound(placed, { type: 'AgentLegFailed', statusCode: 503, atMs: this.#now() }),
      );
      return { ok: true, value: this.#placedView(placed) };
    }
    const callee = remote.kind === 'number' ? (prepared.screenPopName ?? remote.address) : remote.address;
    this.#legs.invite(
      this.#newLeg(placed, agentLegId, 'agent', agentPhone.target, agentId),
      {
        requestUri: agentPhone.requestUri,
        // The agent's phone shows whom it is calling.
        from: `"${callee.replace(/["\\]/g, '')}" <sip:${remote.address.replace(/[^0-9+a-z]/gi, '')}@${realm}>`,
        to: `<sip:${agent.extension ?? ''}@${realm}>`,
        extraHeaders: [{ name: 'X-Centralita-Interaction-Id', value: interactionId }],
        failoverTo: agentPhone.failoverTo,
        route: agentPhone.route,
      },
      local,
      otherAgentPhones,
    );
    this.#logger.info({ tenantId, interactionId, agentId, kind: remote.kind }, 'call placed by an agent');
    return { ok: true, value: this.#placedView(placed) };
  }

  async #trunkTargets(
    trunk: sipAccounts.TrunkDialling,
  ): Promise<{ readonly target: SendTarget; readonly failoverTo: readonly SendTarget[] }> {
    // RFC 3263 §4 on the trunk's host, port and transport as on a SIP URI: an address is used as it is; a
    // name with a port is looked up with A/AAAA; with a transport and no port, SRV of that transport; with
    // neither, NAPTR first. The first target is called; the others are failed over to (§4.3, SipLegs).
    const [first, ...rest] = await this.#options.sip.locate(
      { host: trunk.host, port: trunk.port ?? undefined, transport: trunk.transport ?? undefined },
      trunk.transport === null ? ['udp', 'tcp', 'tls'] : [trunk.transport],
    );
    if (first === undefined) throw new Error(`no address found for the trunk host ${trunk.host}`);
    return { target: first, failoverTo: rest };
  }

  #newLeg(placed: PlacedCall, legId: string, role: LegRole, target: SendTarget, agentId?: string): CallLeg {
    return {
      legId,
      role,
      interactionId: placed.interactionId,
      tenantId: placed.tenantId,
      target,
      dialog: undefined,
      localSdp: undefined,
      sdpVersion: 0,
      hasMedia: true,
      isEnded: false,
      ...(agentId === undefined ? {} : { agentId }),
    };
  }

  #placedView(placed: PlacedCall): LiveCallView {
    const phase = placed.decider.phase;
    return {
      interactionId: placed.interactionId,
      phase: phase.kind,
      agentId: placed.decider.agentId,
      isHeld: false,
      recording: placed.recordingId === undefined ? 'off' : placed.isRecordingPaused ? 'paused' : 'on',
      companion: null,
    };
  }

  #onPlacedSignal(placed: PlacedCall, signal: LegSignal): void {
    const atMs = this.#now();
    const isAgent = signal.leg.legId === placed.decider.agentLegId;
    this.#enqueue(placed, async () => {
      switch (signal.type) {
        case 'ringing':
          if (!isAgent) await this.#decideOutbound(placed, { type: 'RemoteLegRinging', atMs });
          return;
        case 'answered':
          await this.#options.media.updateRemote({
            legId: signal.leg.legId,
            remoteAddress: signal.audio.remoteAddress,
            remotePort: signal.audio.remotePort,
            payloadType: signal.audio.codec.name === 'PCMA' ? 8 : 0,
            telephoneEventPayloadType: signal.audio.telephoneEvent?.payloadType ?? null,
          });
          await this.#decideOutbound(placed, {
            type: isAgent ? 'AgentLegAnswered' : 'RemoteLegAnswered',
            atMs,
          });
          return;
        case 'failed':
          await this.#destroyMedia(signal.leg);
          await this.#decideOutbound(placed, {
            type: isAgent ? 'AgentLegFailed' : 'RemoteLegFailed',
            statusCode: signal.statusCode,
            atMs,
          });
          return;
        case 'hungUp':
          await this.#decideOutbound(placed, { type: isAgent ? 'AgentHungUp' : 'RemoteHungUp', atMs });
          return;
        case 'infoDigit':
          await this.#options.media.injectDigit(signal.leg.legId, signal.digit);
          return;
        case 'referred': {
          // The agent's phone transfers a call it placed: adopted, the call takes the REFER as any other.
          await this.#adopt(placed);
          const call = this.#callsByLeg.get(signal.leg.legId);
          if (call === undefined) this.#legs.notifyRefer(signal.leg, 603, 'Declined');
          else this.#enqueue(call, () => this.#onReferred(call, signal.leg, signal.target, signal.replaces));
          return;
        }
        case 'sessionExpired':
          // Nobody refreshed the leg's session (RFC 4028): its BYE is sent, the other leg follows.
          await this.#decideOutbound(placed, { type: 'SessionExpired', isAgentLeg: isAgent, atMs });
          return;
        case 'directionChanged':
          await this.#options.media.updateRemote({
            legId: signal.leg.legId,
            remoteAddress:
              signal.audio.remoteAddress === '0.0.0.0' ? '127.0.0.1' : signal.audio.remoteAddress,
            remotePort: signal.audio.remotePort,
            noMediaTimeoutMs: signal.isHeld ? 0 : this.#options.noMediaTimeoutMs,
          });
          return;
      }
    });
  }

  async #decideOutbound(placed: PlacedCall, event: OutboundCallEvent): Promise<void> {
    const result = nextOutboundCall(placed.decider, event);
    if (!result.ok) return;
    placed.decider = result.call;
    const media = this.#options.media;
    for (const command of result.commands) {
      switch (command.type) {
        case 'InviteRemote': {
          const local = await this.#createMediaLeg(
            command.remoteLegId,
            placed.decider.agentLegId.replace(/-agent$/, ''),
            probeAudio(placed.remote.target.address),
            true,
          );
          const uri = placed.remote.requestUri;
          if (local === undefined || uri === undefined) {
            await this.#decideOutbound(placed, {
              type: 'RemoteLegFailed',
              statusCode: 503,
              atMs: this.#now(),
            });
            return;
          }
          this.#legs.invite(
            this.#newLeg(placed, command.remoteLegId, 'customer', placed.remote.target),
            {
              requestUri: uri,
              from: placed.remote.from,
              to: placed.remote.to,
              extraHeaders: [],
              credentials: placed.remote.credentials,
              failoverTo: placed.remote.failoverTo,
              route: placed.remote.route,
            },
            local,
            placed.remote.otherPhones,
          );
          break;
        }
        case 'PlayRingback':
          await media.play({
            legId: command.legId,
            items: [{ kind: 'tone', tone: SPANISH_CALL_PROGRESS_TONES.ringback, durationMs: 120_000 }],
            isLooping: true,
            playbackId: `ringback-${command.legId}`,
          });
          break;
        case 'StopPlayback':
          await media.stopPlayback(command.legId);
          break;
        case 'BridgeLegs':
          await media.bridge(command.agentLegId, command.remoteLegId);
          break;
        case 'StartRecording': {
          const day = new Date(this.#now()).toISOString().slice(0, 10).replaceAll('-', '/');
          const recordingId = `r-${placed.interactionId}`;
          const started = await media.recordStart({
            recordingId,
            customerLegId: command.customerLegId,
            agentLegId: command.agentLegId,
            path: `${placed.tenantSlug}/${day}/${placed.interactionId}.wav`,
          });
          if (started.ok) {
            placed.recordingId = recordingId;
            placed.isRecordingPaused = false;
          }
          break;
        }
        case 'StopRecording': {
          const recordingId = placed.recordingId;
          if (recordingId === undefined) break;
          placed.recordingId = undefined;
          const stopped = await media.recordStop(recordingId);
          if (stopped.ok) await this.#saveRecording(placed, stopped.value);
          break;
        }
        case 'EndLeg': {
          const leg = this.#legs.legs.byId(command.legId);
          if (leg === undefined) break;
          this.#legs.cancel(leg);
          await this.#destroyMedia(leg);
          break;
        }
        case 'RecordFact': {
          const { type, atMs, ...data } = command.fact;
          const agentId = placed.decider.agentId;
          // The call goes on while a write the database cannot take waits (DeferredWrites), as for inbound calls.
          await this.#record(placed, 'a placed call decision', (tx) => {
            tx.recordEvent(type, { interactionId: placed.interactionId, agentId, ...data }, new Date(atMs));
            if (type === 'CallAnswered')
              tx.execute(
                interactions.interactionChange(placed.interactionId, { answeredAt: new Date(atMs) }),
              );
          });
          if (type === 'CallAnswered') {
            placed.wasConnected = true;
            if (placed.isCallback)
              await this.#options.routing.dispatch(placed.tenantId, {
                type: 'CallbackConnected',
                contactId: placed.interactionId,
              });
          }
          break;
        }
      }
    }
    if (placed.decider.phase.kind === 'ended') await this.#finishPlaced(placed);
  }

  async #finishPlaced(placed: PlacedCall): Promise<void> {
    if (placed.isFinished || placed.decider.phase.kind !== 'ended') return;
    placed.isFinished = true;
    const phase = placed.decider.phase;
    for (const legId of [placed.decider.agentLegId, placed.decider.remoteLegId]) {
      const leg = this.#legs.legs.byId(legId);
      if (leg !== undefined) {
        await this.#destroyMedia(leg);
        this.#legs.forget(leg);
      }
      this.#placedByLeg.delete(legId);
    }
    this.#placed.delete(placed.interactionId);
    if (!placed.isCallback)
      await this.#engage(placed.tenantId, placed.decider.agentId, placed.interactionId, false);
    if (placed.isCallback)
      await this.#options.routing.dispatch(
        placed.tenantId,
        placed.wasConnected
          ? { type: 'ContactEnded', contactId: placed.interactionId }
          : { type: 'CallbackFailed', contactId: placed.interactionId },
      );
    await this.#record(placed, 'the end of a placed call', (tx) => {
      tx.execute(
        interactions.interactionChange(placed.interactionId, {
          endedAt: new Date(phase.endedAtMs),
          status: 'completed',
          metadata: { endCause: phase.cause },
        }),
      );
    });
    this.#logger.info({ interactionId: placed.interactionId, cause: phase.cause }, 'placed call ended');
  }

  // ---- plumbing --------------------------------------------------------------------------------------

  #enqueue(call: { chain: Promise<void>; readonly interactionId: string }, work: () => Promise<void>): void {
    const next = call.chain.then(work).catch((error: unknown) => {
      this.#logger.error({ err: error, interactionId: call.interactionId }, 'call work failed');
    });
    call.chain = next;
  }

  /**
   * Runs `work` in the call's order (after its earlier work) and settles with its result, or rejects with its
   * error (a refused database write): a request waiting on it gets an answer either way instead of hanging.
   */
  #queued<T>(
    call: { chain: Promise<void>; readonly interactionId: string },
    work: () => Promise<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#enqueue(call, async () => {
        try {
          resolve(await work());
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.#logger.error({ err: error }, 'call service task failed');
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** For logs: the SIP URI of a leg's remote target. */
  static remoteTarget(leg: CallLeg): string | undefined {
    return leg.dialog === undefined ? undefined : serializeUri(leg.dialog.remoteTarget);
  }
}

/** Why a companion request does not fit the call, in words for the desk. */
function companionRefusal(request: CompanionRequest, call: ActiveCall): string {
  const phase = call.decider.phase;
  if (phase.kind !== 'connected') return 'The call is not connected to an agent yet.';
  const companion = phase.companion;
  switch (request.action) {
    case 'monitor':
      return companion === undefined
        ? 'A held call cannot be monitored; ask the agent to resume it.'
        : 'Someone else is already on this call (a supervisor or a consulted colleague).';
    case 'consult':
      return 'The call already has a third party; end it before consulting someone else.';
    case 'conference':
      return companion === undefined || companion.kind !== 'colleague'
        ? 'There is no consultation to turn into a conference.'
        : 'The colleague has not answered yet.';
    case 'hand-over':
      return companion === undefined
        ? 'Nobody is on the call to take it over.'
        : 'The other party has not answered yet.';
    case 'end':
      return 'Nobody else is on the call.';
  }
}
