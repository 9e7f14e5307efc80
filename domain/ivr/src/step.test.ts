import { describe, expect, it } from 'vitest';
import type { CallState } from './call-state.ts';
import { initialCallState } from './call-state.ts';
import type { IvrCommand } from './commands.ts';
import type { IvrEvent } from './events.ts';
import type { Flow, FlowInput } from './flow.ts';
import { flowSchema } from './flow.ts';
import type { IvrTransition, StepContext } from './step.ts';
import { maxNodesPerStep, step } from './step.ts';

const say = (es: string, en: string) => ({ es: { text: es }, en: { text: en } });
const NOW = Date.parse('2025-06-02T10:00:00+02:00'); // a Monday morning in Madrid

/** Parses without the save-time checks, so tests can run flows the validator would refuse. */
function flowOf(nodes: FlowInput['nodes'], extra: Partial<FlowInput> = {}): Flow {
  return flowSchema.parse({
    id: 'main',
    name: 'Main',
    version: 1,
    defaultLanguage: 'es',
    languages: ['es', 'en'],
    entry: Object.keys(nodes)[0],
    ...extra,
    nodes,
  });
}

const context: StepContext = {
  timeZone: 'Europe/Madrid',
  fallback: {
    prompt: say('Disculpe, le pasamos con un agente.', 'Sorry, connecting you to an agent.'),
    queueId: 'general',
  },
  publishedFlows: {},
};

/** A call driven event by event; every step must be legal. */
class Call {
  state: CallState;
  commands: readonly IvrCommand[] = [];
  readonly ctx: StepContext;

  constructor(flow: Flow, ctx: Partial<StepContext> = {}) {
    this.state = initialCallState(flow);
    this.ctx = { ...context, ...ctx };
  }

  start(callerId: string | null = '+34600000000', now = NOW): this {
    return this.send({ type: 'Started', now, callId: 'call-1', callerId, dialledNumber: '+34910000000' });
  }

  send(event: IvrEvent): this {
    const result = step(this.state, event, this.ctx);
    if (!result.ok) throw new Error(result.error.message);
    this.apply(result.value);
    return this;
  }

  finishPrompt(): this {
    return this.send({ type: 'PromptFinished', now: NOW });
  }

  press(digits: string): this {
    return this.send({ type: 'DigitsCollected', now: NOW, digits });
  }

  silence(): this {
    return this.send({ type: 'DigitsTimedOut', now: NOW });
  }

  private apply(transition: IvrTransition): void {
    this.state = transition.state;
    this.commands = transition.commands;
  }

  /** What the caller heard in the last batch, as "lang: text". */
  get heard(): string[] {
    return this.commands.flatMap((c) =>
      c.type === 'PlayPrompt'
        ? [`${c.language}: ${c.audio.kind === 'tts' ? c.audio.text : c.audio.file}`]
        : [],
    );
  }

  /** The last batch without node visits and prompts. */
  get actions(): IvrCommand[] {
    return this.commands.filter((c) => c.type !== 'RecordNodeVisit' && c.type !== 'PlayPrompt');
  }

  get visited(): string[] {
    return this.commands.flatMap((c) => (c.type === 'RecordNodeVisit' ? [c.nodeId] : []));
  }
}

const bye = { type: 'hangup', prompt: say('Adiós', 'Goodbye') } as const;

describe('play and hangup', () => {
  it('plays a prompt without barge-in, waits for it to finish, then hangs up after a goodbye', () => {
    const call = new Call(
      flowOf({ hello: { type: 'play', prompt: say('Hola', 'Hello'), next: 'bye' }, bye }),
    ).start();
    expect(call.commands).toEqual([
      { type: 'RecordNodeVisit', flowId: 'main', version: 1, nodeId: 'hello', nodeType: 'play' },
      { type: 'PlayPrompt', language: 'es', audio: { kind: 'tts', text: 'Hola' }, isBargeInAllowed: false },
    ]);
    call.finishPrompt();
    expect(call.heard).toEqual(['es: Adiós']);
    expect(call.actions).toEqual([{ type: 'Hangup' }]);
    expect(call.state.activity).toEqual({ kind: 'ended', outcome: { kind: 'hungUp' } });
  });

  it('plays recorded files with their transcript', () => {
    const flow = flowOf({
      hello: {
        type: 'play',
        prompt: { es: { file: 'es/hola.wav', text: 'Hola' }, en: { file: 'en/hello.wav' } },
        next: 'bye',
      },
      bye: { type: 'hangup' },
    });
    expect(new Call(flow).start().commands[1]).toEqual({
      type: 'PlayPrompt',
      language: 'es',
      audio: { kind: 'file', file: 'es/hola.wav', transcript: 'Hola' },
      isBargeInAllowed: false,
    });
  });
});

describe('menu', () => {
  const flow = flowOf({
    menu: {
      type: 'menu',
      prompt: say('Ventas, pulse 1.', 'Sales, press 1.'),
      options: { '1': { next: 'sales' } },
      retries: 1,
      timeoutMs: 4_000,
      invalidPrompt: say('Opción no válida.', 'Invalid option.'),
      timeoutPrompt: say('No le hemos oído.', 'We did not hear you.'),
      onFailure: 'bye',
    },
    sales: { type: 'play', prompt: say('Ventas', 'Sales'), next: 'bye' },
    bye,
  });

  it('plays the prompt with barge-in and collects one key', () => {
    const call = new Call(flow).start();
    expect(call.commands.slice(1)).toEqual([
      {
        type: 'PlayPrompt',
        language: 'es',
        audio: { kind: 'tts', text: 'Ventas, pulse 1.' },
        isBargeInAllowed: true,
      },
      {
        type: 'CollectDigits',
        minDigits: 1,
        maxDigits: 1,
        terminator: null,
        firstDigitTimeoutMs: 4_000,
        interDigitTimeoutMs: 4_000,
      },
    ]);
    call.press('1');
    expect(call.visited).toEqual(['sales']);
  });

  it('says why on an invalid key or silence, repeats the menu, and gives up after the retries', () => {
    const call = new Call(flow).start().press('7');
    expect(call.heard).toEqual(['es: Opción no válida.', 'es: Ventas, pulse 1.']);
    expect(call.actions.map((c) => c.type)).toEqual(['CollectDigits']);
    call.silence();
    expect(call.heard).toEqual(['es: No le hemos oído.', 'es: Adiós']);
    expect(call.visited).toEqual(['bye']);
  });
});

describe('gather', () => {
  const flow = flowOf({
    ticket: {
      type: 'gather',
      prompt: say('Marque su número de incidencia y almohadilla.', 'Enter your ticket number and hash.'),
      variable: 'ticketNumber',
      minDigits: 4,
      maxDigits: 8,
      validation: { rule: 'luhn' },
      retries: 1,
      invalidPrompt: say('Número incorrecto.', 'Wrong number.'),
      next: 'readBack',
      onFailure: 'bye',
    },
    readBack: {
      type: 'play',
      prompt: say('Incidencia {{ticketNumber|digits}}.', 'Ticket {{ticketNumber|digits}}.'),
      next: 'bye',
    },
    bye,
  });

  it('collects with the terminator and both timeouts, then stores the digits', () => {
    const call = new Call(flow).start();
    expect(call.actions).toEqual([
      {
        type: 'CollectDigits',
        minDigits: 4,
        maxDigits: 8,
        terminator: '#',
        firstDigitTimeoutMs: 5_000,
        interDigitTimeoutMs: 3_000,
      },
    ]);
    call.press('40071');
    expect(call.state.variables).toEqual({ ticketNumber: '40071' });
    expect(call.heard).toEqual(['es: Incidencia 4 0 0 7 1.']);
  });

  it('refuses a failed check digit or a short entry, and strips a stray terminator', () => {
    const call = new Call(flow).start().press('40072');
    expect(call.heard).toEqual([
      'es: Número incorrecto.',
      'es: Marque su número de incidencia y almohadilla.',
    ]);
    call.press('40071#');
    expect(call.state.variables['ticketNumber']).toBe('40071');
    const short = new Call(flow).start().press('18');
    expect(short.heard[0]).toBe('es: Número incorrecto.');
  });
});

describe('condition', () => {
  const hoursFlow = flowOf(
    {
      open: {
        type: 'condition',
        branches: [
          { when: { kind: 'holiday', calendar: 'spain' }, next: 'holiday' },
          { when: { kind: 'businessHours', schedule: 'office' }, next: 'welcome' },
        ],
        otherwise: 'closed',
      },
      welcome: { type: 'hangup', prompt: say('Abierto', 'Open') },
      closed: { type: 'hangup', prompt: say('Cerrado', 'Closed') },
      holiday: { type: 'hangup', prompt: say('Festivo', 'Holiday') },
    },
    {
      schedules: { office: { mon: [{ from: '09:00', to: '19:00' }], sun: [{ from: '02:00', to: '04:00' }] } },
      holidayCalendars: { spain: [{ date: '--12-25' }] },
    },
  );
  const answerAt = (iso: string, timeZone = 'Europe/Madrid') =>
    new Call(hoursFlow, { timeZone }).start('+34600000000', Date.parse(iso)).heard;

  it("decides business hours on the tenant's clock across the Madrid DST changes", () => {
    expect(answerAt('2025-03-31T06:59:00Z')).toEqual(['es: Cerrado']); // Monday 08:59 CEST
    expect(answerAt('2025-03-31T07:00:00Z')).toEqual(['es: Abierto']); // Monday 09:00 CEST
    expect(answerAt('2025-10-27T07:30:00Z')).toEqual(['es: Cerrado']); // Monday 08:30 CET
    expect(answerAt('2025-10-27T08:00:00Z')).toEqual(['es: Abierto']); // Monday 09:00 CET
    // Sunday 30 March: 02:00-04:00 local is only 03:00-04:00, i.e. 01:00Z-02:00Z.
    expect(answerAt('2025-03-30T00:59:00Z')).toEqual(['es: Cerrado']); // 01:59 CET
    expect(answerAt('2025-03-30T01:00:00Z')).toEqual(['es: Abierto']); // 03:00 CEST
    // Sunday 26 October: 02:00-03:00 happens twice, 00:00Z-01:00Z (CEST) then 01:00Z-02:00Z (CET).
    expect(answerAt('2025-10-26T00:30:00Z')).toEqual(['es: Abierto']);
    expect(answerAt('2025-10-26T01:30:00Z')).toEqual(['es: Abierto']);
    expect(answerAt('2025-10-26T03:00:00Z')).toEqual(['es: Cerrado']); // 04:00 CET
  });

  it('checks holidays first, on the local date', () => {
    expect(answerAt('2028-12-25T10:00:00Z')).toEqual(['es: Festivo']); // a Monday
    expect(answerAt('2025-12-24T23:30:00Z')).toEqual(['es: Festivo']); // already the 25th in Madrid
  });

  it('treats an unknown time zone as a flow fault, not a crash', () => {
    const call = new Call(hoursFlow, { timeZone: 'Europe/Atlantis' }).start();
    expect(call.actions[0]).toMatchObject({
      type: 'LogFault',
      code: 'IVR_TIME_ZONE_INVALID',
      nodeId: 'open',
    });
  });

  it('compares variables as text for eq and as numbers for ordering', () => {
    const flow = flowOf({
      setIt: { type: 'set', assign: { balance: '120', plan: 'gold', isBlocked: false }, next: 'check' },
      check: {
        type: 'condition',
        branches: [
          {
            when: {
              kind: 'all',
              conditions: [
                { kind: 'compare', variable: 'balance', operator: 'gt', value: 99.5 },
                { kind: 'compare', variable: 'plan', operator: 'eq', value: 'gold' },
                {
                  kind: 'not',
                  condition: { kind: 'compare', variable: 'isBlocked', operator: 'eq', value: true },
                },
              ],
            },
            next: 'rich',
          },
        ],
        otherwise: 'poor',
      },
      rich: { type: 'hangup', prompt: say('Oro', 'Gold') },
      poor: { type: 'hangup', prompt: say('Normal', 'Normal') },
    });
    expect(new Call(flow).start().heard).toEqual(['es: Oro']);
  });

  it('faults on a missing variable or a non-numeric ordering', () => {
    const flow = (value: string | number) =>
      flowOf({
        check: {
          type: 'condition',
          branches: [{ when: { kind: 'compare', variable: 'plan', operator: 'lt', value }, next: 'yes' }],
          otherwise: 'yes',
        },
        yes: bye,
      });
    expect(new Call(flow(3)).start().actions[0]).toMatchObject({
      code: 'IVR_VARIABLE_MISSING',
      message: "variable 'plan' is not set",
    });
    const withPlan = flowOf({
      setIt: { type: 'set', assign: { plan: 'gold' }, next: 'check' },
      check: {
        type: 'condition',
        branches: [{ when: { kind: 'compare', variable: 'plan', operator: 'lt', value: 3 }, next: 'yes' }],
        otherwise: 'yes',
      },
      yes: bye,
    });
    expect(new Call(withPlan).start().actions[0]).toMatchObject({ code: 'IVR_NOT_A_NUMBER' });
  });

  it('asks the ACD for live figures of every queue involved and decides once all have answered', () => {
    const flow = flowOf({
      route: {
        type: 'condition',
        branches: [
          {
            when: {
              kind: 'queueFigure',
              queue: 'ventas',
              figure: 'agentsAvailable',
              operator: 'gt',
              value: 0,
            },
            next: 'sales',
          },
          {
            when: {
              kind: 'queueFigure',
              queue: 'soporte',
              figure: 'estimatedWaitMs',
              operator: 'gt',
              value: 120_000,
            },
            next: 'busy',
          },
        ],
        otherwise: 'support',
      },
      sales: { type: 'hangup', prompt: say('Ventas', 'Sales') },
      busy: { type: 'hangup', prompt: say('Espera larga', 'Long wait') },
      support: { type: 'hangup', prompt: say('Soporte', 'Support') },
    });
    const call = new Call(flow).start();
    expect(call.actions).toEqual([
      { type: 'RequestQueueFigures', queueId: 'ventas' },
      { type: 'RequestQueueFigures', queueId: 'soporte' },
    ]);
    call.send({
      type: 'QueueFiguresAnswered',
      now: NOW,
      queueId: 'soporte',
      agentsAvailable: 1,
      callsWaiting: 9,
      estimatedWaitMs: 300_000,
    });
    expect(call.commands).toEqual([]);
    call.send({
      type: 'QueueFiguresAnswered',
      now: NOW,
      queueId: 'ventas',
      agentsAvailable: 0,
      callsWaiting: 0,
      estimatedWaitMs: 0,
    });
    expect(call.heard).toEqual(['es: Espera larga']);

    const unavailable = new Call(flow)
      .start()
      .send({ type: 'QueueFiguresUnavailable', now: NOW, queueId: 'ventas' });
    expect(unavailable.actions[0]).toMatchObject({ type: 'LogFault', code: 'IVR_QUEUE_FIGURES_UNAVAILABLE' });
  });
});

describe('identify', () => {
  const flow = (by: 'callerId' | 'accountNumber') =>
    flowOf({
      ...(by === 'accountNumber'
        ? {
            account: {
              type: 'gather',
              prompt: say('Cuenta', 'Account'),
              variable: 'account',
              maxDigits: 8,
              next: 'who',
              onFailure: 'stranger',
            },
          }
        : {}),
      who: {
        type: 'identify',
        by,
        ...(by === 'accountNumber' ? { variable: 'account' } : {}),
        next: 'vip',
        onNotFound: 'stranger',
      },
      vip: {
        type: 'condition',
        branches: [{ when: { kind: 'vip' }, next: 'gold' }],
        otherwise: 'known',
      },
      gold: { type: 'hangup', prompt: say('Hola {{caller.name}}, cliente VIP', 'Hi {{caller.name}}, VIP') },
      known: { type: 'hangup', prompt: say('Hola {{caller.name}}', 'Hi {{caller.name}}') },
      stranger: { type: 'hangup', prompt: say('Hola', 'Hi') },
    });

  it('looks the caller up by caller id and branches on VIP', () => {
    const call = new Call(flow('callerId')).start('+34600000000');
    expect(call.actions).toEqual([{ type: 'IdentifyCaller', by: 'callerId', value: '+34600000000' }]);
    call.send({ type: 'CallerIdentified', now: NOW, customerId: 'c-1', name: 'Ana', isVip: true });
    expect(call.heard).toEqual(['es: Hola Ana, cliente VIP']);
    expect(call.state.caller).toEqual({ customerId: 'c-1', name: 'Ana', isVip: true });
  });

  it('does not ask the CRM about a withheld number', () => {
    const call = new Call(flow('callerId')).start(null);
    expect(call.actions.map((c) => c.type)).toEqual(['Hangup']);
    expect(call.visited).toEqual(['who', 'stranger']);
  });

  it('looks the caller up by the account number they entered', () => {
    const call = new Call(flow('accountNumber')).start().press('1234');
    expect(call.actions).toEqual([{ type: 'IdentifyCaller', by: 'accountNumber', value: '1234' }]);
    call.send({ type: 'CallerNotIdentified', now: NOW });
    expect(call.heard).toEqual(['es: Hola']);
  });
});

describe('http', () => {
  const flow = flowOf({
    setId: { type: 'set', assign: { ticketNumber: '40/71' }, next: 'lookup' },
    lookup: {
      type: 'http',
      url: '/api/tickets/{{ticketNumber}}',
      headers: { 'X-Caller': '{{call.callerId}}' },
      timeoutMs: 2_000,
      responseFields: { 'ticket.status': 'ticketStatus', 'ticket.agents.0': 'agent' },
      next: 'tell',
      onFailure: 'sorry',
    },
    tell: {
      type: 'hangup',
      prompt: say('Estado: {{ticketStatus}}, {{agent}}', 'Status: {{ticketStatus}}, {{agent}}'),
    },
    sorry: { type: 'hangup', prompt: say('No disponible', 'Unavailable') },
  });

  it('sends the request with variables filled in (URL-escaped in the URL)', () => {
    expect(new Call(flow).start().actions).toEqual([
      {
        type: 'HttpRequest',
        method: 'GET',
        url: '/api/tickets/40%2F71',
        headers: { 'X-Caller': '+34600000000' },
        body: null,
        timeoutMs: 2_000,
      },
    ]);
  });

  it('maps response fields into variables', () => {
    const call = new Call(flow).start().send({
      type: 'HttpResponded',
      now: NOW,
      status: 200,
      body: { ticket: { status: 'en curso', agents: ['Luis'] } },
    });
    expect(call.heard).toEqual(['es: Estado: en curso, Luis']);
  });

  it.each<[string, IvrEvent]>([
    ['an error status', { type: 'HttpResponded', now: NOW, status: 404, body: { error: 'not found' } }],
    [
      'a missing field',
      { type: 'HttpResponded', now: NOW, status: 200, body: { ticket: { status: 'abierta' } } },
    ],
    [
      'a non-scalar field',
      { type: 'HttpResponded', now: NOW, status: 200, body: { ticket: { status: {}, agents: ['x'] } } },
    ],
    ['a timeout', { type: 'HttpFailed', now: NOW, reason: 'timeout' }],
  ])('follows the failure branch on %s', (_why, answer) => {
    const call = new Call(flow).start().send(answer);
    expect(call.heard).toEqual(['es: No disponible']);
    expect(call.state.variables).not.toHaveProperty('ticketStatus');
  });

  it('sends a JSON body for POST', () => {
    const post = flowOf({
      send: {
        type: 'http',
        method: 'POST',
        url: 'https://crm.example.com/calls',
        body: { from: '{{call.callerId}}', urgent: true },
        next: 'bye',
        onFailure: 'bye',
      },
      bye,
    });
    expect(new Call(post).start().actions[0]).toMatchObject({ body: { from: '+34600000000', urgent: true } });
  });
});

describe('queue', () => {
  const flow = flowOf({
    english: { type: 'language', language: 'en', next: 'sales' },
    sales: {
      type: 'queue',
      queue: 'ventas',
      priority: 3,
      requiredSkills: ['english'],
      announcements: [
        { prompt: say('Espere, por favor.', 'Please hold.'), firstAfterMs: 20_000, repeatEveryMs: 60_000 },
      ],
      overflow: { afterWaitMs: 600_000, next: 'voicemail' },
    },
    voicemail: {
      type: 'voicemail',
      queue: 'ventas',
      prompt: say('Deje su mensaje.', 'Leave a message.'),
      ticketSubject: 'Mensaje de {{call.callerId}}',
      next: 'bye',
    },
    bye,
  });

  it('hands the call to the ACD with announcements in the caller language', () => {
    const call = new Call(flow).start();
    expect(call.actions).toEqual([
      { type: 'SetLanguage', language: 'en' },
      {
        type: 'Enqueue',
        queueId: 'ventas',
        priority: 3,
        requiredSkills: ['english'],
        language: 'en',
        announcements: [
          {
            prompt: { language: 'en', audio: { kind: 'tts', text: 'Please hold.' } },
            firstAfterMs: 20_000,
            repeatEveryMs: 60_000,
          },
        ],
        overflow: { afterWaitMs: 600_000, whenNoAgentsLoggedIn: false },
        callData: {
          'call.id': 'call-1',
          'call.callerId': '+34600000000',
          'call.dialledNumber': '+34910000000',
          'call.language': 'en',
        },
      },
    ]);
    call.send({ type: 'AnsweredByAgent', now: NOW });
    expect(call.state.activity).toEqual({ kind: 'ended', outcome: { kind: 'answered', queueId: 'ventas' } });
  });

  it('takes the overflow branch to voicemail, which becomes a ticket for the queue', () => {
    const call = new Call(flow).start().send({ type: 'QueueOverflowed', now: NOW, reason: 'waitExceeded' });
    expect(call.heard).toEqual(['en: Leave a message.']);
    expect(call.actions).toEqual([
      expect.objectContaining({
        type: 'StartVoicemail',
        queueId: 'ventas',
        maxDurationMs: 120_000,
        isBeepPlayed: true,
        ticketSubject: 'Mensaje de +34600000000',
        language: 'en',
      }),
    ]);
    call.send({ type: 'VoicemailRecorded', now: NOW, recordingId: 'rec-1', durationMs: 12_000 });
    expect(call.heard).toEqual(['en: Goodbye']);
  });

  it('faults when a queue without an overflow branch overflows', () => {
    const flowWithout = flowOf({ sales: { type: 'queue', queue: 'ventas' } });
    const call = new Call(flowWithout)
      .start()
      .send({ type: 'QueueOverflowed', now: NOW, reason: 'noAgentsLoggedIn' });
    expect(call.actions.map((c) => c.type)).toEqual(['LogFault', 'Enqueue']);
    expect(call.actions[0]).toMatchObject({ code: 'IVR_QUEUE_OVERFLOW_UNHANDLED' });
  });
});

describe('callback', () => {
  const flow = flowOf({
    offer: {
      type: 'callback',
      queue: 'soporte',
      offerPrompt: say('Pulse 1 para que le llamemos, 2 para esperar.', 'Press 1 for a callback, 2 to hold.'),
      confirmPrompt: say(
        '¿Le llamamos al {{callback.number|digits}}? 1 sí, 2 otro número.',
        'Call {{callback.number|digits}}? 1 yes, 2 other.',
      ),
      numberPrompt: say('Marque el número y almohadilla.', 'Enter the number and hash.'),
      next: 'thanks',
      onDecline: 'hold',
    },
    thanks: { type: 'hangup', prompt: say('Le llamaremos.', 'We will call you.') },
    hold: { type: 'queue', queue: 'soporte' },
  });

  it('confirms the caller id and schedules a callback that keeps the place', () => {
    const call = new Call(flow).start('+34600123456').press('1');
    expect(call.heard).toEqual(['es: ¿Le llamamos al 3 4 6 0 0 1 2 3 4 5 6? 1 sí, 2 otro número.']);
    call.press('1');
    expect(call.actions).toEqual([
      expect.objectContaining({
        type: 'ScheduleCallback',
        queueId: 'soporte',
        number: '+34600123456',
        isPlaceKept: true,
      }),
      { type: 'Hangup' },
    ]);
  });

  it('takes another number, reads it back, and schedules that one', () => {
    const call = new Call(flow).start('+34600123456').press('1').press('2');
    expect(call.actions).toEqual([
      {
        type: 'CollectDigits',
        minDigits: 9,
        maxDigits: 15,
        terminator: '#',
        firstDigitTimeoutMs: 5_000,
        interDigitTimeoutMs: 5_000,
      },
    ]);
    call.press('12').press('911222333');
    expect(call.heard).toEqual(['es: ¿Le llamamos al 9 1 1 2 2 2 3 3 3? 1 sí, 2 otro número.']);
    call.press('1');
    expect(call.actions[0]).toMatchObject({ type: 'ScheduleCallback', number: '911222333' });
  });

  it('asks for a number straight away when the caller id is withheld, and declines on 2', () => {
    const withheld = new Call(flow).start(null).press('1');
    expect(withheld.heard).toEqual(['es: Marque el número y almohadilla.']);
    const declined = new Call(flow).start().press('2');
    expect(declined.actions.map((c) => c.type)).toEqual(['Enqueue']);
  });
});

describe('transfer', () => {
  const other = flowOf(
    { hello: { type: 'hangup', prompt: say('Otro flujo', 'Other flow') } },
    { id: 'other', version: 4 },
  );
  const flow = flowOf({
    pick: {
      type: 'menu',
      prompt: say('1 extensión, 2 externo, 3 flujo', '1 ext, 2 external, 3 flow'),
      options: { '1': { next: 'ext' }, '2': { next: 'external' }, '3': { next: 'toFlow' } },
      onFailure: 'pick',
    },
    ext: {
      type: 'transfer',
      to: { kind: 'extension', extension: '2001' },
      prompt: say('Le transfiero.', 'Transferring.'),
      onFailure: 'busy',
    },
    external: { type: 'transfer', to: { kind: 'external', number: '+34910000001' } },
    toFlow: { type: 'transfer', to: { kind: 'flow', flow: 'other' } },
    busy: { type: 'hangup', prompt: say('Ocupado', 'Busy') },
  });

  it('transfers to an extension and ends when the transfer completes', () => {
    const call = new Call(flow).start().press('1');
    expect(call.heard).toEqual(['es: Le transfiero.']);
    expect(call.actions).toEqual([{ type: 'Transfer', target: { kind: 'extension', extension: '2001' } }]);
    call.send({ type: 'TransferCompleted', now: NOW });
    expect(call.state.activity).toEqual({
      kind: 'ended',
      outcome: { kind: 'transferred', target: { kind: 'extension', extension: '2001' } },
    });
  });

  it('follows onFailure when the transfer fails, and the fallback when there is none', () => {
    expect(
      new Call(flow).start().press('1').send({ type: 'TransferFailed', now: NOW, reason: 'busy' }).heard,
    ).toEqual(['es: Ocupado']);
    const external = new Call(flow)
      .start()
      .press('2')
      .send({ type: 'TransferFailed', now: NOW, reason: 'no answer' });
    expect(external.actions[0]).toMatchObject({ type: 'LogFault', code: 'IVR_TRANSFER_FAILED' });
  });

  it("moves the call into another flow's published version", () => {
    const call = new Call(flow, { publishedFlows: { other } }).start().press('3');
    expect(call.commands).toContainEqual({
      type: 'RecordNodeVisit',
      flowId: 'other',
      version: 4,
      nodeId: 'hello',
      nodeType: 'hangup',
    });
    expect(call.heard).toEqual(['es: Otro flujo']);
    const missing = new Call(flow).start().press('3');
    expect(missing.actions[0]).toMatchObject({
      code: 'IVR_FLOW_NOT_FOUND',
      message: "flow 'other' is not published",
    });
  });
});

describe('language', () => {
  it('switches the prompts that follow and tells the call layer', () => {
    const flow = flowOf({
      en: { type: 'language', language: 'en', next: 'hello' },
      hello: { type: 'play', prompt: say('Hola', 'Hello'), next: 'bye' },
      bye,
    });
    const call = new Call(flow).start();
    expect(call.commands.filter((c) => c.type === 'SetLanguage')).toEqual([
      { type: 'SetLanguage', language: 'en' },
    ]);
    expect(call.heard).toEqual(['en: Hello']);
    expect(call.finishPrompt().heard).toEqual(['en: Goodbye']);
  });
});

describe('survey', () => {
  const flow = flowOf({
    csat: {
      type: 'survey',
      survey: 'csat',
      questions: [
        { id: 'q1', prompt: say('Del 1 al 5, ¿cómo le atendimos?', 'From 1 to 5, how did we do?') },
        {
          id: 'q2',
          prompt: say('¿Resolvimos su consulta? 1 sí, 2 no', 'Solved? 1 yes, 2 no'),
          minAnswer: 1,
          maxAnswer: 2,
        },
      ],
      retries: 1,
      invalidPrompt: say('Respuesta no válida.', 'Invalid answer.'),
      next: 'bye',
    },
    bye,
  });

  it('records each answer in range, retries out-of-range ones and skips unanswered questions', () => {
    const call = new Call(flow).start().press('4');
    expect(call.actions[0]).toEqual({
      type: 'RecordSurveyAnswer',
      surveyId: 'csat',
      questionId: 'q1',
      answer: 4,
    });
    call.press('3');
    expect(call.heard).toEqual(['es: Respuesta no válida.', 'es: ¿Resolvimos su consulta? 1 sí, 2 no']);
    call.silence();
    expect(call.actions.map((c) => c.type)).toEqual(['Hangup']);
  });
});

describe('subflow and goto', () => {
  const lookup = flowOf(
    {
      ask: { type: 'set', assign: { status: 'abierta' }, next: 'done' },
      done: { type: 'return' },
    },
    { id: 'lookup', version: 2 },
  );
  const flow = flowOf({
    go: { type: 'goto', next: 'call' },
    call: { type: 'subflow', flow: 'lookup', next: 'tell' },
    tell: { type: 'hangup', prompt: say('Estado {{status}}', 'Status {{status}}') },
  });

  it('runs the subflow, shares variables, and continues after the subflow node', () => {
    const call = new Call(flow, { publishedFlows: { lookup } }).start();
    expect(call.visited).toEqual(['go', 'call', 'ask', 'done', 'tell']);
    expect(call.heard).toEqual(['es: Estado abierta']);
    expect(call.state.frames).toHaveLength(1);
  });

  it('faults when the subflow is not published or a return has nowhere to go', () => {
    expect(new Call(flow).start().actions[0]).toMatchObject({
      code: 'IVR_SUBFLOW_NOT_FOUND',
      nodeId: 'call',
    });
    expect(new Call(lookup).start().actions[0]).toMatchObject({
      code: 'IVR_RETURN_OUTSIDE_SUBFLOW',
      nodeId: 'done',
    });
  });

  it('stops subflows that call each other for ever', () => {
    const a = flowOf(
      { callB: { type: 'subflow', flow: 'b', next: 'end' }, end: { type: 'return' } },
      { id: 'a' },
    );
    const b = flowOf(
      { callA: { type: 'subflow', flow: 'a', next: 'end' }, end: { type: 'return' } },
      { id: 'b' },
    );
    const call = new Call(a, { publishedFlows: { a, b } }).start();
    expect(call.actions[0]).toMatchObject({ type: 'LogFault', code: 'IVR_SUBFLOW_TOO_DEEP' });
  });

  it('stops a loop of instant nodes that slipped past validation', () => {
    const loop = flowOf({ a: { type: 'goto', next: 'b' }, b: { type: 'goto', next: 'a' } });
    const call = new Call(loop).start();
    expect(call.visited).toHaveLength(maxNodesPerStep);
    expect(call.actions[0]).toMatchObject({ type: 'LogFault', code: 'IVR_RUNAWAY_STEP' });
  });
});

describe('faults and the tenant fallback', () => {
  it('logs the fault with the call id, plays the fallback message and queues the caller', () => {
    const flow = flowOf({
      hello: { type: 'play', prompt: say('Hola {{nombre}}', 'Hi {{nombre}}'), next: 'hello' },
    });
    const call = new Call(flow).start();
    expect(call.commands.slice(1)).toEqual([
      {
        type: 'LogFault',
        callId: 'call-1',
        flowId: 'main',
        version: 1,
        nodeId: 'hello',
        code: 'IVR_VARIABLE_MISSING',
        message: "variable 'nombre' is not set",
      },
      {
        type: 'PlayPrompt',
        language: 'es',
        audio: { kind: 'tts', text: 'Disculpe, le pasamos con un agente.' },
        isBargeInAllowed: false,
      },
      expect.objectContaining({ type: 'Enqueue', queueId: 'general', overflow: null }),
    ]);
    expect(call.state.activity).toEqual({ kind: 'inFallbackQueue', queueId: 'general' });
    call.send({ type: 'QueueOverflowed', now: NOW, reason: 'noAgentsLoggedIn' });
    expect(call.commands).toEqual([{ type: 'Hangup' }]);
  });
});

describe('versions, hang-ups and illegal events', () => {
  const v1 = flowOf({ hello: { type: 'play', prompt: say('Versión 1', 'Version 1'), next: 'bye' }, bye });
  const v2 = flowOf(
    { hello: { type: 'play', prompt: say('Versión 2', 'Version 2'), next: 'bye' }, bye: { type: 'hangup' } },
    { version: 2 },
  );

  it('finishes a call on the version it started on after a new version is published', () => {
    const call = new Call(v1, { publishedFlows: { main: v2 } }).start().finishPrompt();
    expect(call.heard).toEqual(['es: Adiós']);
    expect(call.state.frames[0].flow.version).toBe(1);
  });

  it('ends the call quietly when the caller hangs up', () => {
    const call = new Call(v1).start().send({ type: 'CallerHungUp', now: NOW });
    expect(call.commands).toEqual([]);
    expect(call.state.activity).toEqual({ kind: 'ended', outcome: { kind: 'callerHungUp' } });
  });

  it('refuses an event that does not fit, leaving the state as it was', () => {
    const call = new Call(v1).start();
    const result = step(call.state, { type: 'DigitsCollected', now: NOW, digits: '1' }, context);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'IVR_UNEXPECTED_EVENT',
        message:
          "DigitsCollected does not fit a call in state 'playing' (it expects PromptFinished, CallerHungUp)",
        activity: 'playing',
        event: 'DigitsCollected',
      },
    });
    call.send({ type: 'CallerHungUp', now: NOW });
    expect(step(call.state, { type: 'CallerHungUp', now: NOW }, context).ok).toBe(false);
    expect(step(initialCallState(v1), { type: 'PromptFinished', now: NOW }, context).ok).toBe(false);
  });

  it('refuses queue figures nobody asked for', () => {
    const flow = flowOf({
      route: {
        type: 'condition',
        branches: [
          {
            when: { kind: 'queueFigure', queue: 'ventas', figure: 'callsWaiting', operator: 'ge', value: 5 },
            next: 'bye',
          },
        ],
        otherwise: 'bye',
      },
      bye,
    });
    const call = new Call(flow).start();
    const stray = step(
      call.state,
      {
        type: 'QueueFiguresAnswered',
        now: NOW,
        queueId: 'soporte',
        agentsAvailable: 0,
        callsWaiting: 0,
        estimatedWaitMs: 0,
      },
      context,
    );
    expect(stray.ok).toBe(false);
  });
});
