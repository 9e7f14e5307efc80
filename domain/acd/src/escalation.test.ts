import { describe, expect, it } from 'vitest';
import { RoutingHarness } from './routing-harness.ts';

describe('escalation', () => {
  it('relaxes the required skill levels after a wait, reaching agents below the minimum', () => {
    const h = new RoutingHarness({
      queues: [
        {
          id: 'q',
          requiredSkills: [{ skill: 'billing', minLevel: 7 }],
          escalation: [
            { afterMs: 30_000, action: { type: 'relax-skills', levelsBy: 2 } },
            { afterMs: 60_000, action: { type: 'relax-skills', levelsBy: 3 } },
          ],
        },
      ],
      agents: [
        { id: 'mid', skills: { billing: 5 } },
        { id: 'junior', skills: { billing: 2 } },
      ],
    });
    h.login('mid', 'junior');
    h.arrive('c1', 'q');
    h.arrive('c2', 'q');
    h.advanceTo(29_999);
    expect(h.ringing.size).toBe(0);
    h.advanceTo(30_000);
    // Both now need level 5: only "mid" qualifies, and takes the older contact.
    expect(h.ringingFor('c1')).toEqual(['mid']);
    h.accept('c1', 'mid');
    expect(h.factsOf('EscalationApplied').map((f) => [f.contactId, f.stepIndex, f.atMs])).toEqual([
      ['c1', 0, 30_000],
      ['c2', 0, 30_000],
    ]);
    h.advanceTo(59_999);
    expect(h.ringingFor('c2')).toEqual([]);
    h.arrive('c3', 'q');
    h.advanceTo(60_000);
    // c2 now needs level 2; c3, just arrived, still needs 7.
    expect(h.ringingFor('c2')).toEqual(['junior']);
    expect(h.ringingFor('c3')).toEqual([]);
  });

  it('adds another queue’s agents after a wait', () => {
    const h = new RoutingHarness({
      queues: [
        {
          id: 'sales',
          requiredSkills: [{ skill: 'sales' }],
          escalation: [{ afterMs: 45_000, action: { type: 'add-queue-agents', queueId: 'support' } }],
        },
        { id: 'support', requiredSkills: [{ skill: 'support' }] },
      ],
      agents: [{ id: 's1', skills: { support: 4 } }],
    });
    h.login('s1');
    h.arrive('c1', 'sales');
    h.advanceTo(45_000);
    expect(h.ringingFor('c1')).toEqual(['s1']);
  });

  it('raises the priority so a long waiter overtakes newer VIPs', () => {
    const h = new RoutingHarness({
      queues: [{ id: 'q', escalation: [{ afterMs: 60_000, action: { type: 'raise-priority', by: 20 } }] }],
      agents: [{ id: 'a1' }],
    });
    h.arrive('old', 'q');
    h.advanceTo(50_000);
    h.arrive('vip', 'q', { customerPriority: 10 });
    h.advanceTo(60_000);
    h.login('a1');
    expect(h.ringingAt('a1')).toEqual(['old']);
  });

  it('offers the caller a callback or voicemail, and routes elsewhere at the last step', () => {
    const h = new RoutingHarness({
      queues: [
        {
          id: 'q',
          escalation: [
            { afterMs: 60_000, action: { type: 'offer-callback' } },
            { afterMs: 120_000, action: { type: 'offer-voicemail' } },
            {
              afterMs: 300_000,
              action: {
                type: 'route-elsewhere',
                target: { type: 'destination', destination: '+34910000000' },
              },
            },
          ],
        },
      ],
    });
    h.arrive('c1', 'q');
    h.advanceTo(300_000);
    expect(h.commands.filter((c) => c.type !== 'StartTimer' && c.type !== 'CancelTimer')).toEqual([
      { type: 'OfferCallbackToCaller', contactId: 'c1' },
      { type: 'OfferVoicemailToCaller', contactId: 'c1' },
      { type: 'RouteToDestination', contactId: 'c1', destination: '+34910000000' },
    ]);
    expect(h.factsOf('ContactFinished')).toMatchObject([
      { contactId: 'c1', outcome: 'overflowed', detail: 'escalation' },
    ]);
  });

  it('sends the caller to voicemail when they choose it', () => {
    const h = new RoutingHarness({ queues: [{ id: 'q' }] });
    h.arrive('c1', 'q');
    h.send({ type: 'VoicemailChosen', contactId: 'c1' as never });
    expect(h.commandsOf('SendToVoicemail')).toEqual([
      { type: 'SendToVoicemail', contactId: 'c1', queueId: 'q' },
    ]);
    expect(h.factsOf('ContactFinished')).toMatchObject([
      { outcome: 'overflowed', detail: 'voicemail-chosen' },
    ]);
  });
});
