import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { AgentId, QueueId, Result } from '@centralita/kernel';
import { ok, err } from '@centralita/kernel';
import { channels, parseRoutingConfig } from '@centralita/acd';
import type { Channel, RoutingConfig } from '@centralita/acd';
import { FieldReader } from './field-reader.ts';
import type { Fields } from './field-reader.ts';
import type { ScenarioError } from './scenario-error.ts';

/** A random duration: exponential (memoryless, as Erlang assumes), lognormal (real handle times), or fixed. */
export type DurationSpec =
  | { readonly distribution: 'exponential'; readonly meanMs: number }
  | { readonly distribution: 'lognormal'; readonly meanMs: number; readonly stdDevMs: number }
  | { readonly distribution: 'fixed'; readonly ms: number };

/** How contacts arrive at a queue: Poisson at a constant rate, or at a rate that changes by interval. */
export type ArrivalSpec =
  | { readonly kind: 'poisson'; readonly perHour: number }
  | { readonly kind: 'intervals'; readonly intervalMs: number; readonly perHour: readonly number[] };

/** Traffic offered to one queue. */
export interface QueueTraffic {
  readonly queueId: QueueId;
  readonly channel: Channel;
  readonly arrivals: ArrivalSpec;
  /** Talk time (wrap-up comes from the queue's routing settings). */
  readonly handleTime: DurationSpec;
  /** Caller patience; absent means callers never hang up while waiting. */
  readonly patience: DurationSpec | undefined;
  readonly vipShare: number;
  readonly vipPriority: number;
  readonly callbackAcceptance: number;
  readonly voicemailAcceptance: number;
  readonly callbackReachRate: number;
  readonly callbackDialMs: number;
}

/** A period of the simulated timeline, in ms from the start of the simulated day (00:00). */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/** A break inside a shift. */
export interface BreakSpec {
  readonly atMs: number;
  readonly durationMs: number;
  readonly reason: string;
}

/** Agents who share skills, shifts and behaviour. */
export interface AgentGroup {
  readonly name: string;
  readonly agentIds: readonly AgentId[];
  readonly shifts: readonly TimeWindow[];
  readonly breaks: readonly BreakSpec[];
  /** Time from an offer to the agent accepting it. */
  readonly answerDelayMs: number;
  /** Chance that an offer goes unanswered (rings out). */
  readonly missProbability: number;
  /** Wrap-up length when the queue leaves wrap-up to the agent (`wrapUpMs: null`). */
  readonly manualWrapUpMs: number;
}

/** A validated scenario: routing configuration, agents with their days, and traffic. */
export interface Scenario {
  readonly name: string;
  readonly seed: number;
  /** Arrivals run from `opensAtMs` for `durationMs`; the simulation then lets work in progress finish. */
  readonly opensAtMs: number;
  readonly durationMs: number;
  /** Contacts arriving before opensAt + warmUp are left out of the report (the queue is still filling up). */
  readonly warmUpMs: number;
  readonly routing: RoutingConfig;
  readonly agentGroups: readonly AgentGroup[];
  readonly traffic: readonly QueueTraffic[];
}

const minuteMs = 60_000;
const hourMs = 3_600_000;

function readDuration(r: FieldReader, value: unknown, path: string): DurationSpec {
  const fields = r.object(value, path, ['distribution', 'meanSeconds', 'stdDevSeconds', 'seconds']);
  const distribution = r.choice(
    fields,
    'distribution',
    path,
    ['exponential', 'lognormal', 'fixed'] as const,
    'exponential',
  );
  switch (distribution) {
    case 'exponential':
      return { distribution, meanMs: r.number(fields, 'meanSeconds', path, { min: 0.001 }) * 1000 };
    case 'lognormal':
      return {
        distribution,
        meanMs: r.number(fields, 'meanSeconds', path, { min: 0.001 }) * 1000,
        stdDevMs: r.number(fields, 'stdDevSeconds', path, { min: 0.001 }) * 1000,
      };
    case 'fixed':
      return { distribution, ms: r.number(fields, 'seconds', path, { min: 0 }) * 1000 };
  }
}

function readArrivals(r: FieldReader, value: unknown, path: string): ArrivalSpec {
  const fields = r.object(value, path, ['perHour', 'intervalMinutes', 'perHourByInterval']);
  if (fields?.perHourByInterval !== undefined) {
    const rates = r.list(fields.perHourByInterval, `${path}.perHourByInterval`).map((rate, i) => {
      const at = `${path}.perHourByInterval[${i}]`;
      if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
        r.fail(at, `expected a rate >= 0 per hour, got ${JSON.stringify(rate)}`);
        return 0;
      }
      return rate;
    });
    if (rates.length === 0) r.fail(`${path}.perHourByInterval`, 'needs at least one rate');
    if (fields.perHour !== undefined)
      r.fail(`${path}.perHour`, 'give either perHour or perHourByInterval, not both');
    return {
      kind: 'intervals',
      intervalMs: r.number(fields, 'intervalMinutes', path, { min: 1, fallback: 30 }) * minuteMs,
      perHour: rates,
    };
  }
  return { kind: 'poisson', perHour: r.number(fields, 'perHour', path, { min: 0 }) };
}

function readProbability(
  r: FieldReader,
  fields: Fields | undefined,
  key: string,
  path: string,
  fallback: number,
): number {
  return r.number(fields, key, path, { min: 0, max: 1, fallback });
}

function readTraffic(r: FieldReader, value: unknown, routing: Fields | undefined): QueueTraffic[] {
  const byQueue = r.map(value ?? {}, 'traffic');
  if (byQueue === undefined) return [];
  const queueIds = new Set(
    (Array.isArray(routing?.queues) ? routing.queues : []).map((q: unknown) =>
      q !== null && typeof q === 'object' && 'id' in q ? String(q.id) : '',
    ),
  );
  return Object.entries(byQueue).map(([queueId, spec]) => {
    const path = `traffic.${queueId}`;
    if (!queueIds.has(queueId)) r.fail(path, `no queue "${queueId}" in routing.queues`);
    const fields = r.object(spec, path, [
      'channel',
      'arrivals',
      'handleTime',
      'patience',
      'vipShare',
      'vipPriority',
      'callbackAcceptance',
      'voicemailAcceptance',
      'callbackReachRate',
      'callbackDialSeconds',
    ]);
    return {
      queueId: queueId as QueueId,
      channel: r.choice(fields, 'channel', path, channels, 'voice'),
      arrivals: readArrivals(r, fields?.arrivals, `${path}.arrivals`),
      handleTime: readDuration(r, fields?.handleTime, `${path}.handleTime`),
      patience:
        fields?.patience === undefined ? undefined : readDuration(r, fields.patience, `${path}.patience`),
      vipShare: readProbability(r, fields, 'vipShare', path, 0),
      vipPriority: r.number(fields, 'vipPriority', path, {
        isInteger: true,
        min: 0,
        max: 1000,
        fallback: 10,
      }),
      callbackAcceptance: readProbability(r, fields, 'callbackAcceptance', path, 0.5),
      voicemailAcceptance: readProbability(r, fields, 'voicemailAcceptance', path, 0.3),
      callbackReachRate: readProbability(r, fields, 'callbackReachRate', path, 0.85),
      callbackDialMs: r.number(fields, 'callbackDialSeconds', path, { min: 0, fallback: 20 }) * 1000,
    };
  });
}

function readGroups(
  r: FieldReader,
  value: unknown,
  opensAtMs: number,
  endMs: number,
): { groups: AgentGroup[]; agents: unknown[] } {
  const groups: AgentGroup[] = [];
  const agents: unknown[] = [];
  r.list(value ?? [], 'agentGroups').forEach((item, i) => {
    const path = `agentGroups[${i}]`;
    const fields = r.object(item, path, [
      'name',
      'count',
      'skills',
      'languages',
      'capacity',
      'weight',
      'shifts',
      'breaks',
      'answerDelaySeconds',
      'missProbability',
      'manualWrapUpSeconds',
    ]);
    const name = r.string(fields, 'name', path);
    const count = r.number(fields, 'count', path, { min: 1, max: 100_000, isInteger: true });
    const shifts = (fields?.shifts === undefined ? [undefined] : r.list(fields.shifts, `${path}.shifts`)).map(
      (shift, j) => {
        if (shift === undefined) return { startMs: opensAtMs, endMs };
        const at = `${path}.shifts[${j}]`;
        const s = r.object(shift, at, ['start', 'end']);
        const window = {
          startMs: r.timeOfDay(s, 'start', at) * minuteMs,
          endMs: r.timeOfDay(s, 'end', at) * minuteMs,
        };
        if (window.endMs <= window.startMs) r.fail(`${at}.end`, 'must be after start');
        return window;
      },
    );
    const breaks = r.list(fields?.breaks ?? [], `${path}.breaks`).map((b, j) => {
      const at = `${path}.breaks[${j}]`;
      const fieldsOfBreak = r.object(b, at, ['at', 'minutes', 'reason']);
      return {
        atMs: r.timeOfDay(fieldsOfBreak, 'at', at) * minuteMs,
        durationMs: r.number(fieldsOfBreak, 'minutes', at, { min: 1, max: 24 * 60 }) * minuteMs,
        reason: r.string(fieldsOfBreak, 'reason', at, 'lunch'),
      };
    });
    const agentIds: AgentId[] = [];
    for (let n = 1; n <= count && Number.isInteger(count); n++) {
      const id = `${name}-${n}` as AgentId;
      agentIds.push(id);
      agents.push({
        id,
        ...(fields?.skills === undefined ? {} : { skills: fields.skills }),
        ...(fields?.languages === undefined ? {} : { languages: fields.languages }),
        ...(fields?.capacity === undefined ? {} : { capacity: fields.capacity }),
        ...(fields?.weight === undefined ? {} : { weight: fields.weight }),
      });
    }
    groups.push({
      name,
      agentIds,
      shifts,
      breaks,
      answerDelayMs: r.number(fields, 'answerDelaySeconds', path, { min: 0, fallback: 3 }) * 1000,
      missProbability: readProbability(r, fields, 'missProbability', path, 0),
      manualWrapUpMs: r.number(fields, 'manualWrapUpSeconds', path, { min: 0, fallback: 30 }) * 1000,
    });
  });
  return { groups, agents };
}

/**
 * Validates scenario data (already parsed from YAML or JSON). Every problem is reported with its path;
 * routing settings are checked by @centralita/acd and reported under `routing.`.
 */
export function readScenario(data: unknown): Result<Scenario, readonly ScenarioError[]> {
  const r = new FieldReader();
  const top = r.object(data, '', [
    'name',
    'seed',
    'opensAt',
    'durationHours',
    'warmUpMinutes',
    'routing',
    'agentGroups',
    'traffic',
  ]);
  const name = r.string(top, 'name', '', 'unnamed scenario');
  const seed = r.number(top, 'seed', '', { isInteger: true, min: 0, max: 2 ** 32 - 1, fallback: 1 });
  const opensAtMs = r.timeOfDay(top, 'opensAt', '', 0) * minuteMs;
  const durationMs =
    r.number(top, 'durationHours', '', { min: 0.01, max: 24 * 365, fallback: 24 - opensAtMs / hourMs }) *
    hourMs;
  const warmUpMs = r.number(top, 'warmUpMinutes', '', { min: 0, fallback: 0 }) * minuteMs;
  if (warmUpMs >= durationMs) r.fail('warmUpMinutes', 'must be shorter than the simulated duration');

  const routingFields = r.object(top?.routing, 'routing', [
    'skills',
    'breakReasons',
    'missedOffersBeforeNotReady',
    'reofferDelayMs',
    'queues',
    'agents',
  ]);
  const { groups, agents } = readGroups(r, top?.agentGroups, opensAtMs, opensAtMs + durationMs);
  const traffic = readTraffic(r, top?.traffic, routingFields);

  const explicitAgents: readonly unknown[] = Array.isArray(routingFields?.agents)
    ? (routingFields.agents as unknown[])
    : [];
  const routing = parseRoutingConfig({ ...routingFields, agents: [...explicitAgents, ...agents] });
  if (!routing.ok) {
    for (const e of routing.error) {
      // Generated agents are reported by group, where the user wrote them.
      const match = /^agents\[(\d+)\](.*)$/.exec(e.field ?? '');
      const index = match === null ? -1 : Number(match[1]) - explicitAgents.length;
      if (match !== null && index >= 0) {
        let remaining = index;
        const groupIndex = groups.findIndex((g) => {
          if (remaining < g.agentIds.length) return true;
          remaining -= g.agentIds.length;
          return false;
        });
        const rest = match[2] ?? '';
        const message = e.message.slice(e.message.indexOf(': ') + 2);
        if (!r.errors.some((x) => x.path === `agentGroups[${groupIndex}]${rest}` && x.message === message)) {
          r.fail(`agentGroups[${groupIndex}]${rest}`, message);
        }
      } else {
        r.fail(`routing.${e.field ?? ''}`, e.message.slice(e.message.indexOf(': ') + 2));
      }
    }
  } else {
    for (const t of traffic) {
      const queue = routing.value.queues.find((q) => q.id === t.queueId);
      if (queue !== undefined && !queue.channels.includes(t.channel)) {
        r.fail(`traffic.${t.queueId}.channel`, `queue "${t.queueId}" does not serve ${t.channel}`);
      }
    }
    for (const [i, group] of groups.entries()) {
      for (const [j, b] of group.breaks.entries()) {
        if (!routing.value.breakReasons.includes(b.reason)) {
          r.fail(`agentGroups[${i}].breaks[${j}].reason`, `"${b.reason}" is not in routing.breakReasons`);
        }
      }
    }
  }
  if (r.errors.length > 0 || !routing.ok) return err(r.errors);
  return ok({
    name,
    seed,
    opensAtMs,
    durationMs,
    warmUpMs,
    routing: routing.value,
    agentGroups: groups,
    traffic,
  });
}

/** Parses and validates a YAML scenario; YAML syntax errors come back with their line and column. */
export function parseScenario(yamlText: string): Result<Scenario, readonly ScenarioError[]> {
  let data: unknown;
  try {
    data = parseYaml(yamlText);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0];
      return err([
        {
          path: where === undefined ? '(yaml)' : `line ${where.line}, column ${where.col}`,
          message: error.message,
        },
      ]);
    }
    throw error;
  }
  return readScenario(data);
}
