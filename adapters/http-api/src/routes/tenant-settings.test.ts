import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestApi, TestTenant } from '../test-support.ts';
import { as, createTestTenant, login, startTestApi } from '../test-support.ts';

let testApi: TestApi;
let tenant: TestTenant;
let admin: Session;
let agent: Session;

async function call(session: Session, method: 'GET' | 'PATCH', payload?: object) {
  return testApi.api.app.inject({
    method,
    url: '/api/tenant',
    headers: as(session),
    ...(payload === undefined ? {} : { payload }),
  });
}

async function settings(): Promise<Record<string, unknown>> {
  return (await call(admin, 'GET')).json<{ settings: Record<string, unknown> }>().settings;
}

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  admin = await login(testApi.api, tenant, 'admin');
  agent = await login(testApi.api, tenant, 'agent');
});

afterAll(async () => {
  await testApi.close();
});

describe('tenant settings', () => {
  it('change one setting of a group and keep its neighbours, and keep settings the product does not know', async () => {
    expect(
      (
        await call(admin, 'PATCH', {
          settings: {
            recording: { policy: 'all', retentionDays: 90 },
            languages: ['es', 'en'],
            crmSync: { url: 'https://crm.example/hook' },
          },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await call(admin, 'PATCH', { settings: { recording: { agentCanPause: false } } })).statusCode,
    ).toBe(200);
    expect(await settings()).toMatchObject({
      recording: { policy: 'all', retentionDays: 90, agentCanPause: false },
      languages: ['es', 'en'],
      crmSync: { url: 'https://crm.example/hook' },
    });
    expect((await call(admin, 'PATCH', { settings: { leaderboard: { enabled: true } } })).statusCode).toBe(
      200,
    );
    expect(await settings()).toMatchObject({ leaderboard: { enabled: true }, recording: { policy: 'all' } });
    // First-contact resolution by queue (issue #9), keeping the report settings beside it.
    expect(
      (await call(admin, 'PATCH', { settings: { reports: { shortAbandonSeconds: 10, fcrWindowDays: 7 } } }))
        .statusCode,
    ).toBe(200);
    expect(
      (await call(admin, 'PATCH', { settings: { reports: { fcrSameMatter: 'same-queue' } } })).statusCode,
    ).toBe(200);
    expect(await settings()).toMatchObject({
      reports: { shortAbandonSeconds: 10, fcrWindowDays: 7, fcrSameMatter: 'same-queue' },
    });
  });

  it('refuse a bad value naming the field, and change nothing', async () => {
    const before = await settings();
    const refusals: [object, string][] = [
      [{ recording: { retentionDays: 0 } }, 'retentionDays'],
      [{ recording: { policy: 'sometimes' } }, 'policy'],
      [{ recording: { agentCanPause: 'yes' } }, 'agentCanPause'],
      [{ languages: [] }, 'languages'],
      [{ languages: ['es', 'fr'] }, 'languages'],
      [{ leaderboard: { enabled: true, public: true } }, 'leaderboard'],
      [{ reports: { fcrSameMatter: 'same-ticket' } }, 'fcrSameMatter'],
      [{ reports: { fcrSameMatter: null } }, 'fcrSameMatter'],
      [{ reports: { fcrWindowDays: 0 } }, 'fcrWindowDays'],
      [{ reports: { fcrWindowDays: 91 } }, 'fcrWindowDays'],
      [{ reports: { fcrWindowDays: 1.5 } }, 'fcrWindowDays'],
    ];
    for (const [patch, field] of refusals) {
      const refused = await call(admin, 'PATCH', { settings: patch });
      expect(refused.statusCode, field).toBe(400);
      expect(JSON.stringify(refused.json()), field).toContain(field);
    }
    const refused = await call(admin, 'PATCH', { settings: { reports: { fcrSameMatter: 'same-ticket' } } });
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({ status: 400, field: 'settings.reports.fcrSameMatter' });
    expect(await settings()).toEqual(before);
  });

  it('are changed by admins only', async () => {
    expect((await call(agent, 'PATCH', { settings: { leaderboard: { enabled: false } } })).statusCode).toBe(
      403,
    );
  });
});
