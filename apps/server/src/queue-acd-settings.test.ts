import { describe, expect, it } from 'vitest';
import { parseRoutingConfig } from '@centralita/acd';
import { queueAcdSettings } from './queue-acd-settings.ts';

const queues = new Set(['q-main', 'q-spare']);

describe('a queue’s routing settings', () => {
  it('become the ACD’s configuration, seconds turned into milliseconds', () => {
    const settings = queueAcdSettings(
      {
        wrapUpSeconds: 30,
        offerTimeoutSeconds: 15,
        strategy: 'best-skill',
        priority: 5,
        maxWaitSeconds: 600,
        maxSize: 40,
        whenNoAgents: 'overflow',
        noAgentsMeans: 'nobody-available',
        overflow: { type: 'flow' },
        announcements: {
          firstAfterSeconds: 30,
          everySeconds: 60,
          includePosition: true,
          includeEstimatedWait: false,
        },
        escalation: [
          { afterSeconds: 120, action: { type: 'relax-skills', levelsBy: 2 } },
          {
            afterSeconds: 300,
            action: { type: 'route-elsewhere', target: { type: 'queue', queueId: 'q-spare' } },
          },
        ],
      },
      queues,
    );
    expect(settings).toEqual({
      wrapUpMs: 30_000,
      offerTimeoutMs: 15_000,
      strategy: { type: 'best-skill' },
      priority: 5,
      maxWaitMs: 600_000,
      maxSize: 40,
      whenNoAgents: 'overflow',
      noAgentsMeans: 'nobody-available',
      overflow: { type: 'destination', destination: 'flow' },
      announcements: {
        firstAfterMs: 30_000,
        everyMs: 60_000,
        includePosition: true,
        includeEstimatedWait: false,
      },
      escalation: [
        { afterMs: 120_000, action: { type: 'relax-skills', levelsBy: 2 } },
        {
          afterMs: 300_000,
          action: { type: 'route-elsewhere', target: { type: 'queue', queueId: 'q-spare' } },
        },
      ],
    });
    const config = parseRoutingConfig({
      queues: [{ id: 'q-main', ...settings }, { id: 'q-spare' }],
    });
    expect(config.ok).toBe(true);
  });

  it('leave out what they cannot read and send a deleted queue’s overflow to hang up, so routing keeps running', () => {
    const settings = queueAcdSettings(
      {
        strategy: 'whoever',
        priority: 1.5,
        overflow: { type: 'queue', queueId: 'q-deleted' },
        escalation: [
          { afterSeconds: 60, action: { type: 'add-queue-agents', queueId: 'q-deleted' } },
          { afterSeconds: 0, action: { type: 'raise-priority', by: 1 } },
          'nonsense',
        ],
      },
      queues,
    );
    expect(settings).toEqual({ overflow: { type: 'disconnect' }, escalation: [] });
    expect(queueAcdSettings({ wrapUpSeconds: null }, queues)).toEqual({ wrapUpMs: null });
  });

  it('send callers to the queue’s voicemail on overflow or after an escalation step', () => {
    const settings = queueAcdSettings(
      {
        overflow: { type: 'voicemail' },
        escalation: [{ afterSeconds: 180, action: { type: 'offer-voicemail' } }],
      },
      queues,
    );
    expect(settings).toEqual({
      overflow: { type: 'voicemail' },
      escalation: [{ afterMs: 180_000, action: { type: 'offer-voicemail' } }],
    });
    expect(parseRoutingConfig({ queues: [{ id: 'q-main', ...settings }] }).ok).toBe(true);
  });
});
