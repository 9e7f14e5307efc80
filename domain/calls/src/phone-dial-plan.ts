import type { Flow, FlowInput } from '@centralita/ivr';
import { flowSchema } from '@centralita/ivr';

/** A presence an agent asks for with a feature code. */
export type FeaturePresence =
  | { readonly kind: 'available' }
  | { readonly kind: 'offline' }
  | { readonly kind: 'break'; readonly reason: string };

/**
 * The feature codes an agent dials on their phone: `*50` signs in (available), `*51` signs out (offline),
 * `*52` takes a break with the tenant's first break reason and `*52N` with its N-th reason.
 */
export const featureCodes = { available: '*50', offline: '*51', break: '*52' } as const;

/** What a number dialled on a registered phone means. */
export type PhoneDialPlan =
  /** A feature code: the presence to select, then the prompt confirming it (or saying it was refused). */
  | {
      readonly kind: 'feature';
      readonly presence: FeaturePresence;
      readonly flow: Flow;
      readonly refusedFlow: Flow;
    }
  /** A colleague's extension: an internal call. */
  | { readonly kind: 'extension'; readonly extension: string; readonly flow: Flow }
  /** A number called through the tenant's trunk. */
  | { readonly kind: 'number'; readonly number: string; readonly flow: Flow }
  /** One of the tenant's own numbers: its flow answers, as for a customer (a test call of the IVR). */
  | { readonly kind: 'own-number'; readonly number: string; readonly flowKey: string }
  | { readonly kind: 'refused'; readonly statusCode: number; readonly reasonPhrase: string };

/** What the dial plan needs to know about the dialled string, looked up by the caller. */
export interface PhoneDialInput {
  /** The Request-URI's user part, as dialled. */
  readonly dialled: string;
  /** Whether it is the extension of a user of the tenant. */
  readonly isExtension: boolean;
  /** The dialled string as an E.164 number (the tenant's default country applied), if it is one. */
  readonly number: string | undefined;
  readonly hasTrunk: boolean;
  /** The flow of the tenant's own number (DID) that `number` is, if it is one. */
  readonly ownNumberFlowKey: string | undefined;
  readonly breakReasons: readonly string[];
  /** The agent's language: prompts are spoken in it. */
  readonly language: 'es' | 'en';
}

type Texts = { readonly es: string; readonly en: string };

function flow(id: string, language: 'es' | 'en', nodes: FlowInput['nodes'], entry: string): Flow {
  return flowSchema.parse({
    id,
    name: id,
    version: 1,
    defaultLanguage: language,
    languages: ['es', 'en'],
    entry,
    nodes,
  });
}

const prompt = (texts: Texts) => ({ es: { text: texts.es }, en: { text: texts.en } });

/** A flow that says one thing and hangs up. */
function sayFlow(id: string, language: 'es' | 'en', texts: Texts): Flow {
  return flow(
    id,
    language,
    { say: { type: 'play', prompt: prompt(texts), next: 'bye' }, bye: { type: 'hangup' } },
    'say',
  );
}

/**
 * The flow of a call that starts connected (one an agent placed, adopted by the inbound decider): there is
 * nothing for the IVR to do until the agent transfers the other party to a real flow, which replaces it.
 */
export function placedCallFlow(language: 'es' | 'en'): Flow {
  return flow('placed-call', language, { bye: { type: 'hangup' } }, 'bye');
}

/** A flow that puts the call through to a target, and says so when nobody answers. */
function transferFlow(
  id: string,
  language: 'es' | 'en',
  to:
    | { readonly kind: 'extension'; readonly extension: string }
    | { readonly kind: 'external'; readonly number: string },
): Flow {
  return flow(
    id,
    language,
    {
      connect: { type: 'transfer', to, onFailure: 'unavailable' },
      unavailable: {
        type: 'play',
        prompt: prompt({
          es: 'No ha sido posible completar la llamada.',
          en: 'The call could not be completed.',
        }),
        next: 'bye',
      },
      bye: { type: 'hangup' },
    },
    'connect',
  );
}

const refusedTexts: Texts = {
  es: 'No se ha podido cambiar su estado.',
  en: 'Your status could not be changed.',
};

/**
 * The dial plan of agents' phones (pure): what a dialled string means, with the short flow that carries it
 * out on the call layer's IVR (a confirmation prompt, or a transfer to the extension or the number).
 */
export function phoneDialPlan(input: PhoneDialInput): PhoneDialPlan {
  const { dialled, language } = input;
  if (dialled.startsWith('*')) {
    if (dialled === featureCodes.available)
      return {
        kind: 'feature',
        presence: { kind: 'available' },
        flow: sayFlow('feature-available', language, {
          es: 'Sesión iniciada. Está disponible.',
          en: 'You are signed in and available.',
        }),
        refusedFlow: sayFlow('feature-refused', language, refusedTexts),
      };
    if (dialled === featureCodes.offline)
      return {
        kind: 'feature',
        presence: { kind: 'offline' },
        flow: sayFlow('feature-offline', language, { es: 'Sesión cerrada.', en: 'You are signed out.' }),
        refusedFlow: sayFlow('feature-refused', language, refusedTexts),
      };
    const breakCode = /^\*52([1-9]?)$/.exec(dialled);
    if (breakCode !== null) {
      const index = breakCode[1] === '' || breakCode[1] === undefined ? 0 : Number(breakCode[1]) - 1;
      const reason = input.breakReasons[index];
      if (reason === undefined)
        return { kind: 'refused', statusCode: 404, reasonPhrase: 'Not Found - No Such Break Reason' };
      return {
        kind: 'feature',
        presence: { kind: 'break', reason },
        flow: sayFlow('feature-break', language, {
          es: `En pausa: ${reason}.`,
          en: `On a break: ${reason}.`,
        }),
        refusedFlow: sayFlow('feature-refused', language, refusedTexts),
      };
    }
    return { kind: 'refused', statusCode: 404, reasonPhrase: 'Not Found - Unknown Feature Code' };
  }
  if (input.isExtension)
    return {
      kind: 'extension',
      extension: dialled,
      flow: transferFlow('internal-call', language, { kind: 'extension', extension: dialled }),
    };
  if (input.number === undefined)
    return {
      kind: 'refused',
      statusCode: 404,
      reasonPhrase: 'Not Found - Neither an Extension nor a Number',
    };
  if (input.ownNumberFlowKey !== undefined)
    return { kind: 'own-number', number: input.number, flowKey: input.ownNumberFlowKey };
  if (!input.hasTrunk)
    return { kind: 'refused', statusCode: 503, reasonPhrase: 'Service Unavailable - No Outbound Trunk' };
  return {
    kind: 'number',
    number: input.number,
    flow: transferFlow('outbound-call', language, { kind: 'external', number: input.number }),
  };
}
