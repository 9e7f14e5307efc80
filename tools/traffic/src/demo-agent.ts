import type { Random } from '@centralita/kernel';
import { ApiSession } from './api-session.ts';
import type { CallLog } from './call-log.ts';
import type { RangeMs } from './draws.ts';
import { drawMs, pick } from './draws.ts';
import { pause } from './pause.ts';
import type { PhoneCall } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';

/** The demo's dispositions by queue name (the codes the demo's wrap-up form offers). */
const dispositionsByQueue: Readonly<Record<string, readonly string[]>> = {
  Ventas: ['venta_cerrada', 'interesado_rellamar', 'no_interesado', 'informacion_enviada'],
  'Soporte técnico': [
    'resuelto_primer_contacto',
    'tecnico_programado',
    'escalado_segundo_nivel',
    'resuelto_remoto',
  ],
  Facturación: ['abono_realizado', 'informacion_facilitada', 'reclamacion_abierta', 'datos_actualizados'],
};

/** How a simulated agent behaves. */
export interface AgentHabits {
  /** How long the phone rings before the agent picks up (below the queue's offer timeout, 20 s by default). */
  readonly ringMs: RangeMs;
  /** How long a conversation lasts before the agent hangs up. */
  readonly talkMs: RangeMs;
  /** After-call work before the wrap-up is saved. */
  readonly wrapUpMs: RangeMs;
}

/** What an agent needs to start. */
export interface DemoAgentOptions {
  readonly baseUrl: string;
  readonly tenant: string;
  readonly email: string;
  readonly password: string;
  readonly sipServer: { readonly address: string; readonly port: number };
  /** The tenant's SIP domain and digest realm, `demo.<SIP domain>`. */
  readonly realm: string;
  readonly voicePitchHz: number;
  readonly random: Random;
  readonly habits: AgentHabits;
  readonly log: CallLog;
}

/**
 * A simulated agent: signed in to the API, with a soft phone registered as their extension, available;
 * answers each call after a short ring, talks, hangs up, and saves the wrap-up with a disposition.
 */
export class DemoAgent {
  readonly session: ApiSession;
  /** The queues this agent serves (from their live state). */
  readonly queueIds: readonly string[];
  readonly #options: DemoAgentOptions;
  readonly #work = new Set<Promise<void>>();
  readonly #stopping = new AbortController();
  #phone: SoftPhone | undefined;

  private constructor(options: DemoAgentOptions, session: ApiSession, queueIds: readonly string[]) {
    this.#options = options;
    this.session = session;
    this.queueIds = queueIds;
  }

  /** The agent's name as the server knows it. */
  get name(): string {
    return this.session.user.displayName;
  }

  /** Signs in and reads the agent's queues; the phone comes with `goOnline`. */
  static async signIn(options: DemoAgentOptions): Promise<DemoAgent> {
    const session = await ApiSession.login(options.baseUrl, {
      tenant: options.tenant,
      email: options.email,
      password: options.password,
    });
    const state = await session.expect<{ queueIds: readonly string[] }>(
      `Reading the state of ${options.email}`,
      'GET',
      '/api/agents/me/state',
    );
    return new DemoAgent(options, session, state.queueIds);
  }

  /** Registers the phone (throws with advice when refused), then becomes available. */
  async goOnline(): Promise<void> {
    const extension = this.session.user.extension;
    if (extension === null) throw new Error(`${this.session.user.email} has no extension to register`);
    const random = this.#options.random;
    this.#phone = await SoftPhone.open({
      server: this.#options.sipServer,
      account: { username: extension, password: this.#options.password, domain: this.#options.realm },
      voice: { pitchHz: this.#options.voicePitchHz, seed: Math.floor(random.next() * 2 ** 31) },
      onIncomingCall: (call) => {
        this.#track(this.#handle(call));
      },
    });
    try {
      await this.#phone.register();
    } catch (error) {
      await this.#phone.close();
      this.#phone = undefined;
      throw error;
    }
    // A run stopped by force may have left the agent available: that is where we want them anyway.
    const state = await this.session.expect<{ presence: { kind: string } }>(
      `Reading the state of ${this.name}`,
      'GET',
      '/api/agents/me/state',
    );
    if (state.presence.kind !== 'available')
      await this.session.expect(`Making ${this.name} available`, 'PUT', '/api/agents/me/presence', {
        presence: 'available',
      });
  }

  /** Hangs up, saves pending wrap-ups at once, goes offline, unregisters the phone and signs out. */
  async goOffline(): Promise<void> {
    this.#stopping.abort();
    await this.#phone?.hangUpAll();
    await Promise.all([...this.#work]);
    await this.session
      .request('PUT', '/api/agents/me/presence', { presence: 'offline' })
      .catch(() => undefined);
    await this.#phone?.close();
    await this.session.request('POST', '/api/auth/logout').catch(() => undefined);
  }

  #isStopping(): boolean {
    return this.#stopping.signal.aborted;
  }

  #track(work: Promise<void>): void {
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work));
  }

  async #handle(call: PhoneCall): Promise<void> {
    const { habits, log, random } = this.#options;
    const stop = this.#stopping.signal;
    if (this.#isStopping()) {
      call.hangUp();
      return;
    }
    log.ringing(call.interactionId, this.name);
    await Promise.race([pause(drawMs(random, habits.ringMs), stop), call.ended]);
    if (this.#isStopping() || call.state === 'ended') {
      call.hangUp();
      return;
    }
    if (!call.answer()) return;
    await Promise.race([pause(drawMs(random, habits.talkMs), stop), call.ended]);
    call.hangUp();
    await pause(drawMs(random, habits.wrapUpMs), stop);
    await this.#wrapUp(call.interactionId);
  }

  async #wrapUp(interactionId: string | undefined): Promise<void> {
    if (interactionId === undefined) return;
    const { log, random } = this.#options;
    const queue = log.queueOf(interactionId);
    const disposition = pick(random, dispositionsByQueue[queue ?? ''] ?? []) ?? null;
    const saved = await this.session
      .request('POST', `/api/interactions/${interactionId}/wrap-up`, {
        disposition,
        wrapUpNotes: 'Llamada simulada (centralita demo calls).',
      })
      .catch(() => undefined);
    if (saved !== undefined && saved.status === 200) log.wrappedUp(interactionId, this.name, disposition);
    else log.say(`${this.name} could not save the wrap-up (HTTP ${String(saved?.status ?? 'error')})`);
  }
}
