import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from './config.ts';
import { createLogger, startServer } from './wiring.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the embedded PostgreSQL (what `npm start` uses)', () => {
  it('starts without DATABASE_URL, keeps its data under the data directory across restarts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'centralita-embedded-'));
    await chmod(dir, 0o755);
    dirs.push(dir);
    const env = {
      CENTRALITA_DATA_DIR: path.join(dir, 'data'),
      CENTRALITA_EMBEDDED_PG_PORT: String(await freePort()),
      PORT: '0',
      HOST: '127.0.0.1',
      CENTRALITA_SEED_DEMO: 'never',
      CENTRALITA_PRERENDER_PROMPTS: 'false',
      CENTRALITA_SIP_HOST: '127.0.0.1',
      CENTRALITA_SIP_UDP_PORT: '0',
      CENTRALITA_SIP_TCP_PORT: '0',
    };
    const first = await startServer(readConfig(env, process.cwd()), createLogger('silent'));
    await first.database.asSystem((tx) =>
      tx.query(`INSERT INTO tenants (slug, name) VALUES ('persisted', 'Persisted')`),
    );
    const ready = await fetch(`${first.url}/readyz`);
    expect(ready.status).toBe(200);
    await first.stop();
    const second = await startServer(readConfig(env, process.cwd()), createLogger('silent'));
    try {
      const rows = await second.database.asSystem((tx) =>
        tx.query<{ slug: string }>('SELECT slug FROM tenants'),
      );
      expect(rows.rows.map((r) => r.slug)).toEqual(['persisted']);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
