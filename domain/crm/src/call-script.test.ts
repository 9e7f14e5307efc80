import { describe, expect, it } from 'vitest';
import { parseCallScript, renderCallScript } from './call-script.ts';
import type { CallScriptValues } from './call-script.ts';

const values: CallScriptValues = {
  customer: {
    firstName: 'Marta',
    lastName: 'Ibáñez',
    displayName: 'Marta Ibáñez',
    company: '',
    phone: '+34600111222',
    email: null,
    openTickets: 2,
    customFields: { contrato: 'FS-2291', permanencia: 12, notas: { x: 1 } },
  },
  agent: { name: 'Lucía Fernández' },
  queue: { name: 'Ventas' },
  tenant: { name: 'FibraSur Telecom' },
};

function text(template: string, filled: CallScriptValues = values): string {
  return renderCallScript(template, filled)
    .map((segment) => (segment.kind === 'text' ? segment.text : (segment.value ?? `[${segment.field}]`)))
    .join('');
}

describe('call scripts', () => {
  it('fill the customer’s, agent’s, queue’s and tenant’s fields, spaces inside the braces allowed', () => {
    expect(
      text(
        'Buenos días, {{ customer.firstName }}. Le atiende {{agent.firstName}} de {{tenant.name}} ({{queue.name}}). ' +
          'Su contrato {{customer.custom.contrato}} tiene {{customer.custom.permanencia}} meses y {{customer.openTickets}} incidencias abiertas.',
      ),
    ).toBe(
      'Buenos días, Marta. Le atiende Lucía de FibraSur Telecom (Ventas). Su contrato FS-2291 tiene 12 meses y 2 incidencias abiertas.',
    );
  });

  it('leave a field the record lacks empty (null) for the agent to ask, and an unknown caller has no customer fields', () => {
    const segments = renderCallScript(
      'Correo: {{customer.email}}; empresa: {{customer.company}}; {{customer.custom.notas}}',
      values,
    );
    expect(segments.filter((segment) => segment.kind === 'field')).toEqual([
      { kind: 'field', field: 'customer.email', value: null },
      { kind: 'field', field: 'customer.company', value: null },
      { kind: 'field', field: 'customer.custom.notas', value: null },
    ]);
    expect(text('Hola {{customer.displayName}}, soy {{agent.name}}', { ...values, customer: null })).toBe(
      'Hola [customer.displayName], soy Lucía Fernández',
    );
  });

  it('name every unknown or unclosed placeholder with its offset, keeping the rest of the script', () => {
    const parsed = parseCallScript(
      'Hola {{customer.nombre}}, {{agent.name}} {{customer.custom.}} y {{customer.phone',
    );
    expect(parsed.problems.map((problem) => [problem.offset, problem.placeholder])).toEqual([
      [5, '{{customer.nombre}}'],
      [41, '{{customer.custom.}}'],
      [64, '{{'],
    ]);
    expect(parsed.problems[0]?.message).toContain('{{customer.firstName}}');
    expect(parsed.segments).toContainEqual({ kind: 'field', field: 'agent.name' });
    expect(parseCallScript('Sin campos.').problems).toEqual([]);
  });
});
