import type { ApiSession } from './api-session.ts';
import { problemDetail } from './api-session.ts';
import { TrafficError } from './errors.ts';

/** The flow the simulated customers call: always open, unlike the demo main menu (business hours). */
export const demoTrafficFlowKey = 'demo-trafico';
/** Its number (E.164). */
export const demoTrafficNumber = '+34910009999';

/** The menu key for each demo queue (queue references are the queues' keys, bound at publication). */
export const demoMenu: readonly { readonly key: string; readonly queue: string }[] = [
  { key: '1', queue: 'ventas' },
  { key: '2', queue: 'soporte-tecnico' },
  { key: '3', queue: 'facturacion' },
];

/** The flow document (docs/ivr.md): a short greeting, then a menu to the three demo queues. */
export function demoTrafficFlow(): Record<string, unknown> {
  return {
    id: demoTrafficFlowKey,
    name: 'Tráfico simulado (demo)',
    version: 1,
    description:
      'Customers of `centralita demo calls` call this number: a greeting and a menu to the demo queues, open at any hour.',
    defaultLanguage: 'es',
    languages: ['es'],
    entry: 'welcome',
    nodes: {
      welcome: {
        type: 'play',
        prompt: { es: { text: 'Bienvenido a FibraSur.' } },
        next: 'menu',
      },
      menu: {
        type: 'menu',
        prompt: {
          es: { text: 'Para ventas, pulse 1. Para soporte técnico, pulse 2. Para facturación, pulse 3.' },
        },
        options: {
          '1': { next: 'sales', label: 'Ventas' },
          '2': { next: 'support', label: 'Soporte técnico' },
          '3': { next: 'billing', label: 'Facturación' },
        },
        retries: 2,
        timeoutMs: 5000,
        onFailure: 'support',
      },
      sales: { type: 'queue', queue: 'ventas' },
      support: { type: 'queue', queue: 'soporte-tecnico' },
      billing: { type: 'queue', queue: 'facturacion' },
    },
  };
}

/** What `ensureDemoTrafficFlow` found or made. */
export interface DemoTrafficSetup {
  readonly isFlowCreated: boolean;
  readonly isNumberCreated: boolean;
  /** Queue key (`ventas`...) -> queue id, as the published version bound them. */
  readonly queueIds: ReadonlyMap<string, string>;
}

interface FlowAnswer {
  readonly publishedVersion: number | null;
  readonly draftVersion: number | null;
  readonly published: { readonly queueBindings: Readonly<Record<string, string>> } | null;
}

interface DidAnswer {
  readonly id: string;
  readonly number: string;
  readonly flowKey: string;
}

/**
 * Makes sure the tenant has the flow `demo-trafico` published and the number `+34910009999` leading to it,
 * through the API as an admin; what exists already is kept, so running the demo again changes nothing.
 */
export async function ensureDemoTrafficFlow(admin: ApiSession): Promise<DemoTrafficSetup> {
  const path = `/api/flows/${demoTrafficFlowKey}`;
  let isFlowCreated = false;
  const existing = await admin.request('GET', path);
  let flow: FlowAnswer;
  if (existing.status === 404) {
    flow = await admin.expect<FlowAnswer>('Creating the demo flow', 'POST', '/api/flows', {
      key: demoTrafficFlowKey,
      name: 'Tráfico simulado (demo)',
      description: 'Used by `centralita demo calls`.',
      document: demoTrafficFlow(),
    });
    isFlowCreated = true;
  } else if (existing.status === 200) {
    flow = existing.body as FlowAnswer;
  } else {
    throw new TrafficError(
      'TRAFFIC_API_REFUSED',
      `Reading the flow ${demoTrafficFlowKey} failed: HTTP ${String(existing.status)}${problemDetail(existing.body)}.`,
    );
  }
  if (flow.published === null) {
    const draft =
      flow.draftVersion ??
      (
        await admin.expect<{ number: number }>('Saving the demo flow', 'PUT', `${path}/draft`, {
          document: demoTrafficFlow(),
        })
      ).number;
    await admin.expect('Publishing the demo flow', 'POST', `${path}/versions/${String(draft)}/publish`, {});
    flow = await admin.expect<FlowAnswer>('Reading the demo flow', 'GET', path);
  }
  const isNumberCreated = await ensureNumber(admin);
  return {
    isFlowCreated,
    isNumberCreated,
    queueIds: new Map(Object.entries(flow.published?.queueBindings ?? {})),
  };
}

async function ensureNumber(admin: ApiSession): Promise<boolean> {
  const dids = await admin.expect<readonly DidAnswer[]>('Listing the numbers', 'GET', '/api/dids');
  const did = dids.find((candidate) => candidate.number === demoTrafficNumber);
  if (did?.flowKey === demoTrafficFlowKey) return false;
  if (did !== undefined) {
    await admin.expect('Pointing the demo number at its flow', 'PATCH', `/api/dids/${did.id}`, {
      flowKey: demoTrafficFlowKey,
    });
    return false;
  }
  const created = await admin.request('POST', '/api/dids', {
    number: demoTrafficNumber,
    flowKey: demoTrafficFlowKey,
    description: 'Simulated customers (centralita demo calls)',
  });
  if (created.status === 409) {
    throw new TrafficError(
      'TRAFFIC_API_REFUSED',
      `The number ${demoTrafficNumber} belongs to another tenant of this server; the demo traffic needs it for the demo tenant.`,
    );
  }
  if (created.status !== 201) {
    throw new TrafficError(
      'TRAFFIC_API_REFUSED',
      `Creating the number ${demoTrafficNumber} failed: HTTP ${String(created.status)}${problemDetail(created.body)}.`,
    );
  }
  return true;
}
