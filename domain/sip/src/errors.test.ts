import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sipErrors } from './errors.ts';

const sourceDir = path.dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'errors.ts' ? [full] : [];
  });
}

describe('the SIP error catalog', () => {
  it('lists exactly the codes the code produces, each with a description', () => {
    const source = sourceFiles(sourceDir)
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const used = new Set(source.match(/'SIP_[A-Z0-9_]+'/g)?.map((quoted) => quoted.slice(1, -1)));
    expect(new Set(Object.keys(sipErrors))).toEqual(used);
    for (const description of Object.values(sipErrors)) expect(description.length).toBeGreaterThan(20);
  });
});
