import { describe, expect, it } from 'vitest';
import type { PhoneDialInput } from './phone-dial-plan.ts';
import { phoneDialPlan } from './phone-dial-plan.ts';

const base: PhoneDialInput = {
  dialled: '',
  isExtension: false,
  number: undefined,
  hasTrunk: true,
  ownNumberFlowKey: undefined,
  breakReasons: ['comida', 'formación'],
  language: 'es',
};

describe('the dial plan of agents’ phones', () => {
  it('reads *50, *51 and *52 as sign-in, sign-out and a break with the first reason', () => {
    expect(phoneDialPlan({ ...base, dialled: '*50' })).toMatchObject({
      kind: 'feature',
      presence: { kind: 'available' },
    });
    expect(phoneDialPlan({ ...base, dialled: '*51' })).toMatchObject({ presence: { kind: 'offline' } });
    expect(phoneDialPlan({ ...base, dialled: '*52' })).toMatchObject({
      presence: { kind: 'break', reason: 'comida' },
    });
  });

  it('picks the N-th break reason with *52N and refuses a reason that does not exist', () => {
    expect(phoneDialPlan({ ...base, dialled: '*522' })).toMatchObject({
      presence: { kind: 'break', reason: 'formación' },
    });
    expect(phoneDialPlan({ ...base, dialled: '*523' })).toMatchObject({ kind: 'refused', statusCode: 404 });
    expect(phoneDialPlan({ ...base, dialled: '*99' })).toMatchObject({ kind: 'refused', statusCode: 404 });
  });

  it('confirms a feature code in the agent’s language', () => {
    const plan = phoneDialPlan({ ...base, dialled: '*50', language: 'en' });
    if (plan.kind !== 'feature') throw new Error(plan.kind);
    expect(plan.flow.defaultLanguage).toBe('en');
    expect(plan.flow.nodes['say']).toMatchObject({
      type: 'play',
      prompt: { en: { text: 'You are signed in and available.' } },
    });
  });

  it('rings an extension, calls a number through the trunk, and sends the tenant’s own number to its flow', () => {
    expect(phoneDialPlan({ ...base, dialled: '1002', isExtension: true })).toMatchObject({
      kind: 'extension',
      flow: { nodes: { connect: { type: 'transfer', to: { kind: 'extension', extension: '1002' } } } },
    });
    expect(phoneDialPlan({ ...base, dialled: '612001122', number: '+34612001122' })).toMatchObject({
      kind: 'number',
      flow: { nodes: { connect: { to: { kind: 'external', number: '+34612001122' } } } },
    });
    expect(
      phoneDialPlan({ ...base, dialled: '910000000', number: '+34910000000', ownNumberFlowKey: 'principal' }),
    ).toEqual({ kind: 'own-number', number: '+34910000000', flowKey: 'principal' });
  });

  it('refuses what is neither an extension nor a number, and numbers when the tenant has no trunk', () => {
    expect(phoneDialPlan({ ...base, dialled: 'abc' })).toMatchObject({ kind: 'refused', statusCode: 404 });
    expect(
      phoneDialPlan({ ...base, dialled: '612001122', number: '+34612001122', hasTrunk: false }),
    ).toMatchObject({
      kind: 'refused',
      statusCode: 503,
    });
  });
});
