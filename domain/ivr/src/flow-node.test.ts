import { describe, expect, it } from 'vitest';
import { flowJsonSchema } from './flow.ts';
import { flowNodeSchema } from './flow-node.ts';

const say = { es: { text: 'Hola' }, en: { text: 'Hello' } };

function messages(node: unknown): string[] {
  const parsed = flowNodeSchema.safeParse(node);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('node schema', () => {
  it('fills the defaults a flow author may leave out', () => {
    expect(
      flowNodeSchema.parse({
        type: 'gather',
        prompt: say,
        variable: 'pin',
        maxDigits: 4,
        next: 'a',
        onFailure: 'b',
      }),
    ).toMatchObject({
      minDigits: 1,
      terminator: '#',
      firstDigitTimeoutMs: 5_000,
      interDigitTimeoutMs: 3_000,
      retries: 2,
      isBargeInAllowed: true,
    });
    expect(flowNodeSchema.parse({ type: 'queue', queue: 'ventas' })).toMatchObject({
      priority: 0,
      requiredSkills: [],
      announcements: [],
    });
  });

  it('checks what ties fields together', () => {
    expect(
      messages({
        type: 'gather',
        prompt: say,
        variable: 'pin',
        minDigits: 6,
        maxDigits: 4,
        next: 'a',
        onFailure: 'b',
      }),
    ).toEqual(['maxDigits: maxDigits must be at least minDigits']);
    expect(messages({ type: 'identify', by: 'accountNumber', next: 'a', onNotFound: 'b' })).toEqual([
      'variable: identifying by accountNumber or phoneNumber needs the variable holding it; by callerId takes none',
    ]);
    expect(messages({ type: 'http', url: '/x', body: { a: 1 }, next: 'a', onFailure: 'b' })).toEqual([
      'body: a GET request carries no body',
    ]);
    expect(messages({ type: 'queue', queue: 'ventas', overflow: { next: 'x' } })).toEqual([
      'overflow: an overflow needs afterWaitMs or whenNoAgentsLoggedIn',
    ]);
  });

  it('refuses odd URLs, numbers and keys', () => {
    expect(
      messages({
        type: 'gather',
        prompt: say,
        variable: 'call.id',
        maxDigits: 4,
        next: 'a',
        onFailure: 'b',
      })[0],
    ).toContain('cannot be written');
    expect(messages({ type: 'http', url: 'ftp://x', next: 'a', onFailure: 'b' })[0]).toContain(
      'absolute (http:// or https://)',
    );
    expect(messages({ type: 'transfer', to: { kind: 'external', number: '0034 91' } })[0]).toContain(
      'up to 15 digits',
    );
    expect(
      messages({ type: 'menu', prompt: say, options: { '10': { next: 'a' } }, onFailure: 'b' }),
    ).toHaveLength(1);
  });
});

describe('flowJsonSchema', () => {
  it('describes the document for editors, every node type included', () => {
    const text = JSON.stringify(flowJsonSchema());
    for (const type of [
      'play',
      'menu',
      'gather',
      'condition',
      'set',
      'identify',
      'http',
      'queue',
      'voicemail',
      'callback',
      'transfer',
      'language',
      'survey',
      'hangup',
      'goto',
      'subflow',
      'return',
    ]) {
      expect(text).toContain(`"const":"${type}"`);
    }
    expect(flowJsonSchema()).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['id', 'entry', 'nodes']) as unknown,
    });
  });
});
