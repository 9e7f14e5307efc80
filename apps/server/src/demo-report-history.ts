import type { Tx } from '@centralita/store';

/** One past contact of the demo, as the seed made its interaction. */
export interface DemoContact {
  readonly interactionId: string;
  readonly customerId: string;
  readonly queueId: string;
  readonly agentId: string | null;
  readonly channel: 'voice' | 'email' | 'chat' | 'whatsapp';
  readonly direction: 'inbound' | 'outbound';
  readonly startedAt: Date;
  readonly answeredAt: Date | null;
  readonly endedAt: Date;
  readonly wrapUpEndedAt: Date | null;
  /** The outcome the agent chose at wrap-up (a sale is worth `settings.reports.dispositionValuesMinor`). */
  readonly disposition: string | null;
}

const routed = { by: 'system', reason: 'routed' } as const;

/**
 * The events a demo contact would have recorded had it gone through the ACD and the call layer (queued,
 * offered, answered, talked, wrapped up with its disposition; or abandoned), at its own past times: the report projector folds
 * them like live ones, so the demo's reports (yesterday's service level, handle times by agent) have figures
 * from the first start.
 */
export function recordDemoContactEvents(tx: Tx, contact: DemoContact): void {
  const { interactionId: contactId, queueId, agentId, channel } = contact;
  const startMs = contact.startedAt.getTime();
  const at = (ms: number): Date => new Date(ms);
  const isVoice = channel === 'voice';
  if (isVoice)
    tx.recordEvent(
      'CallReceived',
      {
        interactionId: contactId,
        direction: contact.direction,
        channel,
        customerId: contact.customerId,
        from: null,
        to: null,
        trunkId: null,
      },
      contact.startedAt,
    );
  tx.recordEvent(
    'ContactQueued',
    { contactId, queueId, position: 1, estimatedWaitMs: null, atMs: startMs },
    at(startMs),
  );
  const answeredAt = contact.answeredAt;
  if (answeredAt === null || agentId === null) {
    const waitMs = contact.endedAt.getTime() - startMs;
    tx.recordEvent(
      'ContactFinished',
      { contactId, queueId, channel, outcome: 'abandoned', waitMs, atMs: contact.endedAt.getTime() },
      contact.endedAt,
    );
    if (isVoice)
      tx.recordEvent('CallEnded', { interactionId: contactId, cause: 'caller-hangup' }, contact.endedAt);
    return;
  }
  const answeredMs = answeredAt.getTime();
  const endedMs = contact.endedAt.getTime();
  const waitMs = answeredMs - startMs;
  const ringFromMs = Math.max(startMs, answeredMs - 4_000);
  const activity = (from: string, to: string, atMs: number, reason = 'routed') => {
    tx.recordEvent(
      'AgentActivityChanged',
      { agentId, contactId, from, to, cause: reason === 'routed' ? routed : { by: 'agent', reason }, atMs },
      at(atMs),
    );
  };
  activity('idle', 'ringing', ringFromMs);
  tx.recordEvent('ContactAnswered', { contactId, queueId, agentId, waitMs, atMs: answeredMs }, answeredAt);
  activity('ringing', 'on-contact', answeredMs, 'answered');
  if (isVoice) tx.recordEvent('CallAnswered', { interactionId: contactId, by: 'agent', agentId }, answeredAt);
  activity('on-contact', 'wrap-up', endedMs, 'contact-ended');
  tx.recordEvent(
    'ContactFinished',
    { contactId, queueId, channel, outcome: 'answered', waitMs, talkMs: endedMs - answeredMs, atMs: endedMs },
    contact.endedAt,
  );
  if (isVoice)
    tx.recordEvent(
      'CallEnded',
      { interactionId: contactId, cause: 'agent-hangup', agentId },
      contact.endedAt,
    );
  const wrapUpEndMs = contact.wrapUpEndedAt?.getTime() ?? endedMs;
  activity('wrap-up', 'idle', wrapUpEndMs, 'wrap-up-ended');
  // Wrapping up records the interaction's disposition, as PATCH /api/interactions/:id does.
  tx.recordEvent(
    'InteractionUpdated',
    { interactionId: contactId, status: 'completed', disposition: contact.disposition },
    at(wrapUpEndMs),
  );
}
