import type { Random } from '@centralita/kernel';
import { SeededRandom } from '@centralita/kernel';
import type { DtmfDigit } from '@centralita/media';
import { ApiSession } from './api-session.ts';
import type { CallRecord, TrafficSummary } from './call-log.ts';
import { CallLog, maskedNumber } from './call-log.ts';
import type { AgentHabits } from './demo-agent.ts';
import { DemoAgent } from './demo-agent.ts';
import { demoAccounts } from './demo-accounts.ts';
import { demoMenu, demoTrafficNumber, ensureDemoTrafficFlow } from './demo-flow.ts';
import type { RangeMs } from './draws.ts';
import { drawMs, exponential, pick, uniform } from './draws.ts';
import { EventFeed } from './event-feed.ts';
import { pause } from './pause.ts';
import type { CallEnding } from './phone-call.ts';
import { SoftPhone } from './soft-phone.ts';

/** How the simulated people behave; the defaults make a calm demo, tests make it brisk. */
export interface DemoHabits extends AgentHabits {
  /** From the answer of the call to the caller's key press (the greeting plays meanwhile). */
  readonly keyDelayMs: RangeMs;
  /** Average patience in the queue (exponential): a caller waiting longer hangs up (abandons). */
  readonly meanPatienceMs: number;
  /** Share of calls from numbers that are no customer's (they become new, unverified customers). */
  readonly unknownCallerShare: number;
}

/** The defaults of `centralita demo calls`. */
export const defaultDemoHabits: DemoHabits = {
  ringMs: { minMs: 2_000, maxMs: 7_000 },
  talkMs: { minMs: 20_000, maxMs: 75_000 },
  wrapUpMs: { minMs: 3_000, maxMs: 10_000 },
  keyDelayMs: { minMs: 2_500, maxMs: 4_000 },
  meanPatienceMs: 45_000,
  unknownCallerShare: 0.2,
};

/** What to simulate and against which server. */
export interface DemoTrafficOptions {
  /** The server's HTTP address, e.g. http://127.0.0.1:8080. */
  readonly baseUrl: string;
  /** The server's SIP address (UDP). */
  readonly sipServer: { readonly address: string; readonly port: number };
  /** The installation's SIP domain (the server's CENTRALITA_SIP_DOMAIN or host name). */
  readonly sipDomain: string;
  /** Demo agents with a phone, 1 to 8 (Lucía Fernández first). */
  readonly agents: number;
  /** Average arrival rate of customers (a Poisson process). */
  readonly callsPerMinute: number;
  /** How long customers keep calling; calls still going then are hung up. */
  readonly durationMs: number;
  /** Seed of every random choice (callers, keys, patience, ring and talk times). */
  readonly seed: number;
  /** Aborting stops the run early, as cleanly as its end. */
  readonly signal?: AbortSignal;
  readonly habits?: Partial<DemoHabits>;
}

/** What the run did. */
export interface DemoTrafficResult {
  readonly summary: TrafficSummary;
  /** Every call placed, with what the demo learnt of it. */
  readonly calls: readonly CallRecord[];
}

/** A caller of the demo: a customer of the tenant (with a name), or a number nobody knows. */
interface Caller {
  readonly number: string;
  readonly label: string;
  readonly name: string | undefined;
}

interface CustomerAnswer {
  readonly items: readonly {
    readonly displayName: string | null;
    readonly identities: readonly { readonly kind: string; readonly address: string }[];
  }[];
}

const streamTypes = ['CallReceived', 'ContactQueued', 'ContactAnswered', 'ContactFinished', 'CallEnded'];
/** How long the end waits for the server's last events (the calls hung up at the stop). */
const settleTimeoutMs = 5_000;

function describeEnding(ending: CallEnding): string {
  switch (ending.reason) {
    case 'failed':
      return `${String(ending.statusCode)} ${ending.reasonPhrase}${ending.statusCode === 403 ? ' (calls are accepted from the demo loopback trunk, 127.0.0.1, only)' : ''}`;
    case 'declined':
      return `declined (${String(ending.statusCode)})`;
    case 'local-hangup':
    case 'remote-hangup':
    case 'cancelled':
      return 'it ended before it was answered';
  }
}

/** The demo's callers: its customers with a phone number, and a fixed set of unknown numbers. */
function callersOf(customers: CustomerAnswer): { known: Caller[]; unknown: Caller[] } {
  const known: Caller[] = [];
  for (const customer of customers.items) {
    const phone = customer.identities.find((identity) => identity.kind === 'phone');
    const number = phone?.address.replace(/[\s().-]/g, '');
    if (number === undefined || !/^\+?[0-9]{6,20}$/.test(number)) continue;
    const name = customer.displayName ?? undefined;
    known.push({ number, name, label: name ?? `customer ${maskedNumber(number)}` });
  }
  // The same few numbers on every run: each becomes one unverified customer, not one per call.
  const unknown = Array.from({ length: 20 }, (_, index) => {
    const number = `+3469900${String(index).padStart(4, '0')}`;
    return { number, name: undefined, label: `an unknown caller (${maskedNumber(number)})` };
  });
  return { known, unknown };
}

/** Whatever the run needs while customers call. */
interface Run {
  readonly options: DemoTrafficOptions;
  readonly habits: DemoHabits;
  readonly log: CallLog;
  readonly phone: SoftPhone;
  readonly keys: readonly DtmfDigit[];
  readonly callers: { readonly known: readonly Caller[]; readonly unknown: readonly Caller[] };
  readonly random: Random;
  readonly stop: AbortSignal;
  readonly numbersInUse: Set<string>;
}

/**
 * Simulated customers and agents against a running Centralita: the admin makes sure the flow and number
 * of the demo traffic exist; `agents` demo agents sign in, register a soft phone each and become available;
 * customers call at random (Poisson) from the tenant's customers' numbers and some unknown ones, press a
 * menu key after the greeting, wait with a random patience, and talk until the agent hangs up. Every step
 * is told through `progress`; the end (the duration, or `signal`) hangs up, saves wrap-ups, puts the
 * agents offline and unregisters their phones.
 */
export async function runDemoTraffic(
  options: DemoTrafficOptions,
  progress: (line: string) => void,
): Promise<DemoTrafficResult> {
  if (!Number.isInteger(options.agents) || options.agents < 1 || options.agents > demoAccounts.agents.length)
    throw new RangeError(`agents must be 1 to ${String(demoAccounts.agents.length)}`);
  if (!(options.callsPerMinute > 0)) throw new RangeError('callsPerMinute must be above 0');
  const habits: DemoHabits = { ...defaultDemoHabits, ...options.habits };
  const realm = `demo.${options.sipDomain}`.toLowerCase();
  const stopping = new AbortController();
  const stopRun = (): void => {
    stopping.abort();
  };
  if (options.signal?.aborted === true) stopping.abort();
  options.signal?.addEventListener('abort', stopRun, { once: true });
  const agents: DemoAgent[] = [];
  let feed: EventFeed | undefined;
  let phone: SoftPhone | undefined;
  let admin: ApiSession | undefined;
  try {
    admin = await ApiSession.login(options.baseUrl, {
      tenant: demoAccounts.tenant,
      email: demoAccounts.admin,
      password: demoAccounts.password,
    });
    const setup = await ensureDemoTrafficFlow(admin);
    progress(
      setup.isFlowCreated || setup.isNumberCreated
        ? `Created the flow "demo-trafico" and its number ${demoTrafficNumber} (open at any hour; 1 sales, 2 technical support, 3 billing).`
        : `The flow "demo-trafico" and its number ${demoTrafficNumber} are in place.`,
    );
    const queues = await admin.expect<{ items: readonly { id: string; name: string }[] }>(
      'Listing the queues',
      'GET',
      '/api/queues?limit=200',
    );
    const customers = await admin.expect<CustomerAnswer>(
      'Listing the customers',
      'GET',
      '/api/customers?limit=200',
    );
    const agentNames = new Map<string, string>();
    const log = new CallLog({
      print: progress,
      nowMs: () => Date.now(),
      dialledNumber: demoTrafficNumber,
      queueNames: new Map(queues.items.map((queue) => [queue.id, queue.name])),
      agentNames,
    });
    feed = await EventFeed.open(admin, streamTypes, (event) => {
      log.onEvent(event);
    });

    for (const [index, email] of demoAccounts.agents.slice(0, options.agents).entries()) {
      const agent = await DemoAgent.signIn({
        baseUrl: options.baseUrl,
        tenant: demoAccounts.tenant,
        email,
        password: demoAccounts.password,
        sipServer: options.sipServer,
        realm,
        voicePitchHz: 115 + 12 * index,
        random: new SeededRandom(options.seed * 31 + index + 1),
        habits,
        log,
      });
      agents.push(agent);
      agentNames.set(agent.session.user.id, agent.name);
      // One at a time: a wrong SIP domain stops at the first refusal, before the registrar blocks us.
      await agent.goOnline();
      progress(
        `${agent.name} (${agent.session.user.extension ?? ''}) registered a phone to ${realm} and is available.`,
      );
    }

    const served = new Set(agents.flatMap((agent) => agent.queueIds));
    const keys = demoMenu
      .filter((option) => served.has(setup.queueIds.get(option.queue) ?? ''))
      .map((option) => option.key as DtmfDigit);
    if (keys.length === 0) throw new RangeError('the chosen agents serve none of the demo queues');
    phone = await SoftPhone.open({
      server: options.sipServer,
      voice: { pitchHz: 225, seed: options.seed },
    });
    progress(
      `Customers call ${demoTrafficNumber} about ${String(options.callsPerMinute)} times a minute for ${describeDuration(options.durationMs)} (seed ${String(options.seed)}); they press ${keys.join(', ')}. Ctrl-C stops.`,
    );
    const run: Run = {
      options,
      habits,
      log,
      phone,
      keys,
      callers: callersOf(customers),
      random: new SeededRandom(options.seed),
      stop: stopping.signal,
      numbersInUse: new Set(),
    };
    const calls = await placeCalls(run);
    log.say(
      `Stopping: ${calls.active() === 0 ? 'no call in progress' : `hanging up ${String(calls.active())} call(s)`}; agents go offline.`,
    );
    log.stopping();
    await phone.hangUpAll();
    await calls.done();
    await Promise.all(agents.splice(0).map((agent) => agent.goOffline()));
    await log.settled(settleTimeoutMs);
    return { summary: log.summary(), calls: log.records };
  } finally {
    options.signal?.removeEventListener('abort', stopRun);
    await phone?.close();
    await Promise.all(agents.map((agent) => agent.goOffline()));
    feed?.close();
    await admin?.request('POST', '/api/auth/logout').catch(() => undefined);
  }
}

function describeDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${String(ms / 60_000)} min` : `${String(Math.round(ms / 1000))} s`;
}

/** Customers arrive until the duration ends or the run is stopped; returns the calls still going. */
async function placeCalls(run: Run): Promise<{ active(): number; done(): Promise<void> }> {
  const { options, random, stop } = run;
  const active = new Set<Promise<void>>();
  const meanGapMs = 60_000 / options.callsPerMinute;
  const endMs = Date.now() + options.durationMs;
  // The first customer comes soon, so a newcomer sees something at once.
  let gapMs = Math.min(exponential(random, meanGapMs), 2_000);
  for (;;) {
    await pause(Math.min(gapMs, endMs - Date.now()), stop);
    if (stop.aborted || Date.now() >= endMs) break;
    const call = customerCall(run);
    active.add(call);
    void call.finally(() => active.delete(call));
    gapMs = exponential(random, meanGapMs);
  }
  return {
    active: () => active.size,
    done: async () => {
      await Promise.all([...active]);
    },
  };
}

/** The next caller: a customer most of the time, never a number already on a call. */
function nextCaller(run: Run): Caller | undefined {
  const { callers, random, habits } = run;
  const pool =
    random.next() < habits.unknownCallerShare || callers.known.length === 0 ? callers.unknown : callers.known;
  const first = Math.floor(random.next() * pool.length);
  for (let offset = 0; offset < pool.length; offset++) {
    const caller = pool[(first + offset) % pool.length];
    if (caller !== undefined && !run.numbersInUse.has(caller.number)) return caller;
  }
  return undefined;
}

/** Resolves when the signal aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
}

/** One customer: calls, presses a key after the greeting, waits with patience, talks until the agent hangs up. */
async function customerCall(run: Run): Promise<void> {
  const { log, habits, random, stop } = run;
  const caller = nextCaller(run);
  if (caller === undefined) return;
  // Everything random about this call is drawn now, so the arrivals replay the same for a seed.
  const key = pick(random, run.keys) ?? '1';
  const keyDelayMs = drawMs(random, habits.keyDelayMs);
  const patienceMs = Math.min(
    Math.max(exponential(random, habits.meanPatienceMs), 5_000),
    habits.meanPatienceMs * 4,
  );
  const record = log.placed(caller.number, caller.label);
  run.numbersInUse.add(caller.number);
  try {
    const call = await run.phone.call({
      number: demoTrafficNumber,
      callerId: caller.number,
      ...(caller.name === undefined ? {} : { callerName: caller.name }),
    });
    if (!(await call.connected)) {
      log.failed(record, describeEnding(await call.ended));
      return;
    }
    const isOver = (): boolean => stop.aborted || call.state === 'ended';
    await Promise.race([pause(keyDelayMs, stop), call.ended]);
    // A key lost while the greeting still played is pressed again.
    for (let attempt = 0; attempt < 3 && !isOver(); attempt++) {
      call.sendDigit(key);
      const isQueued = await Promise.race([
        record.queued.then(() => true),
        pause(uniform(random, 6_000, 8_000), stop).then(() => false),
        call.ended.then(() => false),
      ]);
      if (isQueued) break;
    }
    const waited = await Promise.race([
      record.answered.then(() => 'answered' as const),
      pause(patienceMs, stop).then(() => 'gave-up' as const),
      call.ended.then(() => 'ended' as const),
    ]);
    if (waited === 'answered') await Promise.race([call.ended, aborted(stop)]);
    if (call.state !== 'ended') {
      log.customerHungUp(record, stop.aborted ? 'stop' : 'patience');
      call.hangUp();
    }
    await call.ended;
  } catch (error) {
    log.failed(record, error instanceof Error ? error.message : String(error));
  } finally {
    run.numbersInUse.delete(caller.number);
  }
}
