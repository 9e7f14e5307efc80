import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallState } from './call-state.ts';
import { expectedEvents, initialCallState } from './call-state.ts';
import type { IvrCommand } from './commands.ts';
import type { IvrEvent, IvrEventType } from './events.ts';
import type { Flow } from './flow.ts';
import type { StepContext } from './step.ts';
import { step } from './step.ts';
import { validateFlow } from './validate-flow.ts';

function example(name: string): Flow {
  const result = validateFlow(
    JSON.parse(readFileSync(new URL(`../examples/${name}`, import.meta.url), 'utf8')),
  );
  if (!result.ok) throw new Error(`${name} is invalid`);
  return result.value;
}

const demo = example('demo-main-menu.json');
const account = example('account-service.json');
const survey = example('quick-survey.json');
const context: StepContext = {
  timeZone: 'Europe/Madrid',
  fallback: { prompt: { es: { text: 'Le pasamos con un agente.' } }, queueId: 'general' },
  publishedFlows: { 'quick-survey': survey },
};

/** Instants around opening hours, holidays and both 2025 DST changes in Madrid. */
const instants = [
  '2025-03-30T00:59:00Z', // Sunday, the night of the spring change: closed
  '2025-03-31T07:00:00Z', // Monday 09:00 CEST: open
  '2025-06-02T08:00:00Z',
  '2025-06-03T12:00:00Z',
  '2025-06-04T16:59:00Z', // 18:59 CEST: open
  '2025-10-26T01:30:00Z', // Sunday, the second 02:30 of the autumn change: closed
  '2025-10-27T07:59:00Z', // Monday 08:59 CET: closed
  '2025-10-27T08:00:00Z', // Monday 09:00 CET: open
  '2025-12-25T10:00:00Z', // Christmas: holiday
].map((iso) => Date.parse(iso));
/** Keys for one-key questions (menus, callback, survey), weighted so that random callers get deep into flows. */
const oneKey = ['1', '2', '1', '2', '3', '0', '4', '5', '9', '7', '*'];
/** Entries for longer ones (gather, callback number). */
const longEntries = ['40071', '12345674', '911222333', '12', '123'];
const bodies: unknown[] = [
  { status: 'open' },
  { status: 'solved' },
  { balance: { amount: 10 } },
  {},
  null,
  'oops',
];

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length] as T;
}

/** Builds one event the call expects, its details drawn from `n`. */
function eventFor(state: CallState, type: IvrEventType, n: number, now: number): IvrEvent {
  switch (type) {
    case 'Started':
      return {
        type,
        now,
        callId: 'c',
        callerId: n % 3 === 0 ? null : '+34600000000',
        dialledNumber: '+34910000000',
      };
    case 'DigitsCollected': {
      const isLong = state.activity.kind === 'gathering' || state.activity.kind === 'enteringCallbackNumber';
      return { type, now, digits: pick(isLong ? longEntries : oneKey, n) };
    }
    case 'HttpResponded':
      return { type, now, status: pick([200, 200, 404, 503], n), body: pick(bodies, n >> 2) };
    case 'HttpFailed':
      return { type, now, reason: 'timeout' };
    case 'CallerIdentified':
      return { type, now, customerId: 'cus', name: n % 2 === 0 ? 'Ana' : null, isVip: n % 4 === 0 };
    case 'QueueFiguresAnswered': {
      const queueId =
        state.activity.kind === 'checkingQueues' ? (state.activity.pendingQueueIds[0] ?? '') : '';
      return {
        type,
        now,
        queueId,
        agentsAvailable: n % 3,
        callsWaiting: n % 7,
        estimatedWaitMs: (n % 11) * 60_000,
      };
    }
    case 'QueueFiguresUnavailable':
      return {
        type,
        now,
        queueId: state.activity.kind === 'checkingQueues' ? (state.activity.pendingQueueIds[0] ?? '') : '',
      };
    case 'QueueOverflowed':
      return { type, now, reason: n % 2 === 0 ? 'waitExceeded' : 'noAgentsLoggedIn' };
    case 'VoicemailRecorded':
      return { type, now, recordingId: 'r', durationMs: 1_000 };
    case 'TransferFailed':
      return { type, now, reason: 'busy' };
    case 'PromptFinished':
    case 'DigitsTimedOut':
    case 'CallerNotIdentified':
    case 'AnsweredByAgent':
    case 'TransferCompleted':
    case 'CallerHungUp':
      return { type, now };
  }
}

/** The command a batch must end with for the call to be waiting on something (never in silence). */
function awaitedCommand(state: CallState): IvrCommand['type'] | null {
  switch (state.activity.kind) {
    case 'playing':
      return 'PlayPrompt';
    case 'choosing':
    case 'gathering':
    case 'offeringCallback':
    case 'confirmingCallback':
    case 'enteringCallbackNumber':
    case 'surveying':
      return 'CollectDigits';
    case 'requesting':
      return 'HttpRequest';
    case 'identifying':
      return 'IdentifyCaller';
    case 'checkingQueues':
      return 'RequestQueueFigures';
    case 'queued':
    case 'inFallbackQueue':
      return 'Enqueue';
    case 'recording':
      return 'StartVoicemail';
    case 'transferring':
      return 'Transfer';
    case 'notStarted':
    case 'ended':
      return null;
  }
}

describe('the interpreter under any caller behaviour', () => {
  it('accepts every expected event and always leaves the call waiting on what it last asked for', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom(demo, account),
        fc.constantFrom(...instants),
        fc.array(fc.noBias(fc.nat()), { minLength: 30, maxLength: 60 }),
        (flow, now, choices) => {
          let state = initialCallState(flow);
          let canOverflow = false;
          for (const n of choices) {
            const expected = expectedEvents(state);
            if (expected.length === 0) break;
            // Answers that end the call are rare, so that calls get deep into the flow; the ACD overflows only
            // queues told how.
            const isRare = (t: IvrEventType) =>
              (t === 'CallerHungUp' && n % 25 !== 0) ||
              ((t === 'AnsweredByAgent' || t === 'TransferCompleted' || t === 'DigitsTimedOut') &&
                n % 4 !== 0);
            const allowed = expected.filter((t) => t !== 'QueueOverflowed' || canOverflow);
            const candidates = allowed.filter((t) => !isRare(t));
            const type = pick(candidates.length > 0 ? candidates : allowed, n);
            const result = step(state, eventFor(state, type, n >> 3, now), context);
            expect(result.ok).toBe(true);
            if (!result.ok) return;
            const { commands } = result.value;
            const before = state;
            state = result.value.state;
            reached.add(state.activity.kind);
            const last = commands.at(-1);
            const enqueue = commands.find((c) => c.type === 'Enqueue');
            if (enqueue?.type === 'Enqueue') canOverflow = enqueue.overflow !== null;
            if (state.activity.kind === 'ended') {
              if (state.activity.outcome.kind === 'hungUp') expect(last?.type).toBe('Hangup');
            } else if (
              before.activity.kind === 'checkingQueues' &&
              state.activity.kind === 'checkingQueues'
            ) {
              expect(commands).toEqual([]); // still waiting for the other queues' figures
            } else {
              expect(last?.type).toBe(awaitedCommand(state));
            }
            // These flows are valid: only missing live figures may fault (and the fallback then holds the caller).
            if (type !== 'QueueFiguresUnavailable')
              expect(commands.filter((c) => c.type === 'LogFault')).toEqual([]);
          }
        },
      ),
      { numRuns: 300, seed: 20_250_330 },
    );
    // The random callers must get everywhere, or the property proves little.
    expect([...reached].sort()).toEqual([
      'checkingQueues',
      'choosing',
      'confirmingCallback',
      'ended',
      'enteringCallbackNumber',
      'gathering',
      'identifying',
      'inFallbackQueue',
      'offeringCallback',
      'playing',
      'queued',
      'recording',
      'requesting',
      'surveying',
      'transferring',
    ]);
  });
});
