import { describe, expect, it } from 'vitest';
import type { CallLeg } from './call-legs.ts';
import { LegDirectory, betterFailure } from './call-legs.ts';

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

describe('LegDirectory', () => {
  const leg = (legId: string): CallLeg => ({ legId }) as unknown as CallLeg;

  it("forgets a removed leg's dialogs (early and confirmed) and keeps every other leg's", () => {
    const directory = new LegDirectory();
    const [a, b] = [leg('a'), leg('b')];
    directory.add(a);
    directory.add(b);
    directory.bindDialog(a, 'call-a;tag-1');
    directory.bindDialog(a, 'call-a;tag-2');
    directory.bindDialog(b, 'call-b;tag-1');
    directory.remove(a);
    expect(directory.byId('a')).toBeUndefined();
    expect(directory.byDialog('call-a;tag-1')).toBeUndefined();
    expect(directory.byDialog('call-a;tag-2')).toBeUndefined();
    expect(directory.byDialog('call-b;tag-1')).toBe(b);
    expect(directory.size).toBe(1);
  });

  it('leaves a dialog key that another leg took over', () => {
    const directory = new LegDirectory();
    const [a, b] = [leg('a'), leg('b')];
    directory.bindDialog(a, 'shared');
    directory.bindDialog(b, 'shared');
    directory.remove(a);
    expect(directory.byDialog('shared')).toBe(b);
  });
});
