import { callScripts } from '@centralita/store';
import type { Tx } from '@centralita/store';

/** The demo's call scripts: what FibraSur's agents say on sales and support calls, in Spanish and English. */
const scripts: readonly {
  readonly name: string;
  readonly queue: string;
  readonly bodyEs: string;
  readonly bodyEn: string;
}[] = [
  {
    name: 'Ventas: alta de fibra',
    queue: 'Ventas',
    bodyEs: [
      'Buenos días, {{customer.firstName}}. Le atiende {{agent.firstName}}, del equipo de {{queue.name}} de {{tenant.name}}.',
      '1. Confirme el número de contacto: {{customer.phone}}.',
      '2. Pregunte qué velocidad necesita en casa (300 Mb, 600 Mb o 1 Gb) y cuántas personas teletrabajan.',
      '3. Ofrezca la instalación gratuita esta semana y el router wifi 6 incluido.',
      '4. Si acepta, confirme el correo para el contrato: {{customer.email}}.',
      'Cierre: «Gracias, {{customer.firstName}}. Le llegará el contrato por correo en unos minutos.»',
    ].join('\n'),
    bodyEn: [
      'Good morning, {{customer.firstName}}. This is {{agent.firstName}} from the {{queue.name}} team at {{tenant.name}}.',
      '1. Confirm the contact number: {{customer.phone}}.',
      '2. Ask which speed they need at home (300 Mb, 600 Mb or 1 Gb) and how many people work from home.',
      '3. Offer free installation this week and the included wifi 6 router.',
      '4. If they accept, confirm the email for the contract: {{customer.email}}.',
      'Closing: “Thank you, {{customer.firstName}}. The contract will reach your inbox in a few minutes.”',
    ].join('\n'),
  },
  {
    name: 'Soporte: avería de conexión',
    queue: 'Soporte técnico',
    bodyEs: [
      'Hola, {{customer.displayName}}. Soy {{agent.firstName}}, de soporte técnico de {{tenant.name}}.',
      'Tiene {{customer.openTickets}} incidencias abiertas: compruebe en la ficha si la llamada es por una de ellas.',
      '1. Pida que reinicie el router y espere a que la luz de fibra quede fija.',
      '2. Si la luz parpadea en rojo, abra una incidencia «Sin señal de fibra» y ofrezca visita técnica.',
      '3. Si hay señal pero va lento, haga la prueba de velocidad por cable antes de escalar.',
    ].join('\n'),
    bodyEn: [
      'Hello, {{customer.displayName}}. I am {{agent.firstName}} from {{tenant.name}} technical support.',
      'There are {{customer.openTickets}} open tickets: check in the profile whether the call is about one of them.',
      '1. Ask them to restart the router and wait until the fibre light stays steady.',
      '2. If the light blinks red, open a “No fibre signal” ticket and offer a technician visit.',
      '3. If there is signal but it is slow, run the speed test over a cable before escalating.',
    ].join('\n'),
  },
];

/** Writes the demo scripts and points the demo queues at them. */
export async function seedDemoCallScripts(tx: Tx, queueIds: ReadonlyMap<string, string>): Promise<void> {
  for (const script of scripts) {
    const queueId = queueIds.get(script.queue);
    await callScripts.createCallScript(tx, {
      name: script.name,
      bodyEs: script.bodyEs,
      bodyEn: script.bodyEn,
      queueIds: queueId === undefined ? [] : [queueId],
    });
  }
}
