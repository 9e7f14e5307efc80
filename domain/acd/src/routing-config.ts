import { z } from 'zod';
import { ok, err } from '@centralita/kernel';
import type { AgentId, QueueId, Result } from '@centralita/kernel';
import { channels } from './channel.ts';
import { acdError } from './errors.ts';
import type { AcdError } from './errors.ts';

/**
 * Routing configuration is data: queues, agents and tenant-wide settings, validated here with precise
 * messages that name the path of the bad value (`queues[2].strategy.agentOrder[0]`). docs/routing.md
 * explains every setting with an example.
 */

const maxDurationMs = 30 * 24 * 3_600_000;
const durationMs = z.number().int().min(0).max(maxDurationMs);
const positiveDurationMs = z.number().int().min(1).max(maxDurationMs);
const skillName = z.string().min(1).max(100);
const skillLevel = z.number().int().min(1).max(10);
const queueId = z
  .string()
  .min(1)
  .max(200)
  .transform((id) => id as QueueId);
const agentId = z
  .string()
  .min(1)
  .max(200)
  .transform((id) => id as AgentId);

const skillRequirementSchema = z.strictObject({ skill: skillName, minLevel: skillLevel.default(1) });

const strategyNames = [
  'longest-idle',
  'least-occupied',
  'least-talk-time',
  'fewest-contacts',
  'round-robin',
  'fixed-order',
  'ring-all',
  'random',
  'weighted-random',
  'best-skill',
] as const;

const strategySchema = z.preprocess(
  // `strategy: ring-all` is shorthand for `strategy: { type: ring-all }`.
  (value) => (typeof value === 'string' ? { type: value } : value),
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('longest-idle') }),
    z.strictObject({ type: z.literal('least-occupied') }),
    z.strictObject({ type: z.literal('least-talk-time') }),
    z.strictObject({ type: z.literal('fewest-contacts') }),
    z.strictObject({ type: z.literal('round-robin'), agentOrder: z.array(agentId).optional() }),
    z.strictObject({ type: z.literal('fixed-order'), agentOrder: z.array(agentId).min(1) }),
    z.strictObject({ type: z.literal('ring-all') }),
    z.strictObject({ type: z.literal('random') }),
    z.strictObject({ type: z.literal('weighted-random') }),
    z.strictObject({ type: z.literal('best-skill') }),
  ]),
);

const overflowTargetSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('disconnect') }),
  z.strictObject({ type: z.literal('voicemail') }),
  z.strictObject({ type: z.literal('queue'), queueId }),
  z.strictObject({ type: z.literal('destination'), destination: z.string().min(1).max(500) }),
]);

const escalationActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('relax-skills'), levelsBy: z.number().int().min(1).max(9) }),
  z.strictObject({ type: z.literal('add-queue-agents'), queueId }),
  z.strictObject({ type: z.literal('raise-priority'), by: z.number().int().min(1).max(1_000) }),
  z.strictObject({ type: z.literal('offer-callback') }),
  z.strictObject({ type: z.literal('offer-voicemail') }),
  z.strictObject({ type: z.literal('route-elsewhere'), target: overflowTargetSchema }),
]);

const escalationStepSchema = z.strictObject({ afterMs: positiveDurationMs, action: escalationActionSchema });

const queueSchema = z.strictObject({
  id: queueId,
  name: z.string().max(200).optional(),
  channels: z.array(z.enum(channels)).min(1).default(['voice']),
  requiredSkills: z.array(skillRequirementSchema).default([]),
  language: z.string().min(1).max(35).optional(),
  priority: z.number().int().min(-1_000).max(1_000).default(0),
  weight: z.number().positive().max(1_000).default(1),
  strategy: strategySchema.default({ type: 'longest-idle' }),
  serviceLevel: z
    .strictObject({ thresholdMs: durationMs.default(20_000), target: z.number().gt(0).max(1).default(0.8) })
    .default({ thresholdMs: 20_000, target: 0.8 }),
  maxWaitMs: positiveDurationMs.optional(),
  maxSize: z.number().int().min(1).max(1_000_000).optional(),
  wrapUpMs: durationMs.nullable().default(0),
  offerTimeoutMs: positiveDurationMs.default(20_000),
  whenNoAgents: z.enum(['join', 'refuse', 'overflow']).default('join'),
  /**
   * What "no agents" means for `whenNoAgents`: nobody who could answer is signed in (agents on a break count
   * as there), or nobody is available (every one of them on a break or signed out).
   */
  noAgentsMeans: z.enum(['nobody-signed-in', 'nobody-available']).default('nobody-signed-in'),
  overflow: overflowTargetSchema.default({ type: 'disconnect' }),
  escalation: z.array(escalationStepSchema).default([]),
  announcements: z
    .strictObject({
      firstAfterMs: durationMs,
      everyMs: positiveDurationMs,
      includePosition: z.boolean().default(true),
      includeEstimatedWait: z.boolean().default(true),
    })
    .optional(),
  defaultHandleTimeMs: positiveDurationMs.default(180_000),
  callbackConnectTimeoutMs: positiveDurationMs.default(60_000),
});

const capacity = z.number().int().min(0).max(100);

const agentSchema = z.strictObject({
  id: agentId,
  name: z.string().max(200).optional(),
  skills: z.record(skillName, skillLevel).default({}),
  languages: z.array(z.string().min(1).max(35)).default([]),
  capacity: z
    .strictObject({
      voice: capacity.optional(),
      chat: capacity.optional(),
      email: capacity.optional(),
      sms: capacity.optional(),
    })
    .default({ voice: 1 }),
  weight: z.number().positive().max(1_000_000).default(1),
});

const routingConfigObject = z.strictObject({
  skills: z.array(skillName).optional(),
  breakReasons: z.array(z.string().min(1).max(100)).default(['lunch', 'training', 'meeting', 'coaching']),
  missedOffersBeforeNotReady: z.number().int().min(1).max(100).default(3),
  reofferDelayMs: durationMs.default(5_000),
  queues: z.array(queueSchema).min(1),
  agents: z.array(agentSchema).default([]),
});

/** The whole routing configuration after validation, with every default filled in. */
export type RoutingConfig = z.output<typeof routingConfigObject>;
/** The routing configuration as written (YAML or JSON): defaults may be left out. */
export type RoutingConfigInput = z.input<typeof routingConfigObject>;
/** One queue's settings. */
export type QueueConfig = RoutingConfig['queues'][number];
/** One agent's skills, languages, capacity and weight. */
export type AgentConfig = RoutingConfig['agents'][number];
/** How a queue picks among available agents. */
export type StrategyConfig = QueueConfig['strategy'];
/** The name of a strategy. */
export type StrategyName = (typeof strategyNames)[number];
/** Where a contact goes when it overflows a queue. */
export type OverflowTarget = QueueConfig['overflow'];
/** One escalation step: an action that applies once a contact has waited `afterMs` in its queue. */
export type EscalationStep = QueueConfig['escalation'][number];
/** What an escalation step does. */
export type EscalationAction = EscalationStep['action'];
/** A skill and the lowest level that satisfies it. */
export type SkillRequirement = z.output<typeof skillRequirementSchema>;

/** Every strategy name, in the order docs/routing.md presents them. */
export const strategies: readonly StrategyName[] = strategyNames;

type Issue = { readonly path: readonly (string | number)[]; readonly message: string };

/** Cross-field rules zod cannot express per field: ids unique, references resolvable, no overflow loops. */
function crossCheck(config: RoutingConfig): Issue[] {
  const issues: Issue[] = [];
  const queueIndex = new Map<string, number>();
  config.queues.forEach((queue, i) => {
    const first = queueIndex.get(queue.id);
    if (first === undefined) queueIndex.set(queue.id, i);
    else
      issues.push({
        path: ['queues', i, 'id'],
        message: `duplicate queue id "${queue.id}" (also queues[${first}])`,
      });
  });
  const agentIndex = new Map<string, number>();
  config.agents.forEach((agent, i) => {
    const first = agentIndex.get(agent.id);
    if (first === undefined) agentIndex.set(agent.id, i);
    else
      issues.push({
        path: ['agents', i, 'id'],
        message: `duplicate agent id "${agent.id}" (also agents[${first}])`,
      });
  });

  const knownSkills = config.skills === undefined ? undefined : new Set(config.skills);
  const checkSkill = (skill: string, path: (string | number)[]): void => {
    if (knownSkills !== undefined && !knownSkills.has(skill)) {
      issues.push({ path, message: `skill "${skill}" is not in the skills list` });
    }
  };
  config.agents.forEach((agent, i) => {
    for (const skill of Object.keys(agent.skills)) checkSkill(skill, ['agents', i, 'skills', skill]);
  });

  // Overflow and "route elsewhere" edges between queues; a loop would bounce a caller forever.
  const edges = new Map<string, { to: string; path: (string | number)[] }[]>();
  const checkQueueRef = (from: string, to: string, path: (string | number)[]): void => {
    if (!queueIndex.has(to)) issues.push({ path, message: `no queue with id "${to}"` });
    else if (to === from) issues.push({ path, message: `queue "${from}" cannot send contacts to itself` });
  };
  config.queues.forEach((queue, i) => {
    const out: { to: string; path: (string | number)[] }[] = [];
    queue.requiredSkills.forEach((r, j) => {
      checkSkill(r.skill, ['queues', i, 'requiredSkills', j, 'skill']);
    });
    if (queue.overflow.type === 'queue') {
      const path = ['queues', i, 'overflow', 'queueId'];
      checkQueueRef(queue.id, queue.overflow.queueId, path);
      out.push({ to: queue.overflow.queueId, path });
    }
    let previousAfterMs = 0;
    queue.escalation.forEach((step, j) => {
      const base = ['queues', i, 'escalation', j];
      if (step.afterMs < previousAfterMs) {
        issues.push({
          path: [...base, 'afterMs'],
          message: `steps must be in time order: ${step.afterMs} ms comes after ${previousAfterMs} ms`,
        });
      }
      previousAfterMs = step.afterMs;
      const action = step.action;
      if (action.type === 'add-queue-agents')
        checkQueueRef(queue.id, action.queueId, [...base, 'action', 'queueId']);
      if (action.type === 'route-elsewhere' && action.target.type === 'queue') {
        const path = [...base, 'action', 'target', 'queueId'];
        checkQueueRef(queue.id, action.target.queueId, path);
        out.push({ to: action.target.queueId, path });
      }
    });
    if (queue.strategy.type === 'fixed-order' || queue.strategy.type === 'round-robin') {
      (queue.strategy.agentOrder ?? []).forEach((id, j) => {
        if (!agentIndex.has(id)) {
          issues.push({
            path: ['queues', i, 'strategy', 'agentOrder', j],
            message: `no agent with id "${id}"`,
          });
        }
      });
    }
    edges.set(queue.id, out);
  });

  // Depth-first search for a cycle in the overflow graph; report it once, on the edge that closes it.
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (id: string): boolean => {
    state.set(id, 'open');
    trail.push(id);
    for (const edge of edges.get(id) ?? []) {
      const seen = state.get(edge.to);
      if (seen === 'open') {
        const loop = [...trail.slice(trail.indexOf(edge.to)), edge.to].join(' -> ');
        issues.push({ path: edge.path, message: `overflow loop: ${loop}` });
        return true;
      }
      if (seen === undefined && edges.has(edge.to) && visit(edge.to)) return true;
    }
    trail.pop();
    state.set(id, 'done');
    return false;
  };
  for (const id of edges.keys()) if (state.get(id) === undefined && visit(id)) break;
  return issues;
}

/** `queues[2].strategy.agentOrder[0]` from `['queues', 2, 'strategy', 'agentOrder', 0]`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(root)' : text;
}

function toError(path: readonly PropertyKey[], message: string): AcdError {
  const field = formatConfigPath(path);
  return acdError('ACD_CONFIG_INVALID', `${field}: ${message}`, field);
}

/**
 * Validates a routing configuration and fills in defaults. On failure, every problem is listed, each with
 * its path in `field` and a message that starts with that path.
 */
export function parseRoutingConfig(input: unknown): Result<RoutingConfig, readonly AcdError[]> {
  const parsed = routingConfigObject.safeParse(input);
  if (!parsed.success) {
    const errors = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => toError([...issue.path, key], `unknown setting "${key}"`))
        : [toError(issue.path, issue.message)],
    );
    return err(errors);
  }
  const issues = crossCheck(parsed.data);
  if (issues.length > 0) return err(issues.map((issue) => toError(issue.path, issue.message)));
  return ok(parsed.data);
}
