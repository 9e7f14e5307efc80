import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sipTransportErrors } from './errors.ts';

const sourceDir = path.dirname(fileURLToPath(import.meta.url));

describe('the SIP transport error catalog', () => {
  it('lists exactly the codes the code produces, each with a description', () => {
    const source = readdirSync(sourceDir)
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'errors.ts')
      .map((name) => readFileSync(path.join(sourceDir, name), 'utf8'))
      .join('\n');
    const used = new Set(source.match(/'SIP_TRANSPORT_[A-Z0-9_]+'/g)?.map((quoted) => quoted.slice(1, -1)));
    expect(new Set(Object.keys(sipTransportErrors))).toEqual(used);
    for (const description of Object.values(sipTransportErrors))
      expect(description.length).toBeGreaterThan(20);
  });
});
