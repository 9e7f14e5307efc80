import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Every `errors.ts` catalog of every package (and the store's `store-error.ts`). */
async function catalogFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const layer of ['domain', 'adapters', 'apps', 'tools']) {
    for (const pkg of await readdir(path.join(root, layer))) {
      for (const name of ['errors.ts', 'store-error.ts']) {
        const file = path.join(root, layer, pkg, 'src', name);
        try {
          await readFile(file);
          files.push(file);
        } catch {
          // this package has no catalog of that name
        }
      }
    }
  }
  return files;
}

// A code is a quoted string ('CRM_PHONE_INVALID') or an object key (SIP_MISSING_HEADER: '…').
const codePattern = /'([A-Z][A-Z0-9]*_[A-Z0-9_]+)'|^\s*([A-Z][A-Z0-9]*_[A-Z0-9_]+):/gm;

describe('docs/errors.md', () => {
  it('lists exactly the error codes the packages define', async () => {
    const defined = new Set<string>();
    for (const file of await catalogFiles()) {
      for (const match of (await readFile(file, 'utf8')).matchAll(codePattern)) {
        const code = match[1] ?? match[2];
        if (code !== undefined) defined.add(code);
      }
    }
    const doc = await readFile(path.join(root, 'docs/errors.md'), 'utf8');
    const documented = new Set(
      [...doc.matchAll(/^\|\s*`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1] ?? ''),
    );
    expect(defined.size).toBeGreaterThan(20);
    expect(
      [...defined].filter((code) => !documented.has(code)).sort(),
      'defined in code but not documented',
    ).toEqual([]);
    expect([...documented].filter((code) => !defined.has(code)).sort(), 'documented but not defined').toEqual(
      [],
    );
  });
});
