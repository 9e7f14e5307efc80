import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateLegRequest } from './engine-protocol.ts';
import { MediaEngine } from './media-engine.ts';
import type { TestEngine } from './test-engine.ts';
import { startTestEngine } from './test-engine.ts';
import { TestPhone } from './test-phone.ts';

let testEngine: TestEngine;
beforeAll(async () => {
  testEngine = await startTestEngine({ workerCount: 2 });
});
afterAll(async () => {
  await testEngine.close();
});

const leg: CreateLegRequest = {
  legId: 'leg',
  callId: 'call',
  remoteAddress: '127.0.0.1',
  remotePort: 40_000,
  payloadType: 0,
};

/** This process's threads with their names and nice values (Linux: a priority is per thread). */
function threads(): { name: string; nice: number; isMain: boolean }[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, nice field 19.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(),
      nice: Number(fields[16]),
      isMain: Number(tid) === process.pid,
    };
  });
}

function codeOf(result: { ok: true } | { ok: false; error: { code: string } }): string | undefined {
  return result.ok ? undefined : result.error.code;
}

describe('MediaEngine control interface', () => {
  it('refuses bad requests with typed values naming the field', async () => {
    const { engine } = testEngine;
    const badType = await engine.createLeg({ ...leg, payloadType: 3 as 0 });
    expect(badType).toMatchObject({
      ok: false,
      error: { code: 'MEDIA_ENGINE_BAD_REQUEST', field: 'payloadType' },
    });
    expect(codeOf(await engine.createLeg({ ...leg, remoteAddress: 'phone.example' }))).toBe(
      'MEDIA_ENGINE_BAD_REQUEST',
    );
    expect(codeOf(await engine.createLeg({ ...leg, remotePort: 70_000 }))).toBe('MEDIA_ENGINE_BAD_REQUEST');
    expect(codeOf(await engine.createLeg({ ...leg, telephoneEventPayloadType: 13 }))).toBe(
      'MEDIA_ENGINE_BAD_REQUEST',
    );
    expect(
      codeOf(
        await engine.collectDigits({
          legId: 'x',
          minDigits: 3,
          maxDigits: 2,
          firstDigitTimeoutMs: 1,
          interDigitTimeoutMs: 1,
        }),
      ),
    ).toBe('MEDIA_ENGINE_BAD_REQUEST');
    expect(codeOf(await engine.sendDtmf({ legId: 'x', digits: '1', durationMs: 10 }))).toBe(
      'MEDIA_ENGINE_BAD_REQUEST',
    );
  });

  it('binds an even RTP port with RTCP on the next one, and refuses a second leg with the same id', async () => {
    const { engine } = testEngine;
    const created = await engine.createLeg(leg);
    if (!created.ok) throw new Error(created.error.message);
    expect(created.value.localPort % 2).toBe(0);
    expect(created.value.localRtcpPort).toBe(created.value.localPort + 1);
    expect(created.value.localAddress).toBe('127.0.0.1');
    expect(codeOf(await engine.createLeg(leg))).toBe('MEDIA_ENGINE_LEG_EXISTS');
    const quality = await engine.destroyLeg('leg');
    expect(quality).toMatchObject({
      ok: true,
      value: { legId: 'leg', packetsReceived: 0, latchedSource: undefined },
    });
    expect(codeOf(await engine.destroyLeg('leg'))).toBe('MEDIA_ENGINE_LEG_NOT_FOUND');
  });

  it('places the legs of one call on one worker and spreads calls over the workers', async () => {
    const { engine } = testEngine;
    const placed: number[] = [];
    for (const [legId, callId] of [
      ['p1', 'c1'],
      ['p2', 'c2'],
      ['p3', 'c1'],
      ['p4', 'c2'],
    ] as const) {
      const created = await engine.createLeg({ ...leg, legId, callId });
      if (!created.ok) throw new Error(created.error.message);
      placed.push(created.value.workerIndex);
    }
    expect(placed[0]).toBe(placed[2]);
    expect(placed[1]).toBe(placed[3]);
    expect(placed[0]).not.toBe(placed[1]);
    expect((await engine.bridge('p1', 'p3')).ok).toBe(true);
    expect(codeOf(await engine.bridge('p1', 'p2'))).toBe('MEDIA_ENGINE_LEGS_ON_DIFFERENT_WORKERS');
    expect(codeOf(await engine.bridge('p3', 'p4'))).toBe('MEDIA_ENGINE_LEGS_ON_DIFFERENT_WORKERS');
    expect(codeOf(await engine.conferenceAdd({ conferenceId: 'conf', legId: 'p1' }))).toBe(
      'MEDIA_ENGINE_LEG_BUSY',
    );
    expect((await engine.unbridge('p1')).ok).toBe(true);
    expect(codeOf(await engine.unbridge('p1'))).toBe('MEDIA_ENGINE_LEG_NOT_CONNECTED');
    expect((await engine.conferenceAdd({ conferenceId: 'conf', legId: 'p1' })).ok).toBe(true);
    expect(codeOf(await engine.conferenceAdd({ conferenceId: 'conf', legId: 'p2' }))).toBe(
      'MEDIA_ENGINE_LEGS_ON_DIFFERENT_WORKERS',
    );
    const statistics = await engine.statistics();
    if (!statistics.ok) throw new Error(statistics.error.message);
    expect(statistics.value.map((w) => w.legs)).toEqual([2, 2]);
    expect(statistics.value.every((w) => w.clock.ticks > 0)).toBe(true);
    for (const legId of ['p1', 'p2', 'p3', 'p4']) await engine.destroyLeg(legId);
  });

  it('moves media to a new address on updateRemote, latching again', async () => {
    const { engine } = testEngine;
    const first = await testEngine.connectPhone('moving', 'call-m', { payloadType: 0, toneHz: 400 });
    await engine.play({ legId: 'moving', items: [{ kind: 'silence', durationMs: 60_000 }] });
    first.phone.start();
    await first.phone.receiveAudioPackets(5);
    // The peer re-INVITEs from another port (a new phone socket).
    first.phone.stop();
    const second = await TestPhone.open({ payloadType: 0, toneHz: 400, ssrc: 99 });
    second.sendTo(first.leg.localPort);
    expect(
      (await engine.updateRemote({ legId: 'moving', remoteAddress: '127.0.0.1', remotePort: second.port }))
        .ok,
    ).toBe(true);
    second.start();
    await second.receiveAudioPackets(5);
    const quality = await engine.destroyLeg('moving');
    second.close();
    expect(quality).toMatchObject({ ok: true, value: { latchedSource: `127.0.0.1:${second.port}` } });
  });

  it('answers every call with a value after the engine stopped', async () => {
    const started = await MediaEngine.start({
      bindAddress: '127.0.0.1',
      recordingDirectory: testEngine.recordingDirectory,
    });
    if (!started.ok) throw new Error(started.error.message);
    const engine = started.value;
    const created = await engine.createLeg(leg);
    expect(created.ok).toBe(true);
    await engine.stop();
    expect(codeOf(await engine.createLeg({ ...leg, legId: 'other' }))).toBe('MEDIA_ENGINE_NOT_RUNNING');
    expect(codeOf(await engine.destroyLeg('leg'))).toBe('MEDIA_ENGINE_LEG_NOT_FOUND');
    const refused = await MediaEngine.start({ bindAddress: 'localhost', recordingDirectory: '.' });
    expect(codeOf(refused)).toBe('MEDIA_ENGINE_BAD_REQUEST');
  });

  it('moves datagrams on the native path by default, on dgram when told, and says which', async () => {
    const figures = await testEngine.engine.statistics();
    if (!figures.ok) throw new Error(figures.error.message);
    expect(testEngine.engine.datagramIo).toBe('native');
    expect(figures.value.map((worker) => worker.datagramIo)).toEqual(['native', 'native']);

    const onDgram = await MediaEngine.start({
      bindAddress: '127.0.0.1',
      recordingDirectory: testEngine.recordingDirectory,
      datagramIo: 'dgram',
    });
    if (!onDgram.ok) throw new Error(onDgram.error.message);
    const dgramFigures = await onDgram.value.statistics();
    await onDgram.value.stop();
    expect(dgramFigures.ok ? dgramFigures.value.map((worker) => worker.datagramIo) : []).toEqual(['dgram']);

    const unknown = await MediaEngine.start({
      bindAddress: '127.0.0.1',
      recordingDirectory: testEngine.recordingDirectory,
      datagramIo: 'io_uring' as 'native',
    });
    expect(unknown).toMatchObject({
      ok: false,
      error: { code: 'MEDIA_ENGINE_BAD_REQUEST', field: 'datagramIo' },
    });
  });

  it('runs its media threads at the nice value asked for and leaves the rest of the process alone', async () => {
    const mainNice = threads().find((thread) => thread.isMain)?.nice;
    const logged: string[] = [];
    const log = (_fields: Record<string, unknown>, message: string): void => {
      logged.push(message);
    };
    // Raising a nice value needs no privilege, so this holds on any machine; the default (-10) needs CAP_SYS_NICE.
    const started = await MediaEngine.start({
      bindAddress: '127.0.0.1',
      recordingDirectory: testEngine.recordingDirectory,
      workerCount: 2,
      threadNice: 7,
      logger: { info: log, warn: log, error: log },
    });
    if (!started.ok) throw new Error(started.error.message);
    const running = threads();
    await started.value.stop();
    expect(running.filter((thread) => thread.nice === 7).map((thread) => thread.name)).toEqual(
      expect.arrayContaining(['media-0', 'media-1']),
    );
    expect(running.filter((thread) => thread.nice === 7)).toHaveLength(2);
    expect(running.find((thread) => thread.isMain)?.nice).toBe(mainNice);
    expect(logged.filter((message) => message === 'media thread priority set')).toHaveLength(2);

    for (const threadNice of [-21, 20, 1.5]) {
      const refused = await MediaEngine.start({
        bindAddress: '127.0.0.1',
        recordingDirectory: testEngine.recordingDirectory,
        threadNice,
      });
      expect(refused).toMatchObject({
        ok: false,
        error: { code: 'MEDIA_ENGINE_BAD_REQUEST', field: 'threadNice' },
      });
    }
  });

  it.each([
    ['a gathering window', 'gatherMicros', [-1, 0.5, 20_001, Number.NaN]],
    ['a tick read interval', 'tickReadMicros', [-1, 250.5, 20_001, Number.NaN]],
  ] as const)(
    'refuses %s that is not a whole number of µs up to 20 ms, naming the option',
    async (_what, option, values) => {
      for (const value of values) {
        const refused = await MediaEngine.start({
          bindAddress: '127.0.0.1',
          recordingDirectory: testEngine.recordingDirectory,
          [option]: value,
        });
        expect(refused).toMatchObject({
          ok: false,
          error: {
            code: 'MEDIA_ENGINE_BAD_REQUEST',
            field: option,
            message: `${option} must be a whole number from 0 to 20000`,
          },
        });
      }
    },
  );
});
