import type { RoutingConfigInput } from '@centralita/acd';

type QueueInput = RoutingConfigInput['queues'][number];

/** What a queue's stored settings say about routing, in the ACD's own terms (docs/routing.md). */
export type QueueAcdSettings = Pick<
  QueueInput,
  | 'wrapUpMs'
  | 'offerTimeoutMs'
  | 'strategy'
  | 'priority'
  | 'maxWaitMs'
  | 'maxSize'
  | 'whenNoAgents'
  | 'noAgentsMeans'
  | 'overflow'
  | 'announcements'
  | 'escalation'
>;

type Overflow = NonNullable<QueueInput['overflow']>;

const strategies = new Set([
  'longest-idle',
  'least-occupied',
  'least-talk-time',
  'fewest-contacts',
  'round-robin',
  'ring-all',
  'random',
  'weighted-random',
  'best-skill',
]);

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Where an overflow goes, in ACD terms: hang up, the queue's voicemail, another queue (only one that exists: a
 * deleted queue's rule falls back to hanging up), or back to the flow after its queue node.
 */
function overflowOf(value: unknown, queueIds: ReadonlySet<string>): Overflow | undefined {
  const target = record(value);
  switch (target?.['type']) {
    case 'disconnect':
      return { type: 'disconnect' };
    case 'voicemail':
      return { type: 'voicemail' };
    case 'queue':
      return typeof target['queueId'] === 'string' && queueIds.has(target['queueId'])
        ? { type: 'queue', queueId: target['queueId'] }
        : { type: 'disconnect' };
    case 'flow':
      return { type: 'destination', destination: 'flow' };
    case 'number':
      return typeof target['number'] === 'string' && target['number'].trim() !== ''
        ? { type: 'destination', destination: target['number'].trim() }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * A queue's routing settings as stored (seconds, as the API and the admin screen write them) turned into
 * the ACD's queue configuration. The API validates them on the way in; anything unreadable here (written
 * before a rule existed, or naming a queue deleted since) is left out rather than taking the tenant's
 * routing down.
 */
export function queueAcdSettings(
  settings: Readonly<Record<string, unknown>>,
  queueIds: ReadonlySet<string>,
): QueueAcdSettings {
  const result: { -readonly [K in keyof QueueAcdSettings]?: QueueAcdSettings[K] } = {};
  const wrapUp = settings['wrapUpSeconds'];
  if (wrapUp === null) result.wrapUpMs = null;
  else if (isInt(wrapUp, 0, 3_600)) result.wrapUpMs = wrapUp * 1_000;
  const offer = settings['offerTimeoutSeconds'];
  if (isInt(offer, 1, 600)) result.offerTimeoutMs = offer * 1_000;
  const strategy = settings['strategy'];
  if (typeof strategy === 'string' && strategies.has(strategy)) result.strategy = { type: strategy };
  if (isInt(settings['priority'], -1_000, 1_000)) result.priority = settings['priority'];
  if (isInt(settings['maxWaitSeconds'], 1, 86_400)) result.maxWaitMs = settings['maxWaitSeconds'] * 1_000;
  if (isInt(settings['maxSize'], 1, 100_000)) result.maxSize = settings['maxSize'];
  const whenNoAgents = settings['whenNoAgents'];
  if (whenNoAgents === 'join' || whenNoAgents === 'refuse' || whenNoAgents === 'overflow')
    result.whenNoAgents = whenNoAgents;
  const noAgentsMeans = settings['noAgentsMeans'];
  if (noAgentsMeans === 'nobody-signed-in' || noAgentsMeans === 'nobody-available')
    result.noAgentsMeans = noAgentsMeans;
  const overflow = overflowOf(settings['overflow'], queueIds);
  if (overflow !== undefined) result.overflow = overflow;
  const announcements = record(settings['announcements']);
  if (
    announcements !== undefined &&
    isInt(announcements['firstAfterSeconds'], 0, 3_600) &&
    isInt(announcements['everySeconds'], 10, 3_600)
  )
    result.announcements = {
      firstAfterMs: announcements['firstAfterSeconds'] * 1_000,
      everyMs: announcements['everySeconds'] * 1_000,
      includePosition: announcements['includePosition'] !== false,
      includeEstimatedWait: announcements['includeEstimatedWait'] !== false,
    };
  const escalation = settings['escalation'];
  if (Array.isArray(escalation)) {
    const steps: NonNullable<QueueAcdSettings['escalation']>[number][] = [];
    for (const raw of escalation) {
      const step = record(raw);
      const action = record(step?.['action']);
      if (step === undefined || action === undefined || !isInt(step['afterSeconds'], 1, 86_400)) continue;
      const afterMs = step['afterSeconds'] * 1_000;
      if (action['type'] === 'relax-skills' && isInt(action['levelsBy'], 1, 9))
        steps.push({ afterMs, action: { type: 'relax-skills', levelsBy: action['levelsBy'] } });
      else if (action['type'] === 'raise-priority' && isInt(action['by'], 1, 1_000))
        steps.push({ afterMs, action: { type: 'raise-priority', by: action['by'] } });
      else if (
        action['type'] === 'add-queue-agents' &&
        typeof action['queueId'] === 'string' &&
        queueIds.has(action['queueId'])
      )
        steps.push({ afterMs, action: { type: 'add-queue-agents', queueId: action['queueId'] } });
      else if (action['type'] === 'offer-voicemail')
        steps.push({ afterMs, action: { type: 'offer-voicemail' } });
      else if (action['type'] === 'offer-callback')
        steps.push({ afterMs, action: { type: 'offer-callback' } });
      else if (action['type'] === 'route-elsewhere') {
        const target = overflowOf(action['target'], queueIds);
        if (target !== undefined) steps.push({ afterMs, action: { type: 'route-elsewhere', target } });
      }
    }
    result.escalation = steps;
  }
  return result;
}
