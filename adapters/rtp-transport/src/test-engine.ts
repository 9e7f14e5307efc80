import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateLegRequest, LegCreated, MediaEvent } from './engine-protocol.ts';
import type { MediaEngineOptions } from './media-engine.ts';
import { MediaEngine } from './media-engine.ts';
import type { TestPhoneOptions } from './test-phone.ts';
import { TestPhone } from './test-phone.ts';

/** A running engine for an integration test, with every event it reported. */
export interface TestEngine {
  readonly engine: MediaEngine;
  readonly events: MediaEvent[];
  readonly recordingDirectory: string;
  /** Resolves with the first event (already seen or coming) that matches; throws after `timeoutMs`. */
  waitForEvent<T extends MediaEvent>(
    match: (event: MediaEvent) => event is T,
    timeoutMs: number,
    what: string,
  ): Promise<T>;
  /** A phone on loopback with a leg on the engine, sending to that leg once started. */
  connectPhone(
    legId: string,
    callId: string,
    phone: TestPhoneOptions,
    leg?: Partial<CreateLegRequest>,
  ): Promise<{ phone: TestPhone; leg: LegCreated }>;
  /** Between tests sharing the engine: closes the phones, destroys their legs, forgets the events. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Starts an engine on 127.0.0.1 with a temporary recording directory. */
export async function startTestEngine(options: Partial<MediaEngineOptions> = {}): Promise<TestEngine> {
  const recordingDirectory = await mkdtemp(join(tmpdir(), 'centralita-media-'));
  const started = await MediaEngine.start({ bindAddress: '127.0.0.1', recordingDirectory, ...options });
  if (!started.ok) throw new Error(`engine did not start: ${started.error.code} ${started.error.message}`);
  const engine = started.value;
  const events: MediaEvent[] = [];
  const waiters = new Set<() => void>();
  engine.onEvent((event) => {
    events.push(event);
    for (const waiter of waiters) waiter();
  });
  const phones: TestPhone[] = [];
  const legIds: string[] = [];
  return {
    engine,
    events,
    recordingDirectory,
    waitForEvent<T extends MediaEvent>(
      match: (event: MediaEvent) => event is T,
      timeoutMs: number,
      what: string,
    ): Promise<T> {
      const seen = events.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<T>((resolve, reject) => {
        const check = (): void => {
          const found = events.find(match);
          if (found === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    async connectPhone(legId, callId, phoneOptions, leg = {}) {
      const phone = await TestPhone.open(phoneOptions);
      phones.push(phone);
      const request: CreateLegRequest = {
        legId,
        callId,
        remoteAddress: '127.0.0.1',
        remotePort: phone.port,
        payloadType: phoneOptions.payloadType,
        ...(phoneOptions.telephoneEventPayloadType === undefined
          ? {}
          : { telephoneEventPayloadType: phoneOptions.telephoneEventPayloadType }),
        ...leg,
      };
      const created = await engine.createLeg(request);
      if (!created.ok) throw new Error(`createLeg failed: ${created.error.code} ${created.error.message}`);
      legIds.push(legId);
      phone.sendTo(created.value.localPort);
      return { phone, leg: created.value };
    },
    async reset() {
      for (const phone of phones.splice(0)) phone.close();
      for (const legId of legIds.splice(0)) await engine.destroyLeg(legId);
      events.length = 0;
    },
    async close() {
      for (const phone of phones) phone.close();
      await engine.stop();
      await rm(recordingDirectory, { recursive: true, force: true });
    },
  };
}

/** Narrows an event to one type, for `waitForEvent`. */
export function isEvent<K extends MediaEvent['type']>(
  type: K,
  where: (event: Extract<MediaEvent, { type: K }>) => boolean = () => true,
): (event: MediaEvent) => event is Extract<MediaEvent, { type: K }> {
  return (event): event is Extract<MediaEvent, { type: K }> =>
    event.type === type && where(event as Extract<MediaEvent, { type: K }>);
}
