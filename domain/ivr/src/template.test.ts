import { describe, expect, it } from 'vitest';
import { fillTemplate, isWellFormedTemplate, spellDigits, templateVariables } from './template.ts';

const vars: Record<string, string | number> = { ticketNumber: '40712', 'caller.name': 'Ana', balance: 12.5 };
const lookup = (name: string) => vars[name];

describe('fillTemplate', () => {
  it('inserts variables, spelling digits one by one when asked', () => {
    expect(
      fillTemplate('Hola {{caller.name}}, incidencia {{ ticketNumber | digits }}: {{balance}} €', lookup),
    ).toEqual({
      ok: true,
      value: 'Hola Ana, incidencia 4 0 7 1 2: 12.5 €',
    });
  });

  it('names the first missing variable instead of saying an empty word', () => {
    expect(fillTemplate('{{ticketNumber}} {{ticketStatus}} {{other}}', lookup)).toEqual({
      ok: false,
      error: { missingVariable: 'ticketStatus' },
    });
  });

  it('escapes values placed in a URL so a caller cannot change the path', () => {
    const filled = fillTemplate('/api/tickets/{{id}}', () => '1/../admin?x=1', 'url');
    expect(filled).toEqual({ ok: true, value: '/api/tickets/1%2F..%2Fadmin%3Fx%3D1' });
  });
});

describe('template syntax', () => {
  it('lists the variables a text uses and spots malformed placeholders', () => {
    expect(templateVariables('{{a}} y {{b.c|digits}} y {{a}}')).toEqual(['a', 'b.c', 'a']);
    expect(isWellFormedTemplate('Su saldo es {{balance}}')).toBe(true);
    expect(isWellFormedTemplate('Su saldo es {{balance')).toBe(false);
    expect(isWellFormedTemplate('Su saldo es {{ 1balance }}')).toBe(false);
    expect(isWellFormedTemplate('{{balance|upper}}')).toBe(false);
  });

  it('spells only the digits of a phone number', () => {
    expect(spellDigits('+34 600-11')).toBe('3 4 6 0 0 1 1');
  });
});
