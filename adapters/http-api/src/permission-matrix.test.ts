import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles } from '@centralita/store';
import type { Role } from '@centralita/store';
import type { Session, TestApi, TestTenant } from './test-support.ts';
import { as, createTestTenant, login, startTestApi } from './test-support.ts';

interface MatrixRow {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly access: string;
  readonly allowed: Readonly<Record<Role, boolean>>;
}

/** Reads the permission matrix from docs/security.md: the documentation is the specification. */
async function readMatrix(): Promise<MatrixRow[]> {
  const doc = await readFile(new URL('../../../docs/security.md', import.meta.url), 'utf8');
  const section = /<!-- permission-matrix:start -->([\s\S]*?)<!-- permission-matrix:end -->/.exec(doc)?.[1];
  if (section === undefined) throw new Error('docs/security.md has no permission matrix section');
  const lines = section.trim().split('\n');
  const header =
    lines[0]
      ?.split('|')
      .map((cell) => cell.trim())
      .filter(Boolean) ?? [];
  expect(header.slice(2)).toEqual([...roles]);
  return lines.slice(2).map((line) => {
    const cells = line
      .split('|')
      .map((cell) => cell.trim())
      .filter(Boolean);
    const endpoint = /^`(GET|POST|PUT|PATCH|DELETE) (\S+)`$/.exec(cells[0] ?? '');
    if (!endpoint?.[1] || !endpoint[2]) throw new Error(`unreadable matrix row: ${line}`);
    const allowed = Object.fromEntries(
      roles.map((role, index) => [role, cells[index + 2] === '✓']),
    ) as Record<Role, boolean>;
    return { method: endpoint[1] as MatrixRow['method'], url: endpoint[2], access: cells[1] ?? '', allowed };
  });
}

let testApi: TestApi;
let tenant: TestTenant;
let matrix: MatrixRow[];
const sessions = new Map<Role, Session>();

beforeAll(async () => {
  testApi = await startTestApi();
  tenant = await createTestTenant(testApi.database);
  matrix = await readMatrix();
  for (const role of roles) sessions.set(role, await login(testApi.api, tenant, role));
});

afterAll(async () => {
  await testApi.close();
});

/** Path parameters become ids that exist nowhere: allowed calls then answer 404 or 400, never 403. */
function concrete(url: string): string {
  return url.replace(/:[a-zA-Z]+/g, '0b7e8a52-1f0e-4d7a-9d55-3c0f6f2b9a11');
}

describe('the permission matrix in docs/security.md', () => {
  it('lists exactly the endpoints the server has, each with the access the code declares', () => {
    const documented = matrix.map((row) => `${row.method} ${row.url} ${row.access}`).sort();
    const served = testApi.api.routes.map((route) => `${route.method} ${route.url} ${route.access}`).sort();
    expect(documented).toEqual(served);
  });

  it('holds for every endpoint and every role', async () => {
    const failures: string[] = [];
    // Logging out ends the session used here, so those rows go last.
    const ordered = [...matrix].sort(
      (a, b) => Number(a.url === '/api/auth/logout') - Number(b.url === '/api/auth/logout'),
    );
    for (const row of ordered) {
      for (const role of roles) {
        const session = sessions.get(role);
        if (!session) throw new Error(`no session for ${role}`);
        const response = await testApi.api.app.inject({
          method: row.method,
          url: concrete(row.url),
          headers: as(session),
          ...(row.method === 'GET' || row.method === 'DELETE' ? {} : { payload: {} }),
        });
        const isForbidden = response.statusCode === 403;
        const isUnauthenticated = response.statusCode === 401;
        if (row.allowed[role] && (isForbidden || isUnauthenticated))
          failures.push(`${role} should be allowed ${row.method} ${row.url} but got ${response.statusCode}`);
        if (!row.allowed[role] && !isForbidden)
          failures.push(`${role} should be refused ${row.method} ${row.url} but got ${response.statusCode}`);
        if (isForbidden) expect(response.json<{ code: string }>().code).toBe('HTTP_FORBIDDEN');
      }
    }
    expect(failures).toEqual([]);
  });

  it('asks for a login on every endpoint that is not public', async () => {
    for (const row of matrix.filter((r) => r.access !== 'public')) {
      const response = await testApi.api.app.inject({
        method: row.method,
        url: concrete(row.url),
        ...(row.method === 'GET' || row.method === 'DELETE' ? {} : { payload: {} }),
      });
      expect(response.statusCode, `${row.method} ${row.url}`).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });
});
