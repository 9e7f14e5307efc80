import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ivrErrors } from './errors.ts';

describe('the IVR error catalog', () => {
  it('gives every code the IVR_ prefix and a meaning', () => {
    for (const [code, meaning] of Object.entries(ivrErrors)) {
      expect(code).toMatch(/^IVR_[A-Z_]+$/);
      expect(meaning.length).toBeGreaterThan(20);
    }
  });

  it('is documented in docs/ivr.md, code by code', () => {
    const doc = readFileSync(new URL('../../../docs/ivr.md', import.meta.url), 'utf8');
    const documented = new Set([...doc.matchAll(/^\|\s*`(IVR_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual(Object.keys(ivrErrors).sort());
  });
});
