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

  it('keep the commercial settings (issue #9): currency, rates, disposition values, billing plan, SLA', async () => {
    const support = '3f1c2a64-8a51-4d1e-9a43-1f0b8f6f2c11';
    const commercial = {
      currency: 'USD',
      reports: {
        shortAbandonSeconds: 8,
        billingIncrementSeconds: 60,
        billingMinimumSeconds: 30,
        dispositionValuesMinor: { venta_cerrada: 4500 },
        costRates: { agentHourMinor: 1800, telephonyMinuteMinor: 2 },
      },
      billing: { kind: 'flat', monthlyFeeMinor: 100_000, includedContacts: 500, overagePerContactMinor: 150 },
      sla: {
        targets: [
          { id: 'sl', metric: 'serviceLevelOfAnswered', comparison: 'at-least', target: 0.8, per: 'day' },
          {
            id: 'asa',
            metric: 'averageSpeedOfAnswerMs',
            comparison: 'at-most',
            target: 30_000,
            per: 'period',
            queueIds: [support],
          },
          { id: 'nps', metric: 'nps', comparison: 'at-least', target: -20, per: 'month' },
        ],
      },
    };
    expect((await call(admin, 'PATCH', { settings: commercial })).statusCode).toBe(200);
    expect(await settings()).toMatchObject(commercial);
    // Report settings sent later keep their neighbours (FCR from the test before included).
    expect(
      (
        await call(admin, 'PATCH', {
          settings: { reports: { costRates: { agentHourMinor: 2000, telephonyMinuteMinor: 3 } } },
        })
      ).statusCode,
    ).toBe(200);
    expect((await settings())['reports']).toMatchObject({
      fcrSameMatter: 'same-queue',
      dispositionValuesMinor: { venta_cerrada: 4500 },
      costRates: { agentHourMinor: 2000, telephonyMinuteMinor: 3 },
    });
    // null clears the cost rates (the screen's empty fields): cost per contact is no longer computed.
    expect((await call(admin, 'PATCH', { settings: { reports: { costRates: null } } })).statusCode).toBe(200);
    expect((await settings())['reports']).toMatchObject({ fcrSameMatter: 'same-queue', costRates: null });
    expect(
      (
        await call(admin, 'PATCH', {
          settings: { reports: { costRates: { agentHourMinor: 2000, telephonyMinuteMinor: 3 } } },
        })
      ).statusCode,
    ).toBe(200);
    // A plan of another kind replaces the old one whole: nothing of the flat fee is left.
    expect(
      (await call(admin, 'PATCH', { settings: { billing: { kind: 'per-minute', pricePerMinuteMinor: 45 } } }))
        .statusCode,
    ).toBe(200);
    expect((await settings())['billing']).toEqual({ kind: 'per-minute', pricePerMinuteMinor: 45 });
    // null removes the plan; the other settings stay.
    expect((await call(admin, 'PATCH', { settings: { billing: null } })).statusCode).toBe(200);
    const after = await settings();
    expect(after['billing']).toBeNull();
    expect(after).toMatchObject({ currency: 'USD', sla: commercial.sla });
  });

  it('refuse a bad commercial setting naming its field, and change nothing', async () => {
    const before = await settings();
    const goodTarget = {
      id: 'sl',
      metric: 'serviceLevelOfAnswered',
      comparison: 'at-least',
      target: 0.8,
      per: 'day',
    };
    const refusals: [object, string][] = [
      [{ currency: 'eur' }, 'settings.currency'],
      [{ currency: 'EURO' }, 'settings.currency'],
      [{ currency: 'ABC' }, 'settings.currency'],
      [{ reports: { shortAbandonSeconds: 601 } }, 'settings.reports.shortAbandonSeconds'],
      [{ reports: { shortAbandonSeconds: -1 } }, 'settings.reports.shortAbandonSeconds'],
      [{ reports: { billingIncrementSeconds: 0 } }, 'settings.reports.billingIncrementSeconds'],
      [{ reports: { billingIncrementSeconds: 3601 } }, 'settings.reports.billingIncrementSeconds'],
      [{ reports: { billingMinimumSeconds: 2.5 } }, 'settings.reports.billingMinimumSeconds'],
      [{ reports: { dispositionValuesMinor: { sale: -1 } } }, 'settings.reports.dispositionValuesMinor.sale'],
      [
        { reports: { dispositionValuesMinor: { sale: 1_000_000_001 } } },
        'settings.reports.dispositionValuesMinor.sale',
      ],
      [
        { reports: { dispositionValuesMinor: { ['x'.repeat(65)]: 1 } } },
        `settings.reports.dispositionValuesMinor.${'x'.repeat(65)}`,
      ],
      [
        { reports: { costRates: { agentHourMinor: 1800 } } },
        'settings.reports.costRates.telephonyMinuteMinor',
      ],
      [
        { reports: { costRates: { agentHourMinor: 1_000_001, telephonyMinuteMinor: 2 } } },
        'settings.reports.costRates.agentHourMinor',
      ],
      [
        { reports: { costRates: { agentHourMinor: 1, telephonyMinuteMinor: 2, taxes: 3 } } },
        'settings.reports.costRates.taxes',
      ],
      [
        { billing: { kind: 'per-contact', pricePerContactMinor: -5 } },
        'settings.billing.pricePerContactMinor',
      ],
      [
        { billing: { kind: 'per-contact', pricePerContactMinor: 12.5 } },
        'settings.billing.pricePerContactMinor',
      ],
      [{ billing: { kind: 'per-minute' } }, 'settings.billing.pricePerMinuteMinor'],
      [{ billing: { kind: 'per-hour', pricePerHourMinor: 1 } }, 'settings.billing.kind'],
      [
        { billing: { kind: 'per-minute', pricePerMinuteMinor: 45, pricePerContactMinor: 10 } },
        'settings.billing.pricePerContactMinor',
      ],
      [
        { billing: { kind: 'flat', monthlyFeeMinor: 1, includedContacts: -1 } },
        'settings.billing.includedContacts',
      ],
      [{ sla: { targets: [{ ...goodTarget, metric: 'offered' }] } }, 'settings.sla.targets[0].metric'],
      [{ sla: { targets: [goodTarget, { ...goodTarget, target: 80 }] } }, 'settings.sla.targets[1].target'],
      [
        { sla: { targets: [{ ...goodTarget, metric: 'nps', target: -101 }] } },
        'settings.sla.targets[0].target',
      ],
      [
        { sla: { targets: [{ ...goodTarget, metric: 'averageSpeedOfAnswerMs', target: -1 }] } },
        'settings.sla.targets[0].target',
      ],
      [
        { sla: { targets: [{ ...goodTarget, comparison: 'exactly' }] } },
        'settings.sla.targets[0].comparison',
      ],
      [{ sla: { targets: [{ ...goodTarget, per: 'year' }] } }, 'settings.sla.targets[0].per'],
      [{ sla: { targets: [{ ...goodTarget, id: '' }] } }, 'settings.sla.targets[0].id'],
      [{ sla: { targets: [goodTarget, goodTarget] } }, 'settings.sla.targets[1].id'],
      [
        { sla: { targets: [{ ...goodTarget, queueIds: ['support'] }] } },
        'settings.sla.targets[0].queueIds[0]',
      ],
      [
        { sla: { targets: Array.from({ length: 51 }, (_, i) => ({ ...goodTarget, id: `t${String(i)}` })) } },
        'settings.sla.targets',
      ],
      [{ sla: { targets: [], owner: 'me' } }, 'settings.sla.owner'],
    ];
    for (const [patch, field] of refusals) {
      const refused = await call(admin, 'PATCH', { settings: patch });
      expect(refused.statusCode, field).toBe(400);
      expect(refused.json(), field).toMatchObject({ code: 'HTTP_VALIDATION_FAILED', field });
    }
    expect(await settings()).toEqual(before);
  });

  it('are changed by admins only', async () => {
    expect((await call(agent, 'PATCH', { settings: { leaderboard: { enabled: false } } })).statusCode).toBe(
      403,
    );
  });
});
