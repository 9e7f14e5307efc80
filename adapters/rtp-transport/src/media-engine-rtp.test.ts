import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import type { RtcpPacket } from '@centralita/media';
import { ntpMiddle32, parseRtcpCompound, serializeRtcpCompound, toneAmplitude } from '@centralita/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from './test-engine.ts';
import { isEvent, startTestEngine } from './test-engine.ts';
import { TestPhone } from './test-phone.ts';

let testEngine: TestEngine;
const sockets: Socket[] = [];

function openSocket(): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      sockets.push(socket);
      resolve(socket);
    });
  });
}

beforeAll(async () => {
  testEngine = await startTestEngine({ rtcpIntervalMs: 300 });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await testEngine.close();
});

describe('symmetric RTP', () => {
  it('latches to where media comes from, and ignores a second source afterwards', async () => {
    // The SDP names a port nobody listens on (a NAT rewrote the phone's source port).
    const stale = await openSocket();
    const stalePort = stale.address().port;
    const customer = await testEngine.connectPhone(
      'customer',
      'call-1',
      { payloadType: 0, toneHz: 400 },
      { remotePort: stalePort },
    );
    const agent = await testEngine.connectPhone('agent', 'call-1', { payloadType: 0, toneHz: 1000 });
    expect((await testEngine.engine.bridge('customer', 'agent')).ok).toBe(true);
    customer.phone.start();
    agent.phone.start();
    // The customer hears the agent although its SDP port was wrong: we latched to its real port.
    await customer.phone.receiveAudioPackets(10);

    const hijacker = await TestPhone.open({ payloadType: 0, toneHz: 1600, ssrc: 0xbad, initialSequence: 1 });
    hijacker.sendTo(customer.leg.localPort);
    hijacker.start();
    await hijacker.waitFor(() => hijacker.packetsSent >= 25, 2000, 'hijack packets');
    await agent.phone.receiveAudioPackets(10);
    hijacker.close();

    const agentHeard = agent.phone.receivedAudio(10);
    expect(toneAmplitude(agentHeard, 400, 8000)).toBeGreaterThan(3000);
    expect(toneAmplitude(agentHeard, 1600, 8000)).toBeLessThan(100);
    expect(hijacker.received).toHaveLength(0);

    const quality = await testEngine.engine.destroyLeg('customer');
    if (!quality.ok) throw new Error(quality.error.message);
    expect(quality.value.latchedSource).toBe(`127.0.0.1:${customer.phone.port}`);
    expect(quality.value.packetsIgnored).toBeGreaterThanOrEqual(25);
    expect(quality.value.packetsReceived).toBeGreaterThan(20);
    await testEngine.engine.destroyLeg('agent');
  });
});

describe('no media', () => {
  it('reports a leg whose packets stopped, after the configured time', async () => {
    const { phone } = await testEngine.connectPhone(
      'quiet',
      'call-2',
      { payloadType: 8, toneHz: 400 },
      { noMediaTimeoutMs: 600 },
    );
    phone.start();
    await phone.waitFor(() => phone.packetsSent >= 10, 2000, 'some packets sent');
    phone.stop();
    const stoppedAt = Date.now();
    const event = await testEngine.waitForEvent(
      isEvent('noMedia', (e) => e.legId === 'quiet'),
      3000,
      'noMedia',
    );
    expect(event.seconds).toBeGreaterThanOrEqual(0.6);
    expect(event.atMs - stoppedAt).toBeGreaterThanOrEqual(550);
    // Media again re-arms it; a second silence is reported again.
    phone.start();
    await phone.waitFor(() => phone.packetsSent >= 20, 2000, 'more packets sent');
    phone.stop();
    await testEngine.waitForEvent(
      (e): e is typeof event => e.type === 'noMedia' && e.legId === 'quiet' && e.atMs > event.atMs,
      3000,
      'second noMedia',
    );
    await testEngine.engine.destroyLeg('quiet');
  });
});

describe('RTCP and quality', () => {
  it('sends SR with SDES, and measures the round trip from the peer RR', async () => {
    const peerRtcp = await openSocket();
    const { phone, leg } = await testEngine.connectPhone(
      'measured',
      'call-3',
      { payloadType: 0, toneHz: 400, ssrc: 0xcafe },
      { remoteRtcpPort: peerRtcp.address().port },
    );
    const reports: RtcpPacket[][] = [];
    const arrivals: number[] = [];
    peerRtcp.on('message', (msg) => {
      const parsed = parseRtcpCompound(msg);
      if (!parsed.ok) return;
      reports.push([...parsed.value]);
      arrivals.push(performance.now());
    });
    phone.start();
    await testEngine.engine.play({ legId: 'measured', items: [{ kind: 'silence', durationMs: 60_000 }] });
    await phone.waitFor(
      () => reports.some((r) => r[0]?.type === 'sr' && r[0].reports.length > 0),
      3000,
      'an SR with a report block',
    );

    const index = reports.findIndex((r) => r[0]?.type === 'sr' && r[0].reports.length > 0);
    const compound = reports[index]!;
    const sr = compound[0]!;
    if (sr.type !== 'sr') throw new Error('not an SR');
    expect(sr.ssrc).toBe(leg.ssrc);
    expect(sr.packetCount).toBeGreaterThan(0);
    expect(sr.reports[0]!.ssrc).toBe(0xcafe);
    expect(compound[1]).toMatchObject({ type: 'sdes', chunks: [{ ssrc: leg.ssrc }] });

    // The peer answers with an RR about our stream: LSR from our SR, DLSR the time it held it.
    const rr = serializeRtcpCompound([
      {
        type: 'rr',
        ssrc: 0xcafe,
        reports: [
          {
            ssrc: leg.ssrc,
            fractionLost: 0,
            cumulativeLost: 0,
            extendedHighestSequence: 100,
            jitter: 0,
            lastSenderReport: ntpMiddle32(sr.ntp),
            delaySinceLastSenderReport: Math.floor(((performance.now() - arrivals[index]!) / 1000) * 65_536),
          },
        ],
        profileExtension: new Uint8Array(0),
      },
    ]);
    if (!rr.ok) throw new Error(rr.error.message);
    peerRtcp.send(rr.value, leg.localRtcpPort, '127.0.0.1');
    await phone.waitFor(() => reports.length >= 3, 3000, 'more reports');

    const quality = await testEngine.engine.destroyLeg('measured');
    if (!quality.ok) throw new Error(quality.error.message);
    expect(quality.value.roundTripMs).toBeDefined();
    expect(quality.value.roundTripMs!).toBeLessThan(1000);
    expect(quality.value.lossPercent).toBe(0);
    expect(quality.value.mos).toBeGreaterThan(4.3);
    expect(quality.value.packetsReceived).toBeGreaterThan(10);
    const destroyed = await testEngine.waitForEvent(
      isEvent('legDestroyed', (e) => e.quality.legId === 'measured'),
      1000,
      'legDestroyed',
    );
    expect(destroyed.quality).toEqual(quality.value);
  });
});
