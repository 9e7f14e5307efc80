import { toneAmplitude } from '@centralita/media';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestEngine } from './test-engine.ts';
import { startTestEngine } from './test-engine.ts';
import type { ReceivedPacket, TestPhone } from './test-phone.ts';

/** Amplitude of a frequency over the last `packets` audio packets a phone received. */
function heard(phone: TestPhone, frequencyHz: number, packets = 25): number {
  const audio = phone.receivedAudio(Math.max(0, phone.audioPackets().length - packets));
  return toneAmplitude(audio, frequencyHz, 8000);
}

/** Checks RFC 3550 continuity of what one phone received: one SSRC, +1 sequence, +160 timestamps. */
function expectContinuous(packets: readonly ReceivedPacket[], ssrc: number): void {
  expect(packets.length).toBeGreaterThan(10);
  for (const packet of packets) expect(packet.ssrc).toBe(ssrc);
  for (let i = 1; i < packets.length; i++) {
    const previous = packets[i - 1]!;
    const packet = packets[i]!;
    expect((packet.sequenceNumber - previous.sequenceNumber) & 0xffff).toBe(1);
    expect((packet.timestamp - previous.timestamp) >>> 0).toBe(160);
  }
}

let testEngine: TestEngine | undefined;
afterEach(async () => {
  await testEngine?.close();
  testEngine = undefined;
});

// Both datagram paths (ADR 0009) carry the same calls: the native one by default, Node's dgram as fallback.
describe.each(['native', 'dgram'] as const)('bridged call on the %s datagram path', (datagramIo) => {
  it('relays each phone tone to the other, with our own SSRC, sequence and timestamps', async () => {
    testEngine = await startTestEngine({ datagramIo });
    const { engine } = testEngine;
    const customer = await testEngine.connectPhone('customer', 'call-1', { payloadType: 0, toneHz: 400 });
    const agent = await testEngine.connectPhone('agent', 'call-1', { payloadType: 0, toneHz: 1000 });
    expect((await engine.bridge('customer', 'agent')).ok).toBe(true);
    customer.phone.start();
    agent.phone.start();
    await Promise.all([customer.phone.receiveAudioPackets(40), agent.phone.receiveAudioPackets(40)]);

    expect(heard(agent.phone, 400)).toBeGreaterThan(3000);
    expect(heard(agent.phone, 1000)).toBeLessThan(300);
    expect(heard(customer.phone, 1000)).toBeGreaterThan(3000);
    expect(heard(customer.phone, 400)).toBeLessThan(300);

    // What the agent receives is our stream towards the agent leg, not the customer's stream.
    const toAgent = agent.phone.audioPackets();
    expectContinuous(toAgent, agent.leg.ssrc);
    expect(toAgent[0]!.isMarker).toBe(true);
    expect(toAgent.slice(1).some((p) => p.isMarker)).toBe(false);
    expect(agent.phone.sources).toEqual(new Set([`127.0.0.1:${agent.leg.localPort}`]));
  });

  it('transcodes between a PCMU leg and a PCMA leg', async () => {
    testEngine = await startTestEngine({ datagramIo });
    const { engine } = testEngine;
    const customer = await testEngine.connectPhone('customer', 'call-1', { payloadType: 0, toneHz: 400 });
    const agent = await testEngine.connectPhone('agent', 'call-1', { payloadType: 8, toneHz: 1000 });
    expect((await engine.bridge('customer', 'agent')).ok).toBe(true);
    customer.phone.start();
    agent.phone.start();
    await Promise.all([customer.phone.receiveAudioPackets(40), agent.phone.receiveAudioPackets(40)]);

    expect(agent.phone.audioPackets().every((p) => p.payloadType === 8)).toBe(true);
    expect(customer.phone.audioPackets().every((p) => p.payloadType === 0)).toBe(true);
    expect(heard(agent.phone, 400)).toBeGreaterThan(3000);
    expect(heard(agent.phone, 1000)).toBeLessThan(300);
    expect(heard(customer.phone, 1000)).toBeGreaterThan(3000);
    expect(heard(customer.phone, 400)).toBeLessThan(300);
  });

  it('keeps timestamps running on the media clock across playback and bridge changes', async () => {
    testEngine = await startTestEngine({ datagramIo });
    const { engine } = testEngine;
    const customer = await testEngine.connectPhone('customer', 'call-1', { payloadType: 0, toneHz: 400 });
    const agent = await testEngine.connectPhone('agent', 'call-1', { payloadType: 0, toneHz: 1000 });
    customer.phone.start();
    agent.phone.start();
    expect((await engine.bridge('customer', 'agent')).ok).toBe(true);
    await agent.phone.receiveAudioPackets(10);
    const played = await engine.play({ legId: 'agent', items: [{ kind: 'silence', durationMs: 200 }] });
    expect(played.ok).toBe(true);
    await testEngine.waitForEvent(
      (e): e is Extract<typeof e, { type: 'playbackFinished' }> => e.type === 'playbackFinished',
      3000,
      'playback end',
    );
    await agent.phone.receiveAudioPackets(10);

    const packets = agent.phone.audioPackets();
    for (const packet of packets) expect(packet.ssrc).toBe(agent.leg.ssrc);
    // Each switch of source (relay -> playback -> relay) starts a talkspurt: marker, and a
    // timestamp that moves forward by about the time that passed, never back.
    const starts = packets.filter((p) => p.isMarker);
    expect(starts.length).toBe(3);
    for (let i = 1; i < packets.length; i++) {
      const previous = packets[i - 1]!;
      const packet = packets[i]!;
      expect((packet.sequenceNumber - previous.sequenceNumber) & 0xffff).toBe(1);
      const step = (packet.timestamp - previous.timestamp) | 0;
      const elapsedSamples = (packet.arrivalMs - previous.arrivalMs) * 8;
      if (packet.isMarker) {
        expect(step).toBeGreaterThanOrEqual(160);
        expect(Math.abs(step - elapsedSamples)).toBeLessThan(960);
      } else {
        expect(step).toBe(160);
      }
    }
  });

  it('refuses to bridge legs of different calls placed on different workers', async () => {
    testEngine = await startTestEngine({ workerCount: 2, datagramIo });
    const { engine } = testEngine;
    await testEngine.connectPhone('a', 'call-1', { payloadType: 0 });
    await testEngine.connectPhone('b', 'call-2', { payloadType: 0 });
    const bridged = await engine.bridge('a', 'b');
    expect(bridged.ok ? undefined : bridged.error.code).toBe('MEDIA_ENGINE_LEGS_ON_DIFFERENT_WORKERS');
    const missing = await engine.bridge('a', 'nobody');
    expect(missing.ok ? undefined : missing.error.code).toBe('MEDIA_ENGINE_LEG_NOT_FOUND');
  });
});
