import { describe, expect, it } from 'vitest';
import { foldAgentTimeline } from './agent-timeline.ts';
import { agentTimeContributions } from './contributions.ts';
import { figuresOf } from './figures.ts';
import { mergeRows, totalOf } from './summary-row.ts';
import { ContactScript, agent, at, eventLog, madrid } from './test-events.ts';

const minute = 60_000;
const calendar = madrid();
const t0 = at('2025-02-03T09:00:00+01:00');

/** Ana logs in at 9:00, handles two calls, takes a 10-minute break, logs off at 10:00. */
function anasHour(): ReturnType<typeof eventLog> {
  const log = eventLog();
  const presence = (
    atMs: number,
    from: 'offline' | 'available' | 'break',
    to: 'offline' | 'available' | 'break',
  ) =>
    log.record({
      type: 'AgentPresenceChanged',
      agentId: agent('ana'),
      from: { kind: from },
      to: { kind: to },
      atMs,
    });
  presence(t0, 'offline', 'available');
  new ContactScript(log, 'c1').handled({
    queuedAtMs: t0 + 5 * minute,
    queueId: 'q',
    agentId: 'ana',
    waitMs: 0,
    talkMs: 12 * minute,
    wrapUpMs: 3 * minute,
  });
  presence(t0 + 30 * minute, 'available', 'break');
  presence(t0 + 40 * minute, 'break', 'available');
  new ContactScript(log, 'c2').handled({
    queuedAtMs: t0 + 45 * minute,
    queueId: 'q',
    agentId: 'ana',
    waitMs: 0,
    talkMs: 10 * minute,
    wrapUpMs: 0,
  });
  presence(t0 + 60 * minute, 'available', 'offline');
  return log;
}

describe('agent time', () => {
  it('gives occupancy busy / (busy + available idle) and utilization busy / logged in', () => {
    const timeline = foldAgentTimeline(agent('ana'), anasHour().events, {
      fromMs: t0 - 60 * minute,
      toMs: t0 + 120 * minute,
    });
    const total = totalOf(agentTimeContributions(timeline, { calendar, granularity: '15min' }));
    expect(total).toMatchObject({
      loggedInMs: 60 * minute,
      availableMs: 50 * minute,
      breakMs: 10 * minute,
      busyMs: 25 * minute,
      availableIdleMs: 25 * minute,
    });
    const figures = figuresOf(total);
    expect(figures.occupancy).toBe(0.5);
    expect(figures.utilization).toBe(25 / 60);
  });

  it("gives the same time folded in two windows, the second starting from the first one's end state", () => {
    const events = anasHour().events;
    const whole = foldAgentTimeline(agent('ana'), events, { fromMs: t0, toMs: t0 + 60 * minute });
    const first = foldAgentTimeline(agent('ana'), events, { fromMs: t0, toMs: t0 + 10 * minute });
    const second = foldAgentTimeline(
      agent('ana'),
      events,
      { fromMs: t0 + 10 * minute, toMs: t0 + 60 * minute },
      first.endState,
    );
    const options = { calendar, granularity: '15min' as const };
    expect(
      mergeRows([...agentTimeContributions(first, options), ...agentTimeContributions(second, options)]),
    ).toEqual(agentTimeContributions(whole, options));
  });

  it('reads the state before a window from what its first events changed from', () => {
    // From 9:18, in c1's wrap-up: busy and available until 9:20, idle until the break at 9:30.
    const timeline = foldAgentTimeline(agent('ana'), anasHour().events, {
      fromMs: t0 + 18 * minute,
      toMs: t0 + 35 * minute,
    });
    expect(timeline.segments).toEqual([
      { startMs: t0 + 18 * minute, endMs: t0 + 20 * minute, presence: 'available', isBusy: true },
      { startMs: t0 + 20 * minute, endMs: t0 + 30 * minute, presence: 'available', isBusy: false },
      { startMs: t0 + 30 * minute, endMs: t0 + 35 * minute, presence: 'break', isBusy: false },
    ]);
  });
});
