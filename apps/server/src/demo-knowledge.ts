import { knowledgeBase } from '@centralita/store';
import type { Tx } from '@centralita/store';

/** The demo's knowledge base: how FibraSur's agents answer the usual questions (title, body, language, tags). */
const articles: readonly (readonly [string, string, 'es' | 'en', readonly string[]])[] = [
  [
    'La fibra se corta por las noches',
    'Compruebe en el panel de incidencias si hay trabajos programados en la zona del cliente. Si no los hay, pida al cliente que reinicie el router (botón trasero, 10 segundos) y que mire si la luz LOS está roja. Con LOS en rojo, abra una incidencia para visita técnica; con la luz apagada, el corte es del propio router y se cambia sin visita.',
    'es',
    ['fibra', 'averías', 'router'],
  ],
  [
    'Cómo leer la factura',
    'La factura mensual muestra la cuota de la tarifa, los consumos fuera de tarifa (llamadas internacionales, números de tarificación especial) y los descuentos. Las facturas se emiten el día 1 y se cargan el día 5. Un cargo prorrateado aparece el primer mes tras un cambio de tarifa.',
    'es',
    ['facturación', 'factura'],
  ],
  [
    'Abonos y devoluciones',
    'Un abono se hace cuando hay un cargo indebido comprobado: hasta 50 € lo aprueba el agente; por encima, el coordinador. El abono aparece en la siguiente factura. Una devolución bancaria del cliente deja la línea en suspensión de pago a los 15 días.',
    'es',
    ['facturación', 'abonos'],
  ],
  [
    'Cambio de tarifa',
    'Los cambios de tarifa se aplican el día 1 del mes siguiente. Subir de velocidad no tiene permanencia nueva; bajar dentro de la permanencia tiene una penalización proporcional. Ofrezca siempre la tarifa Fibra 1 Gb + Móvil si el cliente tiene dos o más líneas móviles.',
    'es',
    ['ventas', 'tarifas'],
  ],
  [
    'Portabilidad de líneas móviles',
    'La portabilidad tarda 1 día laborable. Hace falta el DNI del titular, el número y el código ICC de la nueva tarjeta SIM. La línea queda sin servicio como mucho dos horas la madrugada del cambio.',
    'es',
    ['móvil', 'portabilidad', 'ventas'],
  ],
  [
    'Baja del servicio',
    'Antes de tramitar una baja, ofrezca la retención: un mes gratis o una mejora de velocidad sin coste. Si el cliente insiste, la baja se tramita con efecto al final del periodo facturado y el router se devuelve en una oficina de correos en 30 días.',
    'es',
    ['bajas', 'retención'],
  ],
  [
    'Visita técnica: cómo programarla',
    'Las visitas se programan en franjas de mañana (9-14) o tarde (15-20). Confirme la dirección y un teléfono de contacto. El técnico llama media hora antes. Una visita por avería del cliente (cableado interior) tiene un coste de 45 €.',
    'es',
    ['averías', 'visitas'],
  ],
  [
    'Wifi lento en casa',
    'La mayoría de quejas de velocidad son del wifi, no de la fibra. Pida una prueba de velocidad por cable. Si por cable llega la velocidad contratada, recomiende el canal de 5 GHz o un repetidor mesh (alquiler 3 €/mes).',
    'es',
    ['wifi', 'averías', 'router'],
  ],
  [
    'Protección de datos: verificar la identidad',
    'Antes de dar datos de la cuenta o cambiar nada, verifique la identidad: nombre completo, DNI y una de estas: fecha de nacimiento, últimos cuatro dígitos de la cuenta bancaria o dirección de instalación. Nunca lea datos en voz alta: pida que el cliente los diga.',
    'es',
    ['seguridad', 'privacidad'],
  ],
  [
    'How to read the bill',
    'The monthly bill shows the plan fee, usage outside the plan (international calls, premium numbers) and discounts. Bills are issued on the 1st and charged on the 5th. A prorated charge appears in the first month after a plan change.',
    'en',
    ['billing', 'bill'],
  ],
  [
    'Fibre drops at night',
    'Check the incident board for planned works in the customer’s area. If there are none, ask the customer to restart the router (back button, 10 seconds) and to check whether the LOS light is red. With LOS red, open a ticket for a technician visit; with the light off, the router itself is faulty and is replaced without a visit.',
    'en',
    ['fibre', 'faults', 'router'],
  ],
  [
    'Cancelling the service',
    'Before processing a cancellation, offer retention: one free month or a free speed upgrade. If the customer insists, the cancellation takes effect at the end of the billed period and the router is returned at a post office within 30 days.',
    'en',
    ['cancellations', 'retention'],
  ],
];

/** Writes the demo's knowledge base. */
export async function seedDemoKnowledgeBase(tx: Tx): Promise<void> {
  for (const [title, body, language, tags] of articles)
    await knowledgeBase.createArticle(tx, { title, body, language, tags }, null);
}
