import { describe, expect, it } from 'vitest';
import { betterFailure } from './call-legs.ts';

describe('betterFailure (the answer of an agent whose every phone failed)', () => {
  it('reports a decline first, then busy, then other refusals, then no answer, then server errors', () => {
    const worstFirst = [503, 408, 480, 486, 603];
    let best: number | undefined;
    for (const status of worstFirst) {
      best = betterFailure(best, status);
      expect(best).toBe(status);
    }
    for (const status of worstFirst) expect(betterFailure(603, status)).toBe(603);
    expect(betterFailure(486, 480)).toBe(486);
    expect(betterFailure(480, 408)).toBe(480);
    expect(betterFailure(408, 500)).toBe(408);
  });
});
