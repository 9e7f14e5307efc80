import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { SeededRandom } from '@centralita/kernel';
import type { Random, TenantId } from '@centralita/kernel';
import {
  customers,
  directory,
  domainEvents,
  dispositions,
  flows,
  interactions,
  sipAccounts,
  tenants,
  tickets,
  users,
} from '@centralita/store';
import type { Database, Role, TenantContext, Tx } from '@centralita/store';
import { timeZoneCalendar } from '@centralita/reporting';
import type { TimeZoneCalendar } from '@centralita/reporting';
import { sipHa1 } from './sip-service.ts';
import { seedDemoKnowledgeBase } from './demo-knowledge.ts';
import { seedDemoCallScripts } from './demo-scripts.ts';
import { demoHistoryEvents } from './demo-report-history.ts';
import { isBusinessWeekday, simulateDemoHistory, weekdayOf } from './demo-history.ts';
import { readTenantRouting } from './tenant-routing.ts';

/** The demo tenant's slug and the password every demo login shares (README lists the logins). */
export const demoTenantSlug = 'demo';
export const demoPassword = 'centralita-demo';

/** One demo login. */
export interface DemoLogin {
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly extension: string | null;
}

const queueNames = ['Ventas', 'Soporte técnico', 'Facturación'] as const;
type QueueName = (typeof queueNames)[number];

/** The demo's IVR main menu, the example flow of domain/ivr with its suite of expected paths. */
const demoFlowFile = new URL('../../../domain/ivr/examples/demo-main-menu.json', import.meta.url);
/** Where callers go when a flow faults: an apology, then technical support. */
const demoIvrFallback: flows.IvrFallbackSetting = {
  prompt: {
    es: {
      text: 'Disculpe, estamos teniendo un problema técnico. Le pasamos con un agente de soporte técnico.',
    },
    en: { text: 'Sorry, we are having a technical problem. We are putting you through to a support agent.' },
  },
  queue: flows.queueKey('Soporte técnico'),
};

/**
 * Stores and publishes the demo main menu and makes it the tenant's main flow. Its queue references
 * (`ventas`, `soporte-tecnico`, `facturacion`) are the keys of the three demo queues, so publishing binds
 * each to its queue id; a reference that did not match would refuse the flow here.
 */
async function seedDemoIvr(tx: Tx): Promise<string> {
  const document = JSON.parse(await readFile(demoFlowFile, 'utf8')) as { id: string; name: string };
  await flows.createFlow(tx, { key: document.id, name: document.name });
  const draft = await flows.saveDraft(tx, document.id, document);
  const published = draft.ok ? await flows.publishVersion(tx, document.id, draft.value.number) : draft;
  const settings = published.ok
    ? await flows.setIvrSettings(tx, { mainFlow: document.id, fallback: demoIvrFallback })
    : published;
  if (!settings.ok) {
    const problems = settings.error.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
    throw new Error(`the demo IVR flow was refused: ${problems}`);
  }
  return document.id;
}

/** The demo's number: callers (a local SIPp through the loopback trunk) reach the main menu on it. */
export const demoDid = '+34910000000';
/** The demo's loopback trunk: calls from this machine are accepted without registering. */
export const demoTrunkName = 'Loopback (SIPp)';

/**
 * Telephony of the demo: every member of staff with an extension gets the demo password as SIP password
 * (username = extension, domain = `demo.<SIP domain>`), a loopback trunk accepts calls from 127.0.0.1 and
 * ::1 (and sends outbound calls to a SIPp UAS on 127.0.0.1:5070), and the demo DID leads to the main menu.
 */
async function seedDemoTelephony(tx: Tx, sipDomain: string, mainFlowKey: string): Promise<void> {
  const realm = sipAccounts.sipRealm(demoTenantSlug, sipDomain);
  for (const member of await users.listUsers(tx, { limit: 200, offset: 0 }).then((page) => page.items)) {
    if (member.extension === null) continue;
    await sipAccounts.setSipCredentials(tx, member.id, sipHa1(member.extension, realm, demoPassword));
  }
  await sipAccounts.createTrunk(tx, {
    name: demoTrunkName,
    inboundAddresses: ['127.0.0.1/32', '::1/128'],
    outbound: { host: '127.0.0.1', port: 5070, transport: 'udp' },
  });
  await sipAccounts.createDid(tx, {
    number: demoDid,
    flowKey: mainFlowKey,
    description: 'Número de atención al cliente (demo)',
  });
}

const staff: readonly (DemoLogin & {
  skills: readonly [QueueName, number][];
  languages: readonly ('es' | 'en')[];
})[] = [
  {
    email: 'admin@fibrasur.example',
    displayName: 'Laura Martín',
    role: 'admin',
    extension: '1900',
    skills: [],
    languages: ['es', 'en'],
  },
  {
    email: 'manager@fibrasur.example',
    displayName: 'Javier Ortega',
    role: 'manager',
    extension: '1901',
    skills: [],
    languages: ['es', 'en'],
  },
  {
    email: 'teamlead@fibrasur.example',
    displayName: 'Marta Sánchez',
    role: 'team_lead',
    extension: '1902',
    skills: [
      ['Soporte técnico', 9],
      ['Ventas', 7],
    ],
    languages: ['es', 'en'],
  },
  {
    email: 'analyst@fibrasur.example',
    displayName: 'Pablo Romero',
    role: 'analyst',
    extension: null,
    skills: [],
    languages: ['es'],
  },
  {
    email: 'trainer@fibrasur.example',
    displayName: 'Elena Navarro',
    role: 'trainer',
    extension: '1903',
    skills: [],
    languages: ['es', 'en'],
  },
  {
    email: 'lucia.fernandez@fibrasur.example',
    displayName: 'Lucía Fernández',
    role: 'agent',
    extension: '1001',
    skills: [
      ['Ventas', 9],
      ['Facturación', 5],
    ],
    languages: ['es', 'en'],
  },
  {
    email: 'carlos.gomez@fibrasur.example',
    displayName: 'Carlos Gómez',
    role: 'agent',
    extension: '1002',
    skills: [['Ventas', 7]],
    languages: ['es'],
  },
  {
    email: 'sofia.ruiz@fibrasur.example',
    displayName: 'Sofía Ruiz',
    role: 'agent',
    extension: '1003',
    skills: [
      ['Soporte técnico', 8],
      ['Ventas', 4],
    ],
    languages: ['es', 'en'],
  },
  {
    email: 'diego.moreno@fibrasur.example',
    displayName: 'Diego Moreno',
    role: 'agent',
    extension: '1004',
    skills: [['Soporte técnico', 9]],
    languages: ['es'],
  },
  {
    email: 'paula.jimenez@fibrasur.example',
    displayName: 'Paula Jiménez',
    role: 'agent',
    extension: '1005',
    skills: [
      ['Soporte técnico', 6],
      ['Facturación', 6],
    ],
    languages: ['es'],
  },
  {
    email: 'andres.alonso@fibrasur.example',
    displayName: 'Andrés Alonso',
    role: 'agent',
    extension: '1006',
    skills: [['Facturación', 9]],
    languages: ['es', 'en'],
  },
  {
    email: 'irene.vazquez@fibrasur.example',
    displayName: 'Irene Vázquez',
    role: 'agent',
    extension: '1007',
    skills: [
      ['Facturación', 7],
      ['Ventas', 6],
    ],
    languages: ['es'],
  },
  {
    email: 'raul.castro@fibrasur.example',
    displayName: 'Raúl Castro',
    role: 'agent',
    extension: '1008',
    skills: [
      ['Soporte técnico', 5],
      ['Facturación', 4],
      ['Ventas', 5],
    ],
    languages: ['es'],
  },
];

/** The demo logins, in the order the README lists them. */
export const demoLogins: readonly DemoLogin[] = staff.map(({ email, displayName, role, extension }) => ({
  email,
  displayName,
  role,
  extension,
}));

const firstNames = [
  'Antonio',
  'María',
  'Manuel',
  'Carmen',
  'José',
  'Ana',
  'Francisco',
  'Isabel',
  'David',
  'Laura',
  'Juan',
  'Cristina',
  'Javier',
  'Marta',
  'Daniel',
  'Lucía',
  'Alejandro',
  'Pilar',
  'Miguel',
  'Rosa',
  'Rafael',
  'Elena',
  'Pedro',
  'Raquel',
  'Ángel',
  'Nuria',
  'Sergio',
  'Beatriz',
  'Fernando',
  'Núria',
  'Jorge',
  'Inmaculada',
  'Alberto',
  'Silvia',
  'Luis',
  'Patricia',
  'Pablo',
  'Mercedes',
  'Álvaro',
  'Rocío',
  'Emily',
  'James',
  'Olivia',
  'George',
];
const lastNames = [
  'García',
  'Rodríguez',
  'González',
  'Fernández',
  'López',
  'Martínez',
  'Sánchez',
  'Pérez',
  'Gómez',
  'Martín',
  'Jiménez',
  'Ruiz',
  'Hernández',
  'Díaz',
  'Moreno',
  'Muñoz',
  'Álvarez',
  'Romero',
  'Alonso',
  'Gutiérrez',
  'Navarro',
  'Torres',
  'Domínguez',
  'Vázquez',
  'Ramos',
  'Gil',
  'Ramírez',
  'Serrano',
  'Blanco',
  'Molina',
  'Castro',
  'Ortiz',
  'Rubio',
  'Marín',
  'Sanz',
  'Núñez',
  'Iglesias',
  'Medina',
  'Garrido',
  'Cortés',
];
const englishLastNames = ['Smith', 'Brown', 'Taylor', 'Wilson'];
const companies = [
  '',
  '',
  '',
  '',
  'Talleres Ruiz S.L.',
  'Panadería La Espiga',
  'Clínica Dental Sonrisa',
  'Gestoría Pérez y Asociados',
  'Bar El Rincón',
  'Ferretería Central',
  'Academia Idiomas Norte',
  'Construcciones Levante S.A.',
];
const plans = [
  'Fibra 300 Mb',
  'Fibra 600 Mb',
  'Fibra 1 Gb',
  'Fibra 600 Mb + Móvil',
  'Fibra 1 Gb + 2 Móviles',
  'Solo móvil 30 GB',
];
const cities = [
  'Sevilla',
  'Málaga',
  'Córdoba',
  'Granada',
  'Cádiz',
  'Huelva',
  'Almería',
  'Jaén',
  'Madrid',
  'Valencia',
];
const emailDomains = ['gmail.com', 'hotmail.es', 'yahoo.es', 'outlook.es', 'telefonica.net'];
const subjectsByQueue: Record<QueueName, readonly string[]> = {
  Ventas: [
    'Consulta sobre Fibra 1 Gb',
    'Quiere añadir una línea móvil',
    'Portabilidad desde otro operador',
    'Oferta para empresas',
    'Cambio de tarifa',
  ],
  'Soporte técnico': [
    'Sin conexión a internet',
    'Router con luz roja',
    'Wifi lento en el salón',
    'Cortes intermitentes por la noche',
    'No funciona la televisión',
    'Configurar el router nuevo',
  ],
  Facturación: [
    'Cargo duplicado en la factura',
    'Cambio de cuenta bancaria',
    'Factura más alta de lo habitual',
    'Solicita factura en papel',
    'Consulta sobre permanencia',
  ],
};
const dispositionsByQueue: Record<QueueName, readonly string[]> = {
  Ventas: ['venta_cerrada', 'interesado_rellamar', 'no_interesado', 'informacion_enviada'],
  'Soporte técnico': [
    'resuelto_primer_contacto',
    'tecnico_programado',
    'escalado_segundo_nivel',
    'resuelto_remoto',
  ],
  Facturación: ['abono_realizado', 'informacion_facilitada', 'reclamacion_abierta', 'datos_actualizados'],
};

/** The demo queues' dispositions beyond the built-in six: code, Spanish, English, resolves the matter. */
const demoDispositions: readonly (readonly [string, string, string, boolean])[] = [
  ['interesado_rellamar', 'Interesado, volver a llamar', 'Interested, call back', false],
  ['no_interesado', 'No interesado', 'Not interested', true],
  ['tecnico_programado', 'Visita técnica programada', 'Technician visit booked', false],
  ['escalado_segundo_nivel', 'Escalado a segundo nivel', 'Escalated to second level', false],
  ['resuelto_remoto', 'Resuelto en remoto', 'Resolved remotely', true],
  ['abono_realizado', 'Abono realizado', 'Refund issued', true],
  ['informacion_facilitada', 'Información facilitada', 'Information given', true],
  ['reclamacion_abierta', 'Reclamación abierta', 'Complaint opened', false],
  ['datos_actualizados', 'Datos actualizados', 'Details updated', true],
];

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random.next() * items.length)];
  if (item === undefined) throw new Error('cannot pick from an empty list');
  return item;
}

function digits(random: Random, count: number): string {
  let value = '';
  for (let i = 0; i < count; i++) value += String(Math.floor(random.next() * 10));
  return value;
}

function emailLocalPart(first: string, last: string): string {
  return `${first}.${last}`
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z.]/g, '');
}

/** A demo customer as created, with the phone they call from (E.164). */
interface DemoCustomer {
  readonly id: string;
  readonly phone: string;
  readonly input: customers.CustomerInput & {
    readonly firstName: string;
    readonly lastName: string;
    readonly identities: readonly customers.IdentityInput[];
  };
}

/**
 * One demo customer: a Spanish (or now and then English-speaking) person or company with a mobile or
 * landline number no other demo customer has, usually an e-mail address, and their contract.
 */
function demoCustomer(random: Random, index: number, usedPhones: Set<string>): Omit<DemoCustomer, 'id'> {
  const isEnglish = random.next() < 0.08;
  const firstName = isEnglish ? pick(random, firstNames.slice(-4)) : pick(random, firstNames.slice(0, -4));
  const lastName = isEnglish
    ? pick(random, englishLastNames)
    : `${pick(random, lastNames)} ${pick(random, lastNames)}`;
  const isMobile = random.next() < 0.8;
  let phone: string;
  do {
    phone = isMobile
      ? `+34 6${digits(random, 2)} ${digits(random, 3)} ${digits(random, 3)}`
      : `+34 95${digits(random, 1)} ${digits(random, 3)} ${digits(random, 3)}`;
  } while (usedPhones.has(phone));
  usedPhones.add(phone);
  const identities: customers.IdentityInput[] = [
    { kind: 'phone', address: phone, label: isMobile ? 'móvil' : 'fijo' },
  ];
  if (random.next() < 0.85)
    identities.push({
      kind: 'email',
      address: `${emailLocalPart(firstName, lastName.split(' ')[0] ?? lastName)}${index}@${pick(random, emailDomains)}`,
    });
  if (isMobile && random.next() < 0.4) identities.push({ kind: 'whatsapp', address: phone });
  const company = pick(random, companies);
  const tags = [
    company === '' ? 'particular' : 'empresa',
    ...(random.next() < 0.6 ? ['fibra'] : []),
    ...(random.next() < 0.4 ? ['móvil'] : []),
  ];
  const isVip = random.next() < 0.05;
  if (isVip) tags.push('vip');
  return {
    phone: phone.replaceAll(' ', ''),
    input: {
      firstName,
      lastName,
      company,
      language: isEnglish ? 'en' : 'es',
      tags,
      isVip,
      customFields: {
        contrato: `FS-${2020 + Math.floor(random.next() * 6)}-${digits(random, 5)}`,
        tarifa: pick(random, plans),
        ciudad: pick(random, cities),
      },
      identities,
    },
  };
}

/** A week: a call within it of the customer's previous one is a repeat (first-contact resolution's window). */
const repeatWindowMs = 7 * 86_400_000;

/**
 * Who made a past call: one time in five a customer who called in the last week (calling again about the same
 * thing), otherwise one who has not, so that first-contact resolution reads about 80 %, as in a decent
 * center. Calls come oldest first; `lastCallMs` and `recentCallers` carry the history so far.
 */
function demoCaller(
  random: Random,
  people: readonly DemoCustomer[],
  atMs: number,
  lastCallMs: Map<string, number>,
  recentCallers: { readonly person: DemoCustomer; readonly atMs: number }[],
): DemoCustomer {
  while (recentCallers.length > 0 && (recentCallers[0]?.atMs ?? atMs) < atMs - repeatWindowMs)
    recentCallers.shift();
  let person: DemoCustomer | undefined;
  if (recentCallers.length > 0 && random.next() < 0.2) person = pick(random, recentCallers).person;
  for (let attempt = 0; person === undefined && attempt < 20; attempt++) {
    const candidate = pick(random, people);
    if ((lastCallMs.get(candidate.id) ?? Number.NEGATIVE_INFINITY) < atMs - repeatWindowMs)
      person = candidate;
  }
  const caller = person ?? pick(random, people);
  lastCallMs.set(caller.id, atMs);
  recentCallers.push({ person: caller, atMs });
  return caller;
}

/** Days of past calls the demo starts with (`CENTRALITA_DEMO_HISTORY_DAYS`). */
export const defaultDemoHistoryDays = 90;

export interface DemoSeedResult {
  readonly isCreated: boolean;
  readonly tenantId: string;
  readonly customers: number;
  readonly interactions: number;
  readonly tickets: number;
}

/**
 * Creates the demo tenant (FibraSur Telecom, a Spanish fibre and mobile operator) with its queues,
 * staff, 200 customers and a history of interactions and tickets over the last 90 days. The same seed
 * gives the same people and numbers on every machine; dates are relative to `now`.
 * Does nothing when the demo tenant exists already.
 */
export async function seedDemo(
  database: Database,
  options: {
    readonly now: Date;
    readonly hashPassword: (password: string) => Promise<string>;
    readonly seed?: number;
    readonly onProgress?: (message: string) => void;
    /** The installation's SIP domain (the demo's SIP realm is `demo.<domain>`); the host name by default. */
    readonly sipDomain?: string;
    /** Days of past calls to simulate (`defaultDemoHistoryDays` by default). */
    readonly historyDays?: number;
  },
): Promise<DemoSeedResult> {
  const existing = await database.asSystem((tx) => tenants.findTenantBySlug(tx, demoTenantSlug));
  if (existing) return { isCreated: false, tenantId: existing.id, customers: 0, interactions: 0, tickets: 0 };
  const progress = options.onProgress ?? (() => undefined);
  const random = new SeededRandom(options.seed ?? 20_261_123);
  const passwordHash = await options.hashPassword(demoPassword);
  const tenant = await database.asSystem((tx) =>
    tenants.createTenant(tx, {
      slug: demoTenantSlug,
      name: 'FibraSur Telecom',
      defaultCountry: 'ES',
      defaultLanguage: 'es',
      timeZone: 'Europe/Madrid',
    }),
  );
  const context: TenantContext = {
    tenantId: tenant.id as TenantId,
    actor: { type: 'system', id: 'demo-seed' },
  };
  return database.inTenant(context, async (tx) => {
    progress('demo: queues, skills, team and staff');
    const skillIds = new Map<QueueName, string>();
    const queueIds = new Map<QueueName, string>();
    for (const name of queueNames) {
      const skill = await directory.createSkill(tx, name);
      skillIds.set(name, skill.id);
      const queue = await directory.createQueue(tx, {
        name,
        description: `Cola de ${name.toLowerCase()}`,
        language: 'es',
        serviceLevelThresholdS: name === 'Ventas' ? 15 : 20,
        serviceLevelTargetPct: 80,
        skills: [{ skillId: skill.id, minLevel: 1 }],
      });
      queueIds.set(name, queue.id);
    }
    await tenants.updateCurrentTenant(tx, {
      settings: {
        recording: { policy: 'all', retentionDays: 90 },
        languages: ['es', 'en'],
        // The commercial side of the reports (docs/metrics.md): what running the center costs, what a
        // closed sale is worth, how the client is billed and the service levels it was promised.
        currency: 'EUR',
        reports: {
          costRates: { agentHourMinor: 1800, telephonyMinuteMinor: 2 },
          dispositionValuesMinor: { venta_cerrada: 4500 },
        },
        billing: { kind: 'per-minute', pricePerMinuteMinor: 45 },
        sla: {
          targets: [
            {
              id: 'nivel-servicio-diario',
              metric: 'serviceLevelOfAnswered',
              comparison: 'at-least',
              target: 0.8,
              per: 'day',
            },
            {
              id: 'asa-soporte',
              metric: 'averageSpeedOfAnswerMs',
              comparison: 'at-most',
              target: 30_000,
              per: 'period',
              queueIds: [queueIds.get('Soporte técnico') ?? ''],
            },
          ],
        },
      },
    });
    progress('demo: IVR main menu');
    const mainFlowKey = await seedDemoIvr(tx);
    const team = await directory.createTeam(tx, 'Equipo Sevilla');
    const agentIds: string[] = [];
    for (const member of staff) {
      const user = await users.createUser(tx, {
        email: member.email,
        displayName: member.displayName,
        role: member.role,
        teamId: member.role === 'agent' || member.role === 'team_lead' ? team.id : null,
        language: 'es',
        languages: member.languages,
        extension: member.extension,
        passwordHash,
        skills: member.skills.map(([queue, level]) => ({ skillId: skillIds.get(queue) ?? '', level })),
      });
      if (member.role === 'agent') agentIds.push(user.id);
    }
    // The demo queues' own outcomes, besides the six every tenant starts with.
    for (const [index, [code, labelEs, labelEn, isResolved]] of demoDispositions.entries())
      await dispositions.createDisposition(tx, {
        code,
        labelEs,
        labelEn,
        isResolved,
        sortOrder: 100 + index,
      });
    await seedDemoKnowledgeBase(tx);
    await seedDemoCallScripts(tx, queueIds);
    progress('demo: SIP passwords, loopback trunk and number');
    await seedDemoTelephony(tx, (options.sipDomain ?? hostname()).toLowerCase(), mainFlowKey);
    const historyDays = options.historyDays ?? defaultDemoHistoryDays;
    const dayMs = 86_400_000;
    progress(`demo: simulating the last ${historyDays} days of calls through the routing engine`);
    const { config: routing } = await readTenantRouting(tx);
    const calendar = timeZoneCalendar(tenant.timeZone);
    if (!calendar.ok) throw new Error(`the demo's time zone is unknown: ${calendar.error.message}`);
    const history = simulateDemoHistory({
      routing,
      calendar: calendar.value,
      nowMs: options.now.getTime(),
      days: historyDays,
      seed: Math.floor(random.next() * 2 ** 32),
      // A telecom's callers: technical support takes most calls and the longest, billing the shortest.
      queueLoads: new Map([
        [queueIds.get('Soporte técnico') ?? '', { share: 0.38, meanTalkS: 300 }],
        [queueIds.get('Ventas') ?? '', { share: 0.3, meanTalkS: 280 }],
        [queueIds.get('Facturación') ?? '', { share: 0.32, meanTalkS: 210 }],
      ]),
      onDay: (done, total) => {
        if (done % 20 === 0 || done === total) progress(`demo: business day ${done} of ${total} simulated`);
      },
    });
    // About forty new callers a business day besides the customers who call again: a customer calls some
    // four times a quarter, so most calls are not repeats within a week (first-contact resolution).
    const customerCount = 200 + 40 * history.days.length;
    const people: DemoCustomer[] = [];
    const usedPhones = new Set<string>();
    for (let index = 0; index < customerCount; index++) {
      if (index % 500 === 0)
        progress(`demo: customers ${index + 1}–${Math.min(index + 500, customerCount)} of ${customerCount}`);
      const person = demoCustomer(random, index, usedPhones);
      const customer = await customers.createCustomer(tx, person.input);
      people.push({ ...person, id: customer.id });
    }
    progress(`demo: ${history.contacts.length} past calls and their events`);
    const queueNameById = new Map([...queueIds].map(([name, id]) => [id, name]));
    const lastCallMs = new Map<string, number>();
    const recentCallers: { readonly person: DemoCustomer; readonly atMs: number }[] = [];
    const pastCalls = history.contacts.map((contact) => {
      const person = demoCaller(random, people, contact.startedAtMs, lastCallMs, recentCallers);
      const queue = queueNameById.get(contact.queueId) ?? 'Soporte técnico';
      const subject = pick(random, subjectsByQueue[queue]);
      return {
        contact,
        person,
        queue,
        subject,
        interactionId: randomUUID(),
        disposition: contact.answered === null ? null : pick(random, dispositionsByQueue[queue]),
      };
    });
    await interactions.insertInteractions(
      tx,
      pastCalls.map(({ contact, person, subject, interactionId, disposition }) => ({
        id: interactionId,
        customerId: person.id,
        channel: 'voice',
        direction: 'inbound',
        status: contact.answered === null ? 'abandoned' : 'completed',
        queueId: contact.queueId,
        agentId: contact.answered?.agentId ?? null,
        remoteAddress: person.phone,
        subject,
        startedAt: new Date(contact.startedAtMs),
        answeredAt: contact.answered === null ? null : new Date(contact.answered.atMs),
        endedAt: new Date(contact.endedAtMs),
        wrapUpEndedAt: contact.answered === null ? null : new Date(contact.answered.wrapUpEndedAtMs),
        disposition,
        wrapUpNotes: contact.answered === null ? '' : `${subject}. Atendido por el agente.`,
      })),
    );
    const interactionOf = new Map(pastCalls.map((call) => [call.contact.key, call.interactionId]));
    await domainEvents.appendPastEvents(
      tx,
      demoHistoryEvents(
        history.facts,
        interactionOf,
        pastCalls.map(({ contact, person, interactionId, disposition }) => ({
          contact,
          interactionId,
          customerId: person.id,
          from: person.phone,
          disposition,
        })),
      ),
    );
    const interactionCount = pastCalls.length;
    progress(`demo: tickets from the customers' latest calls`);
    // Each customer's latest call may have left a ticket: open or waiting for a follow-up when recent.
    const latestCall = new Map<string, (typeof pastCalls)[number]>();
    for (const call of pastCalls) latestCall.set(call.person.id, call);
    let ticketCount = 0;
    for (const person of people) {
      const latest = latestCall.get(person.id);
      if (latest === undefined || random.next() >= 0.6) continue;
      const roll = random.next();
      const status =
        roll < 0.3 ? 'open' : roll < 0.45 ? 'needs_follow_up' : roll < 0.75 ? 'resolved' : 'closed';
      const agentId = latest.contact.answered?.agentId ?? pick(random, agentIds);
      const ticket = await tickets.createTicket(
        tx,
        {
          customerId: person.id,
          subject: latest.subject,
          description: `Cliente ${person.input.firstName} ${person.input.lastName}: ${latest.subject.toLowerCase()}.`,
          status,
          priority: pick(random, ['low', 'normal', 'normal', 'normal', 'high', 'urgent'] as const),
          assigneeId: agentId,
          queueId: latest.contact.queueId,
          dueAt: workingTimeAround(
            calendar.value,
            options.now.getTime() + (random.next() * 10 - 3) * dayMs,
            random,
          ),
          interactionIds: [latest.interactionId],
          createdBy: null,
        },
        options.now,
      );
      await tickets.addTicketNote(tx, ticket.id, {
        body: 'Se revisa el caso con el cliente y se deja constancia.',
        isInternal: true,
        authorId: agentId,
      });
      if (status === 'needs_follow_up') {
        await tickets.createFollowUp(tx, ticket.id, {
          description: 'Llamar al cliente para confirmar que el problema está resuelto',
          dueAt: workingTimeAround(calendar.value, options.now.getTime() + random.next() * 5 * dayMs, random),
          assigneeId: ticket.assigneeId,
          createdBy: null,
        });
      }
      ticketCount++;
    }
    progress(`demo: ${interactionCount} interactions and ${ticketCount} tickets created`);
    return {
      isCreated: true,
      tenantId: tenant.id,
      customers: customerCount,
      interactions: interactionCount,
      tickets: ticketCount,
    };
  });
}

/**
 * A due time as a person sets one: on the business day of `atMs` in the tenant's calendar (the next one when
 * that is a Saturday or Sunday), at a quarter hour between 09:00 and 18:45 of its wall clock, not at 01:02.
 */
function workingTimeAround(calendar: TimeZoneCalendar, atMs: number, random: Random): Date {
  const dayMs = 86_400_000;
  let midnightMs = calendar.intervalStartOf(atMs, 'day');
  for (;;) {
    if (isBusinessWeekday(weekdayOf(calendar.label(midnightMs).date))) break;
    // Noon of the next day is inside it whatever the clocks do that night.
    midnightMs = calendar.intervalStartOf(midnightMs + dayMs + dayMs / 2, 'day');
  }
  const wallClockMs = (9 * 60 + Math.floor(random.next() * 40) * 15) * 60_000;
  const guessMs = midnightMs + wallClockMs;
  // On the days the clocks change, the wall clock at 09:00 and later is an hour off midnight's.
  const shiftMinutes = calendar.label(guessMs).utcOffsetMinutes - calendar.label(midnightMs).utcOffsetMinutes;
  return new Date(guessMs - shiftMinutes * 60_000);
}

/** True when there is no tenant at all (a fresh installation). */
export async function isEmptyInstallation(database: Database): Promise<boolean> {
  return database.asSystem(async (tx: Tx) => (await tenants.listTenants(tx)).length === 0);
}
