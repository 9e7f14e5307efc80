import type { SupervisionMode } from '@centralita/media';
import { toneAmplitude } from '@centralita/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from './test-engine.ts';
import { startTestEngine } from './test-engine.ts';
import type { TestPhone } from './test-phone.ts';

const CUSTOMER_HZ = 400;
const AGENT_HZ = 1000;
const SUPERVISOR_HZ = 1600;

let testEngine: TestEngine;
let customer: TestPhone;
let agent: TestPhone;
let supervisor: TestPhone;

/** Which test tones a phone hears over the next half second, after the new mode settles. */
async function hearing(): Promise<Record<'customer' | 'agent' | 'supervisor', string[]>> {
  // Let the change reach the wire (the mixer's jitter buffers hold 40 to 160 ms), then listen for 0.5 s.
  const phones = { customer, agent, supervisor };
  await Promise.all(Object.values(phones).map((phone) => phone.receiveAudioPackets(10)));
  const from = Object.fromEntries(
    Object.entries(phones).map(([role, phone]) => [role, phone.audioPackets().length]),
  );
  await Promise.all(Object.values(phones).map((phone) => phone.receiveAudioPackets(25)));
  const result = { customer: [] as string[], agent: [] as string[], supervisor: [] as string[] };
  for (const [role, phone] of Object.entries(phones) as ['customer' | 'agent' | 'supervisor', TestPhone][]) {
    const audio = phone.receivedAudio(from[role]);
    for (const [name, hz] of [
      ['customer', CUSTOMER_HZ],
      ['agent', AGENT_HZ],
      ['supervisor', SUPERVISOR_HZ],
    ] as const) {
      const level = toneAmplitude(audio, hz, 8000);
      // A clear yes or a clear no: anything in between is a failure of its own.
      if (level > 2000) result[role].push(name);
      else expect(level, `${role} hearing ${name}`).toBeLessThan(200);
    }
  }
  return result;
}

async function supervise(mode: SupervisionMode): Promise<void> {
  const applied = await testEngine.engine.conferenceSupervise({
    conferenceId: 'call-1-supervision',
    mode,
    customerLegId: 'customer',
    agentLegId: 'agent',
    supervisorLegId: 'supervisor',
  });
  expect(applied).toEqual({ ok: true, value: undefined });
}

beforeAll(async () => {
  testEngine = await startTestEngine();
  ({ phone: customer } = await testEngine.connectPhone('customer', 'call-1', {
    payloadType: 0,
    toneHz: CUSTOMER_HZ,
  }));
  ({ phone: agent } = await testEngine.connectPhone('agent', 'call-1', { payloadType: 8, toneHz: AGENT_HZ }));
  // The supervisor's leg joins the supervised call's worker through the call id.
  ({ phone: supervisor } = await testEngine.connectPhone('supervisor', 'call-1', {
    payloadType: 0,
    toneHz: SUPERVISOR_HZ,
  }));
  for (const legId of ['customer', 'agent', 'supervisor']) {
    const added = await testEngine.engine.conferenceAdd({ conferenceId: 'call-1-supervision', legId });
    expect(added.ok).toBe(true);
  }
  customer.start();
  agent.start();
  supervisor.start();
});

afterAll(async () => {
  await testEngine.close();
});

describe('supervision', () => {
  it('whisper: only the agent hears the supervisor', async () => {
    await supervise('whisper');
    expect(await hearing()).toEqual({
      customer: ['agent'],
      agent: ['customer', 'supervisor'],
      supervisor: ['customer', 'agent'],
    });
  });

  it('barge: customer and agent both hear the supervisor', async () => {
    await supervise('barge');
    expect(await hearing()).toEqual({
      customer: ['agent', 'supervisor'],
      agent: ['customer', 'supervisor'],
      supervisor: ['customer', 'agent'],
    });
  });

  it('listen: nobody hears the supervisor, who hears both', async () => {
    await supervise('listen');
    expect(await hearing()).toEqual({
      customer: ['agent'],
      agent: ['customer'],
      supervisor: ['customer', 'agent'],
    });
  });

  it('takeover: the agent leaves, customer and supervisor talk', async () => {
    await supervise('takeover');
    const received = agent.audioPackets().length;
    await Promise.all([customer.receiveAudioPackets(30), supervisor.receiveAudioPackets(30)]);
    const customerHears = customer.receivedAudio(customer.audioPackets().length - 20);
    const supervisorHears = supervisor.receivedAudio(supervisor.audioPackets().length - 20);
    expect(toneAmplitude(customerHears, SUPERVISOR_HZ, 8000)).toBeGreaterThan(2000);
    expect(toneAmplitude(customerHears, AGENT_HZ, 8000)).toBeLessThan(200);
    expect(toneAmplitude(supervisorHears, CUSTOMER_HZ, 8000)).toBeGreaterThan(2000);
    expect(toneAmplitude(supervisorHears, AGENT_HZ, 8000)).toBeLessThan(200);
    // The agent's leg gets nothing more from the conference (at most a packet already in flight).
    expect(agent.audioPackets().length - received).toBeLessThanOrEqual(1);
  });
});
