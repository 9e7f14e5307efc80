import type { DtmfDigit } from '@centralita/media';
import { toneAmplitude } from '@centralita/media';
import type { PhoneCall } from './phone-call.ts';
import type { TestServer } from '@centralita/server';

/** Checks `check` every 50 ms until it returns a value, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An interaction as the tests read it from the database. */
export interface StoredInteraction {
  readonly id: string;
  readonly status: string;
  readonly remoteAddress: string;
  readonly agentId: string | null;
  readonly queueId: string | null;
  readonly startedAt: Date;
  readonly answeredAt: Date | null;
  readonly endedAt: Date | null;
  readonly disposition: string | null;
  readonly metadata: Record<string, unknown>;
}

/** The interactions of calls to `dialledNumber`, oldest first. */
export async function interactionsTo(
  testServer: TestServer,
  dialledNumber: string,
): Promise<StoredInteraction[]> {
  const result = await testServer.server.database.pool.query<StoredInteraction>(
    `SELECT id, status, remote_address AS "remoteAddress", agent_id AS "agentId", queue_id AS "queueId",
            started_at AS "startedAt", answered_at AS "answeredAt", ended_at AS "endedAt", disposition, metadata
     FROM interactions WHERE metadata ->> 'dialledNumber' = $1 ORDER BY started_at`,
    [dialledNumber],
  );
  return result.rows;
}

/** The SIP UDP port of a test server. */
export function sipPortOf(testServer: TestServer): number {
  const sip = testServer.server.sip;
  if (sip === undefined) throw new Error('the test server has no SIP service');
  return sip.udpPort;
}

/**
 * Presses `digit` at the customer's phone every 1.5 s until a call rings at `incoming[index]` (a key pressed
 * during the IVR's greeting may be lost), and gives that call.
 */
export async function pressUntilRinging(
  customer: PhoneCall,
  digit: DtmfDigit,
  incoming: readonly PhoneCall[],
  index: number,
): Promise<PhoneCall> {
  let lastKeyMs = 0;
  return waitFor(
    'the agent’s phone to ring',
    () => {
      if (Date.now() - lastKeyMs > 1_500) {
        customer.sendDigit(digit);
        lastKeyMs = Date.now();
      }
      return incoming[index];
    },
    20_000,
  );
}

/**
 * Waits until the caller hears the voicemail prompt's closing beep (1 kHz in the last 200 ms heard); the
 * caller must be listening (`call.listen()`).
 */
export async function waitForVoicemailBeep(call: PhoneCall): Promise<void> {
  await waitFor(
    'the beep after the voicemail prompt',
    () => {
      const heard = call.heard();
      const tail = heard.length - 1_600;
      return tail > 0 && toneAmplitude(heard, 1_000, 8_000, tail, 1_600) > 1_000 ? true : undefined;
    },
    30_000,
  );
}
