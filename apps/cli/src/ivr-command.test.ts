import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@centralita/testkit';
import type { TenantId } from '@centralita/kernel';
import {
  createDatabase,
  Database,
  directory,
  dropDatabase,
  flows,
  migrate,
  tenants,
  withDatabaseName,
} from '@centralita/store';

const run = promisify(execFile);
const cliPath = fileURLToPath(new URL('./main.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const examples = path.join(root, 'domain/ivr/examples');
const adminUrl = inject('adminDatabaseUrl');
const databaseName = `centralita_ivr_cli_${Date.now().toString(36)}`;
const databaseUrl = withDatabaseName(adminUrl, databaseName);
let scratch: string;

async function centralita(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A small bilingual flow in YAML: an account lookup over http, then a goodbye that reads the balance. */
const balanceYaml = `
id: balance
name: Saldo
version: 1
defaultLanguage: es
languages: [es, en]
entry: lookup
nodes:
  lookup:
    type: http
    url: /api/balance/{{call.callerId}}
    responseFields: { balance: balance }
    next: tell
    onFailure: sorry
  tell:
    type: hangup
    prompt:
      es: { text: "Su saldo es de {{balance}} euros." }
      en: { text: "Your balance is {{balance}} euros." }
  sorry:
    type: hangup
    prompt:
      es: { text: "No podemos consultar su saldo." }
      en: { text: "We cannot check your balance." }
`;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'centralita-ivr-cli-'));
  await writeFile(path.join(scratch, 'balance.yaml'), balanceYaml);
  await writeFile(
    path.join(scratch, 'answers.yaml'),
    'http:\n  - status: 200\n    body: { balance: 42.5 }\n',
  );
  await writeFile(
    path.join(scratch, 'account-answers.json'),
    JSON.stringify({
      identities: [null, { customerId: 'cus-2', name: 'Jorge' }],
      http: [{ status: 200, body: { balance: { amount: 42.5, currency: 'EUR' } } }],
    }),
  );
  await writeFile(
    path.join(scratch, 'broken.json'),
    JSON.stringify({
      id: 'broken',
      name: 'Roto',
      version: 1,
      defaultLanguage: 'es',
      languages: ['es', 'en'],
      entry: 'menu',
      nodes: {
        menu: { type: 'menu', prompt: { es: { text: 'Pulse 1.' } }, options: {}, onFailure: 'gone' },
      },
    }),
  );
  await createDatabase(adminUrl, databaseName);
  await migrate(databaseUrl);
  const database = new Database(databaseUrl);
  try {
    const tenant = await database.asSystem((tx) => tenants.createTenant(tx, { slug: 'acme', name: 'Acme' }));
    const context = { tenantId: tenant.id as TenantId, actor: { type: 'system' as const, id: 'test' } };
    await database.inTenant(context, async (tx) => {
      for (const name of ['Ventas', 'Soporte técnico', 'Facturación'])
        await directory.createQueue(tx, { name });
      const document = JSON.parse(
        await readFile(path.join(examples, 'demo-main-menu.json'), 'utf8'),
      ) as unknown;
      await flows.createFlow(tx, { key: 'demo-main-menu', name: 'Menú' });
      const draft = await flows.saveDraft(tx, 'demo-main-menu', document);
      if (!draft.ok) throw new Error(JSON.stringify(draft.error));
      await flows.publishVersion(tx, 'demo-main-menu', 1);
    });
  } finally {
    await database.close();
  }
});

afterAll(async () => {
  await dropDatabase(adminUrl, databaseName);
});

describe('centralita ivr', () => {
  it('runs a flow file and prints every node, prompt and key, the path and the end', async () => {
    // 17:30 UTC is 19:30 in Madrid (closed) but 13:30 in New York: --time-zone decides.
    const [sales, newYork] = await Promise.all([
      centralita(
        'ivr',
        'test',
        'domain/ivr/examples/demo-main-menu.json',
        '--caller',
        '+34600000000',
        '--digits',
        '1',
        '--at',
        '2025-06-02T10:00:00+02:00',
      ),
      centralita(
        'ivr',
        'test',
        path.join(examples, 'demo-main-menu.json'),
        '--digits',
        '9,2',
        '--at',
        '2025-06-02T17:30:00Z',
        '--time-zone',
        'America/New_York',
      ),
    ]);
    expect(sales.code, sales.stderr).toBe(0);
    expect(sales.stdout).toContain('  says  es: Bienvenido a FibraSur Telecom.');
    expect(sales.stdout).toContain('  keys  1');
    expect(sales.stdout).toContain('path: opening_check > welcome > main_menu > sales_queue\n');
    expect(sales.stdout).toContain("end:  answered in queue 'ventas'");
    expect(newYork.stdout).toContain(
      'path: opening_check > welcome > main_menu > toggle_language > to_english > main_menu > support_language > support_queue_en',
    );
    expect(newYork.stdout).toContain('  says  en: For sales, press 1.');
  });

  it('reads YAML, scripted answers and other flows for subflows', async () => {
    const [balance, survey] = await Promise.all([
      centralita(
        'ivr',
        'test',
        path.join(scratch, 'balance.yaml'),
        '--caller',
        '+34600000000',
        '--answers',
        path.join(scratch, 'answers.yaml'),
        '--at',
        '2025-06-02T10:00:00+02:00',
      ),
      centralita(
        'ivr',
        'test',
        path.join(examples, 'account-service.json'),
        '--with',
        path.join(examples, 'quick-survey.json'),
        '--answers',
        path.join(scratch, 'account-answers.json'),
        '--caller',
        '+34600000002',
        '--digits',
        '12345678,12345674,3,4,1',
        '--at',
        '2025-06-02T10:00:00+02:00',
      ),
    ]);
    expect(balance.code, balance.stderr).toBe(0);
    expect(balance.stdout).toContain('  does  GET /api/balance/%2B34600000000');
    expect(balance.stdout).toContain('  says  es: Su saldo es de 42.5 euros.');
    expect(survey.code, survey.stderr).toBe(0);
    expect(survey.stdout).toContain('  says  es: Hola, Jorge. Su saldo es de 42.5 euros.');
    expect(survey.stdout).toContain(
      'service_menu > survey > quick-survey:intro > quick-survey:questions > quick-survey:mark_done > quick-survey:back > goodbye',
    );
  });

  it('refuses an invalid flow with exit code 1 and every problem by its path', async () => {
    const [tested, validated, valid, missing] = await Promise.all([
      centralita('ivr', 'test', path.join(scratch, 'broken.json'), '--digits', '1'),
      centralita('ivr', 'validate', path.join(scratch, 'broken.json')),
      centralita('ivr', 'validate', 'domain/ivr/examples/demo-main-menu.json'),
      centralita('ivr', 'test', 'no-such-flow.json'),
    ]);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toBe('');
    expect(tested.stderr).toContain('broken.json is not a valid flow (3 problems):');
    expect(tested.stderr).toContain(
      "  nodes.menu.onFailure: points to node 'gone', which does not exist [IVR_DANGLING_REFERENCE]",
    );
    expect(tested.stderr).toContain(
      '  nodes.menu.options: a menu needs at least one option [IVR_MENU_WITHOUT_OPTIONS]',
    );
    expect(tested.stderr).toContain('  nodes.menu.prompt.en: the prompt has no English text or file');
    expect(validated.code).toBe(1);
    expect(validated.stderr).toContain('[IVR_MENU_WITHOUT_OPTIONS]');
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(
      /flow 'demo-main-menu' version 1 is valid: \d+ nodes, Spanish and English\./,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /No flow file "no-such-flow.json"\. To use a flow stored in a tenant, add --tenant/,
    );
  });

  it('runs the flow a tenant has published, on the tenant’s clock, and checks files against its queues', async () => {
    const [stored, unknown, foreignQueues] = await Promise.all([
      centralita(
        'ivr',
        'test',
        'demo-main-menu',
        '--tenant',
        'acme',
        '--digits',
        '3',
        '--at',
        '2025-12-25T10:00:00+01:00',
      ),
      centralita('ivr', 'test', 'main', '--tenant', 'acme'),
      centralita('ivr', 'validate', path.join(examples, 'account-service.json'), '--tenant', 'acme'),
    ]);
    expect(stored.code, stored.stderr).toBe(0);
    expect(stored.stdout).toContain('path: opening_check > holiday_message');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no flow "main" in the tenant\. Its flows: demo-main-menu\./);
    expect(foreignQueues.code).toBe(1);
    expect(foreignQueues.stderr).toContain("queue 'clientes-vip' does not exist [IVR_UNKNOWN_QUEUE]");
  });

  it('pre-renders a flow’s prompts into the cache, and finds them there the second time', async () => {
    const cacheDir = path.join(scratch, 'prompts');
    const first = await centralita(
      'ivr',
      'prompts',
      path.join(scratch, 'balance.yaml'),
      '--cache-dir',
      cacheDir,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `Prompts in ${cacheDir}: 2 rendered, 0 already cached, 2 with placeholders left for the first call, 0 recorded files.`,
    );
    const second = await centralita(
      'ivr',
      'prompts',
      path.join(scratch, 'balance.yaml'),
      '--cache-dir',
      cacheDir,
    );
    expect(second.stdout).toContain('0 rendered, 2 already cached');
  });
});
