import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantContext } from './actor.ts';
import type { Database } from './database.ts';
import type { InteractionStatus } from './interactions.ts';
import { changeInteraction, completeAfterWrapUp, getInteraction, insertInteraction } from './interactions.ts';
import { createTestTenant, openTestDatabase } from './test-support.ts';

let database: Database;
let acme: TenantContext;

beforeAll(async () => {
  database = openTestDatabase();
  acme = await createTestTenant(database, 'Acme');
});

afterAll(async () => {
  await database.close();
});

async function callIn(status: InteractionStatus): Promise<string> {
  return database.inTenant(acme, (tx) =>
    insertInteraction(tx, { channel: 'voice', direction: 'inbound', status, remoteAddress: '+34600111222' }),
  );
}

async function read(
  id: string,
): Promise<{ status: string; wrapUpEndedAt: Date | null; endedAt: Date | null }> {
  return database.inTenant(acme, (tx) => getInteraction(tx, id));
}

describe('the call layer ending an interaction in one statement', () => {
  it('completes an interaction in wrap-up or in progress when its after-call work ends, with the time it ended', async () => {
    const endedAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000);
    for (const status of ['wrap_up', 'in_progress'] as const) {
      const id = await callIn(status);
      expect(await database.inTenant(acme, (tx) => completeAfterWrapUp(tx, id, endedAt))).toBe(true);
      expect(await read(id)).toMatchObject({ status: 'completed', wrapUpEndedAt: endedAt });
    }
    // No after-call work: completed, and no wrap-up time is invented.
    const quick = await callIn('wrap_up');
    await database.inTenant(acme, (tx) => completeAfterWrapUp(tx, quick));
    expect(await read(quick)).toMatchObject({ status: 'completed', wrapUpEndedAt: null });
  });

  it('leaves a completed or abandoned interaction, and a missing one, as they are', async () => {
    const endedAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000);
    for (const status of ['completed', 'abandoned'] as const) {
      const id = await callIn(status);
      expect(await database.inTenant(acme, (tx) => completeAfterWrapUp(tx, id, endedAt))).toBe(false);
      expect(await read(id)).toMatchObject({ status, wrapUpEndedAt: null });
    }
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await database.inTenant(acme, (tx) => completeAfterWrapUp(tx, missing, endedAt))).toBe(false);
  });

  it('sends an ended call to wrap-up unless its agent already wrapped it up', async () => {
    const endedAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 300_000);
    const talking = await callIn('in_progress');
    const wrappedEarly = await callIn('completed');
    for (const id of [talking, wrappedEarly])
      await database.inTenant(acme, (tx) =>
        changeInteraction(tx, id, { status: 'wrap_up', keepsCompleted: true, endedAt }),
      );
    expect(await read(talking)).toMatchObject({ status: 'wrap_up', endedAt });
    expect(await read(wrappedEarly)).toMatchObject({ status: 'completed', endedAt });
    // Without keepsCompleted the status given is the status stored.
    await database.inTenant(acme, (tx) => changeInteraction(tx, wrappedEarly, { status: 'wrap_up' }));
    expect((await read(wrappedEarly)).status).toBe('wrap_up');
  });
});
