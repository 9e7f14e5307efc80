import { describe, expect, it } from 'vitest';
import { parseRoutingConfig } from './routing-config.ts';

function errorsOf(input: unknown): { field: string | undefined; message: string }[] {
  const result = parseRoutingConfig(input);
  if (result.ok) throw new Error('expected the configuration to be refused');
  return result.error.map((e) => ({ field: e.field, message: e.message }));
}

describe('parseRoutingConfig', () => {
  it('fills every default so a queue needs nothing but an id', () => {
    const result = parseRoutingConfig({ queues: [{ id: 'support' }], agents: [{ id: 'ana' }] });
    if (!result.ok) throw new Error(result.error[0]?.message);
    const [queue] = result.value.queues;
    expect(queue).toMatchObject({
      channels: ['voice'],
      requiredSkills: [],
      priority: 0,
      weight: 1,
      strategy: { type: 'longest-idle' },
      serviceLevel: { thresholdMs: 20_000, target: 0.8 },
      wrapUpMs: 0,
      offerTimeoutMs: 20_000,
      whenNoAgents: 'join',
      overflow: { type: 'disconnect' },
      escalation: [],
    });
    expect(result.value.agents[0]).toMatchObject({ capacity: { voice: 1 }, languages: [], weight: 1 });
    expect(result.value).toMatchObject({ missedOffersBeforeNotReady: 3, reofferDelayMs: 5_000 });
    expect(result.value.breakReasons).toContain('lunch');
  });

  it('accepts a strategy name as shorthand', () => {
    const result = parseRoutingConfig({ queues: [{ id: 'q', strategy: 'ring-all' }] });
    expect(result.ok && result.value.queues[0]?.strategy).toEqual({ type: 'ring-all' });
  });

  it('names the path of a bad value and of an unknown setting', () => {
    const errors = errorsOf({
      queues: [{ id: 'q', requiredSkills: [{ skill: 'billing', minLevel: 11 }], maxwait: 5 }],
      agents: [{ id: 'a', skills: { billing: 0 } }],
    });
    expect(errors.map((e) => e.field)).toEqual([
      'queues[0].requiredSkills[0].minLevel',
      'queues[0].maxwait',
      'agents[0].skills.billing',
    ]);
    expect(errors[0]?.message).toMatch(/^queues\[0\]\.requiredSkills\[0\]\.minLevel: .*<=10/);
    expect(errors[1]?.message).toBe('queues[0].maxwait: unknown setting "maxwait"');
    expect(errors[2]?.message).toMatch(/^agents\[0\]\.skills\.billing: .*>=1/);
  });

  it('explains an unknown strategy and a fixed order without agents', () => {
    const errors = errorsOf({
      queues: [
        { id: 'a', strategy: 'fastest' },
        { id: 'b', strategy: { type: 'fixed-order', agentOrder: [] } },
      ],
    });
    expect(errors[0]?.field).toBe('queues[0].strategy.type');
    expect(errors[0]?.message).toContain('longest-idle');
    expect(errors[1]?.field).toBe('queues[1].strategy.agentOrder');
  });

  it('refuses duplicate ids, dangling references and unknown skills', () => {
    expect(
      errorsOf({
        skills: ['sales'],
        queues: [
          {
            id: 'q',
            requiredSkills: [{ skill: 'salse' }],
            strategy: { type: 'fixed-order', agentOrder: ['bob'] },
          },
          { id: 'q', overflow: { type: 'queue', queueId: 'nowhere' } },
        ],
        agents: [
          { id: 'ana', skills: { sales: 3 } },
          { id: 'ana', skills: {} },
        ],
      }),
    ).toEqual([
      { field: 'queues[1].id', message: 'queues[1].id: duplicate queue id "q" (also queues[0])' },
      { field: 'agents[1].id', message: 'agents[1].id: duplicate agent id "ana" (also agents[0])' },
      {
        field: 'queues[0].requiredSkills[0].skill',
        message: 'queues[0].requiredSkills[0].skill: skill "salse" is not in the skills list',
      },
      {
        field: 'queues[0].strategy.agentOrder[0]',
        message: 'queues[0].strategy.agentOrder[0]: no agent with id "bob"',
      },
      {
        field: 'queues[1].overflow.queueId',
        message: 'queues[1].overflow.queueId: no queue with id "nowhere"',
      },
    ]);
  });

  it('refuses an overflow loop and names it', () => {
    const errors = errorsOf({
      queues: [
        { id: 'sales', overflow: { type: 'queue', queueId: 'support' } },
        {
          id: 'support',
          escalation: [
            {
              afterMs: 60_000,
              action: { type: 'route-elsewhere', target: { type: 'queue', queueId: 'sales' } },
            },
          ],
        },
      ],
    });
    expect(errors).toEqual([
      {
        field: 'queues[1].escalation[0].action.target.queueId',
        message: 'queues[1].escalation[0].action.target.queueId: overflow loop: sales -> support -> sales',
      },
    ]);
  });

  it('requires escalation steps in time order', () => {
    const errors = errorsOf({
      queues: [
        {
          id: 'q',
          escalation: [
            { afterMs: 60_000, action: { type: 'offer-callback' } },
            { afterMs: 30_000, action: { type: 'raise-priority', by: 5 } },
          ],
        },
      ],
    });
    expect(errors[0]?.field).toBe('queues[0].escalation[1].afterMs');
  });

  it('needs at least one queue', () => {
    expect(errorsOf({ queues: [] })[0]?.field).toBe('queues');
    expect(errorsOf({})[0]?.field).toBe('queues');
  });
});
