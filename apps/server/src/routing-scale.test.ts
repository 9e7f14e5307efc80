import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import { api, login } from './calls/call-test-peers.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

let testServer: TestServer;

beforeAll(async () => {
  testServer = await startTestServer(inject('adminDatabaseUrl'), 'routing_scale', {
    CENTRALITA_SIP_ENABLED: 'false',
  });
}, 120_000);

afterAll(async () => {
  await testServer.stop();
});

describe('live routing of a large center', () => {
  it('routes every agent of a tenant, beyond the first page of users', async () => {
    const pool = testServer.server.database.pool;
    // 250 more agents with a skill of a demo queue, straight in the database (as an import would add them).
    await pool.query(
      `INSERT INTO users (tenant_id, email, display_name, role, extension)
       SELECT t.id, 'scale' || n || '@fibrasur.example', 'Scale ' || n, 'agent', (6000 + n)::text
       FROM tenants t, generate_series(1, 250) AS n WHERE t.slug = 'demo'`,
    );
    await pool.query(
      `INSERT INTO user_skills (tenant_id, user_id, skill_id, level)
       SELECT u.tenant_id, u.id, (SELECT skill_id FROM queue_skills LIMIT 1), 5
       FROM users u WHERE u.email LIKE 'scale%@fibrasur.example'`,
    );
    const supervisor = await login(testServer.server.url, 'teamlead@fibrasur.example');
    const states = await api<{ name: string }[]>(supervisor, 'GET', '/api/agent-states');
    expect(states.status).toBe(200);
    expect(states.body.filter((state) => state.name.startsWith('Scale ')).length).toBe(250);
  }, 60_000);
});
