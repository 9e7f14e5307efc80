import { describe, expect, it } from 'vitest';
import type { EventEnvelope, TenantId } from '@centralita/kernel';
import { InProcessBus } from './in-process-bus.ts';

const event = (tenantId: string, type: string): EventEnvelope => ({
  id: type,
  type,
  tenantId: tenantId as TenantId,
  occurredAt: '2026-11-23T10:00:00.000Z',
  data: {},
});

describe('InProcessBus', () => {
  it('delivers a tenant’s events only to that tenant’s subscribers and to wildcard subscribers', () => {
    const bus = new InProcessBus();
    const a: string[] = [];
    const all: string[] = [];
    bus.subscribe('tenant-a', (e) => a.push(e.type));
    bus.subscribe('*', (e) => all.push(e.type));
    bus.publish([event('tenant-a', 'One'), event('tenant-b', 'Two')]);
    expect(a).toEqual(['One']);
    expect(all).toEqual(['One', 'Two']);
  });

  it('keeps delivering when one subscriber throws, and stops after unsubscribe', () => {
    const errors: unknown[] = [];
    const bus = new InProcessBus((error) => errors.push(error));
    const received: string[] = [];
    bus.subscribe('t', () => {
      throw new Error('broken subscriber');
    });
    const stop = bus.subscribe('t', (e) => received.push(e.type));
    bus.publish([event('t', 'First')]);
    stop();
    bus.publish([event('t', 'Second')]);
    expect(received).toEqual(['First']);
    expect(errors).toHaveLength(2);
  });
});
