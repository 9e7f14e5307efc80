import type { DtmfDigit } from '@centralita/media';
import { TelephoneEventReceiver } from '@centralita/media';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MediaEvent } from './engine-protocol.ts';
import type { TestEngine } from './test-engine.ts';
import { isEvent, startTestEngine } from './test-engine.ts';
import type { TestPhone } from './test-phone.ts';

// One engine for the file; each test has its own call and legs, and looks only at their events.
let testEngine: TestEngine;
beforeAll(async () => {
  testEngine = await startTestEngine();
});
afterEach(async () => {
  await testEngine.reset();
});
afterAll(async () => {
  await testEngine.close();
});

/** Presses keys one after the other, each once the previous one is fully sent. */
async function press(phone: TestPhone, keys: readonly DtmfDigit[]): Promise<void> {
  for (const key of keys) {
    phone.pressDigit(key);
    await phone.waitFor(() => !phone.isPressing, 2000, `key ${key} sent`);
  }
}

function digitEvents(legId: string): Extract<MediaEvent, { type: 'digit' }>[] {
  return testEngine.events.filter((e) => e.type === 'digit' && e.legId === legId) as Extract<
    MediaEvent,
    { type: 'digit' }
  >[];
}

function digitsOf(legId: string): string {
  return digitEvents(legId)
    .map((e) => e.digit)
    .join('');
}

describe('DTMF', () => {
  it('reports RFC 4733 digits exactly once each, with their source and time', async () => {
    const { phone } = await testEngine.connectPhone('caller', 'call-1', {
      payloadType: 0,
      telephoneEventPayloadType: 101,
      toneHz: 400,
    });
    phone.start();
    const before = Date.now();
    await press(phone, ['1', '2', '#', '2']);
    // A last key: once it is reported, every packet of the earlier ones (end packets sent three
    // times) has been through the engine.
    phone.pressDigit('9');
    await testEngine.waitForEvent(
      isEvent('digit', (e) => e.digit === '9'),
      2000,
      'digit 9',
    );

    expect(digitsOf('caller')).toBe('12#29');
    const digits = testEngine.events.filter((e) => e.type === 'digit');
    for (const event of digits) {
      expect(event.source).toBe('rfc4733');
      expect(event.atMs).toBeGreaterThanOrEqual(before - 5);
      expect(event.atMs).toBeLessThanOrEqual(Date.now() + 5);
    }
  });

  it('detects in-band DTMF when no telephone-event was negotiated', async () => {
    const { phone } = await testEngine.connectPhone('caller', 'call-1', { payloadType: 8, toneHz: 400 });
    phone.start();
    await press(phone, ['5', '*']);
    phone.pressDigit('0');
    await testEngine.waitForEvent(
      isEvent('digit', (e) => e.digit === '0'),
      2000,
      'digit 0',
    );

    expect(digitsOf('caller')).toBe('5*0');
    expect(testEngine.events.filter((e) => e.type === 'digit').every((e) => e.source === 'inband')).toBe(
      true,
    );
  });

  it('reports no keys from a leg whose digits nobody wants (an agent phone), only from the others', async () => {
    const agent = await testEngine.connectPhone(
      'agent',
      'call-1',
      { payloadType: 0, toneHz: 400 },
      { detectsDigits: false },
    );
    const caller = await testEngine.connectPhone('caller', 'call-1', { payloadType: 0, toneHz: 400 });
    agent.phone.start();
    caller.phone.start();
    await press(agent.phone, ['1', '2']);
    // The caller's key comes after the agent's have gone through the same worker.
    caller.phone.pressDigit('7');
    await testEngine.waitForEvent(
      isEvent('digit', (e) => e.digit === '7'),
      2000,
      'digit 7',
    );

    expect(digitsOf('caller')).toBe('7');
    expect(digitEvents('agent')).toEqual([]);
  });

  it('collects digits up to the terminator', async () => {
    const { phone } = await testEngine.connectPhone('caller', 'call-1', {
      payloadType: 0,
      telephoneEventPayloadType: 101,
    });
    phone.start();
    const collecting = await testEngine.engine.collectDigits({
      legId: 'caller',
      minDigits: 2,
      maxDigits: 6,
      terminators: '#',
      firstDigitTimeoutMs: 5000,
      interDigitTimeoutMs: 3000,
    });
    expect(collecting.ok).toBe(true);
    await press(phone, ['4', '7', '1', '#']);
    const result = await testEngine.waitForEvent(isEvent('collectDigitsResult'), 2000, 'collect result');
    expect(result).toMatchObject({
      legId: 'caller',
      digits: '471',
      terminator: '#',
      reason: 'terminator',
      isValid: true,
    });
  });

  it('ends collection on the first-digit and inter-digit timeouts', async () => {
    const { phone } = await testEngine.connectPhone('caller', 'call-1', {
      payloadType: 0,
      telephoneEventPayloadType: 101,
    });
    phone.start();
    const spec = {
      legId: 'caller',
      minDigits: 1,
      maxDigits: 4,
      firstDigitTimeoutMs: 300,
      interDigitTimeoutMs: 300,
    };

    const startedAt = Date.now();
    await testEngine.engine.collectDigits(spec);
    const first = await testEngine.waitForEvent(isEvent('collectDigitsResult'), 2000, 'first-digit timeout');
    expect(first).toMatchObject({ digits: '', reason: 'first-digit-timeout', isValid: false });
    expect(first.atMs - startedAt).toBeGreaterThanOrEqual(290);

    testEngine.events.length = 0;
    await testEngine.engine.collectDigits(spec);
    await press(phone, ['8']);
    const second = await testEngine.waitForEvent(isEvent('collectDigitsResult'), 2000, 'inter-digit timeout');
    expect(second).toMatchObject({ digits: '8', reason: 'inter-digit-timeout', isValid: true });

    // During a prompt, the first-digit timeout starts when the prompt ends.
    testEngine.events.length = 0;
    const promptAt = Date.now();
    await testEngine.engine.play({ legId: 'caller', items: [{ kind: 'silence', durationMs: 400 }] });
    await testEngine.engine.collectDigits(spec);
    const third = await testEngine.waitForEvent(
      isEvent('collectDigitsResult'),
      2000,
      'timeout after the prompt',
    );
    const promptEnd = await testEngine.waitForEvent(isEvent('playbackFinished'), 10, 'prompt end');
    expect(third.reason).toBe('first-digit-timeout');
    expect(third.atMs - promptEnd.atMs).toBeGreaterThanOrEqual(290);
    expect(third.atMs - promptAt).toBeGreaterThanOrEqual(690);
  });

  it('takes digits from SIP INFO like any other', async () => {
    await testEngine.connectPhone('caller', 'call-1', { payloadType: 0 });
    await testEngine.engine.collectDigits({
      legId: 'caller',
      minDigits: 2,
      maxDigits: 2,
      firstDigitTimeoutMs: 5000,
      interDigitTimeoutMs: 5000,
    });
    expect((await testEngine.engine.injectDigit('caller', '3')).ok).toBe(true);
    expect((await testEngine.engine.injectDigit('caller', 'b')).ok).toBe(true);
    const bad = await testEngine.engine.injectDigit('caller', 'x');
    expect(bad.ok ? undefined : bad.error.code).toBe('MEDIA_DTMF_UNKNOWN_DIGIT');
    const result = await testEngine.waitForEvent(isEvent('collectDigitsResult'), 2000, 'collect result');
    expect(result).toMatchObject({ digits: '3B', reason: 'max-digits', isValid: true });
    expect(testEngine.events.filter((e) => e.type === 'digit').map((e) => e.source)).toEqual([
      'sip-info',
      'sip-info',
    ]);
  });

  it('sends DTMF as RFC 4733 events: one timestamp per key, marker first, three end packets', async () => {
    const { phone } = await testEngine.connectPhone('caller', 'call-1', {
      payloadType: 0,
      telephoneEventPayloadType: 101,
    });
    const sent = await testEngine.engine.sendDtmf({ legId: 'caller', digits: '5#', durationMs: 100 });
    expect(sent.ok).toBe(true);
    await phone.waitFor(
      () => phone.received.filter((p) => p.payloadType === 101 && (p.payload[1]! & 0x80) !== 0).length >= 6,
      3000,
      'end packets of both keys',
    );
    const events = phone.received.filter((p) => p.payloadType === 101);
    const receiver = new TelephoneEventReceiver();
    const keys = events.flatMap((p) => receiver.receive(p.timestamp, p.payload, p.arrivalMs));
    expect(keys.filter((k) => k.kind === 'digit-began').map((k) => k.digit)).toEqual(['5', '#']);
    const firstKey = events.filter((p) => p.timestamp === events[0]!.timestamp);
    expect(firstKey[0]!.isMarker).toBe(true);
    expect(firstKey.slice(1).some((p) => p.isMarker)).toBe(false);
    expect(firstKey.filter((p) => (p.payload[1]! & 0x80) !== 0)).toHaveLength(3);
    expect(new Set(events.map((p) => p.timestamp)).size).toBe(2);
  });
});
