import { describe, expect, it } from 'vitest';
import type { FlowInput } from './flow.ts';
import { subflowTargets, validateFlow } from './validate-flow.ts';

const say = (es: string, en = es) => ({ es: { text: es }, en: { text: en } });

/** A small valid flow; tests break one thing at a time. */
function baseFlow(): FlowInput {
  return {
    id: 'main',
    name: 'Main',
    version: 1,
    defaultLanguage: 'es',
    languages: ['es', 'en'],
    entry: 'welcome',
    nodes: {
      welcome: { type: 'play', prompt: say('Hola', 'Hello'), next: 'main_menu' },
      main_menu: {
        type: 'menu',
        prompt: say('Pulse 1', 'Press 1'),
        options: { '1': { next: 'sales' }, '3': { next: 'bye' } },
        onFailure: 'bye',
      },
      sales: { type: 'queue', queue: 'ventas' },
      bye: { type: 'hangup', prompt: say('Adiós', 'Goodbye') },
    },
  };
}

function problemsOf(flow: unknown, options = {}) {
  const result = validateFlow(flow, options);
  return result.ok ? [] : result.error.map((p) => ({ code: p.code, field: p.field, message: p.message }));
}

describe('validateFlow', () => {
  it('accepts a sound flow and fills in defaults', () => {
    const result = validateFlow(baseFlow(), { knownQueueIds: ['ventas'], knownFlowIds: [] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const menu = result.value.nodes['main_menu'];
    expect(menu).toMatchObject({ retries: 2, timeoutMs: 5_000, isBargeInAllowed: true });
  });

  it('reports schema problems with their JSON paths', () => {
    const flow = baseFlow() as Record<string, unknown> & { nodes: Record<string, unknown> };
    flow.nodes['sales'] = { type: 'queue', queue: 'ventas', priority: 99, nxt: 'bye' };
    flow.nodes['oops'] = { type: 'teleport', next: 'bye' };
    delete flow['version'];
    const problems = problemsOf(flow);
    expect(problems.every((p) => p.code === 'IVR_FLOW_SCHEMA')).toBe(true);
    expect(problems.map((p) => p.field).sort()).toEqual([
      'nodes.oops.type',
      'nodes.sales',
      'nodes.sales.priority',
      'version',
    ]);
    expect(problems.find((p) => p.field === 'nodes.sales')?.message).toContain('nxt');
  });

  it("explains bad record keys, such as a write to the interpreter's own variables", () => {
    const flow = baseFlow();
    flow.nodes['welcome'] = { type: 'set', assign: { 'caller.isVip': true }, next: 'main_menu' };
    expect(problemsOf(flow)).toEqual([
      {
        code: 'IVR_FLOW_SCHEMA',
        field: 'nodes.welcome.assign.caller.isVip',
        message:
          "invalid key 'caller.isVip': call.*, caller.* and callback.* are set by the interpreter and cannot be written",
      },
    ]);
  });

  it('reports a dangling reference at the exact option that holds it', () => {
    const flow = baseFlow();
    flow.nodes['main_menu'] = {
      ...flow.nodes['main_menu'],
      options: { '1': { next: 'sales' }, '3': { next: 'billing' } },
    } as never;
    expect(problemsOf(flow)).toContainEqual({
      code: 'IVR_DANGLING_REFERENCE',
      field: 'nodes.main_menu.options.3.next',
      message: "points to node 'billing', which does not exist",
    });
  });

  it('reports a missing entry node and nodes nothing leads to', () => {
    const flow = { ...baseFlow(), entry: 'start' };
    expect(problemsOf(flow)).toContainEqual({
      code: 'IVR_ENTRY_NODE_MISSING',
      field: 'entry',
      message: "entry node 'start' does not exist",
    });
    const orphan = baseFlow();
    orphan.nodes['old_promo'] = { type: 'play', prompt: say('Oferta', 'Offer'), next: 'bye' };
    expect(problemsOf(orphan)).toEqual([
      {
        code: 'IVR_UNREACHABLE_NODE',
        field: 'nodes.old_promo',
        message: "node 'old_promo' cannot be reached from the entry node 'welcome'",
      },
    ]);
  });

  it('reports a menu with no options', () => {
    const flow = baseFlow();
    flow.nodes['main_menu'] = { ...flow.nodes['main_menu'], options: {} } as never;
    expect(problemsOf(flow)).toContainEqual({
      code: 'IVR_MENU_WITHOUT_OPTIONS',
      field: 'nodes.main_menu.options',
      message: 'a menu needs at least one option',
    });
  });

  it('reports every prompt lacking a declared language, and undeclared languages', () => {
    const flow = baseFlow();
    flow.nodes['welcome'] = { type: 'play', prompt: { es: { text: 'Hola' } }, next: 'main_menu' };
    flow.nodes['bye'] = { type: 'hangup', prompt: { en: { file: 'en/bye.wav' } } };
    expect(problemsOf(flow)).toEqual([
      {
        code: 'IVR_PROMPT_MISSING_LANGUAGE',
        field: 'nodes.welcome.prompt.en',
        message: 'the prompt has no English text or file, but the flow declares English',
      },
      {
        code: 'IVR_PROMPT_MISSING_LANGUAGE',
        field: 'nodes.bye.prompt.es',
        message: 'the prompt has no Spanish text or file, but the flow declares Spanish',
      },
    ]);
    const spanishOnly = { ...baseFlow(), languages: ['es'] as const };
    spanishOnly.nodes['welcome'] = { type: 'language', language: 'en', next: 'main_menu' };
    expect(problemsOf({ ...spanishOnly, defaultLanguage: 'en' }).map((p) => p.field)).toEqual([
      'defaultLanguage',
      'nodes.welcome.language',
    ]);
  });

  it("checks queues and flows against the tenant's, when given", () => {
    const flow = baseFlow();
    flow.nodes['main_menu'] = {
      ...flow.nodes['main_menu'],
      options: { '1': { next: 'sales' }, '2': { next: 'other' } },
    } as never;
    flow.nodes['other'] = { type: 'transfer', to: { kind: 'flow', flow: 'after-hours' } };
    flow.nodes['sales'] = {
      type: 'queue',
      queue: 'ventas',
      overflow: { afterWaitMs: 60_000, next: 'check' },
    };
    flow.nodes['check'] = {
      type: 'condition',
      branches: [
        {
          when: {
            kind: 'queueFigure',
            queue: 'soporte',
            figure: 'agentsAvailable',
            operator: 'gt',
            value: 0,
          },
          next: 'bye',
        },
      ],
      otherwise: 'bye',
    };
    expect(problemsOf(flow, { knownQueueIds: new Set(['ventas']), knownFlowIds: ['main'] })).toEqual([
      {
        code: 'IVR_UNKNOWN_FLOW',
        field: 'nodes.other.to.flow',
        message: "flow 'after-hours' does not exist",
      },
      {
        code: 'IVR_UNKNOWN_QUEUE',
        field: 'nodes.check.branches.0.when.queue',
        message: "queue 'soporte' does not exist",
      },
    ]);
    expect(problemsOf(flow)).toEqual([]);
  });

  it('reports schedules and holiday calendars the flow does not define', () => {
    const flow = baseFlow();
    flow.entry = 'open';
    flow.nodes['open'] = {
      type: 'condition',
      branches: [
        {
          when: {
            kind: 'any',
            conditions: [
              { kind: 'holiday', calendar: 'spain' },
              { kind: 'not', condition: { kind: 'businessHours', schedule: 'office' } },
            ],
          },
          next: 'bye',
        },
      ],
      otherwise: 'welcome',
    };
    expect(problemsOf(flow).map((p) => [p.code, p.field])).toEqual([
      ['IVR_UNKNOWN_HOLIDAY_CALENDAR', 'nodes.open.branches.0.when.conditions.0.calendar'],
      ['IVR_UNKNOWN_SCHEDULE', 'nodes.open.branches.0.when.conditions.1.condition.schedule'],
    ]);
  });

  it('reports a loop that never waits for the caller, naming its nodes', () => {
    const flow = baseFlow();
    flow.nodes['main_menu'] = { ...flow.nodes['main_menu'], options: { '1': { next: 'check' } } } as never;
    flow.nodes['check'] = {
      type: 'condition',
      branches: [{ when: { kind: 'callerKnown' }, next: 'sales' }],
      otherwise: 'again',
    };
    flow.nodes['again'] = { type: 'set', assign: { tries: 'again' }, next: 'back' };
    flow.nodes['back'] = { type: 'goto', next: 'check' };
    expect(problemsOf(flow)).toEqual([
      {
        code: 'IVR_LOOP_WITHOUT_INPUT',
        field: 'nodes.check',
        message:
          'nodes check → again → back → check form a loop with no menu, gather, callback, survey, voicemail or queue: the caller would loop for ever',
      },
    ]);
  });

  it('accepts loops that go through a menu or a queue', () => {
    const flow = baseFlow();
    flow.nodes['bye'] = { type: 'goto', next: 'welcome' }; // welcome -> menu -> bye -> welcome
    flow.nodes['sales'] = {
      type: 'queue',
      queue: 'ventas',
      overflow: { whenNoAgentsLoggedIn: true, next: 'sales' },
    };
    expect(problemsOf(flow)).toEqual([]);
  });

  it('reports a goto to itself', () => {
    const flow = baseFlow();
    flow.nodes['bye'] = { type: 'goto', next: 'bye' };
    expect(problemsOf(flow).map((p) => p.message)).toEqual([
      'nodes bye → bye form a loop with no menu, gather, callback, survey, voicemail or queue: the caller would loop for ever',
    ]);
  });

  it('reports subflow recursion, direct or through other flows', () => {
    const flow = baseFlow();
    flow.nodes['bye'] = { type: 'subflow', flow: 'main', next: 'sales' };
    expect(problemsOf(flow)).toContainEqual({
      code: 'IVR_SUBFLOW_RECURSION',
      field: 'nodes.bye.flow',
      message: "flow 'main' calls itself as a subflow",
    });
    flow.nodes['bye'] = { type: 'subflow', flow: 'identify', next: 'sales' };
    const subflowsByFlow = { identify: ['lookup'], lookup: ['main'], unrelated: [] };
    expect(problemsOf(flow, { subflowsByFlow })).toEqual([
      {
        code: 'IVR_SUBFLOW_RECURSION',
        field: 'nodes.bye.flow',
        message: "calling 'identify' leads back to this flow: main → identify → lookup → main",
      },
    ]);
    expect(problemsOf(flow, { subflowsByFlow: { identify: ['lookup'], lookup: [] } })).toEqual([]);
  });

  it('returns every problem at once, not just the first', () => {
    const flow = baseFlow();
    flow.nodes['main_menu'] = { ...flow.nodes['main_menu'], options: {}, onFailure: 'nowhere' } as never;
    flow.nodes['welcome'] = { type: 'play', prompt: { es: { text: 'Hola' } }, next: 'main_menu' };
    expect(new Set(problemsOf(flow, { knownQueueIds: [] }).map((p) => p.code))).toEqual(
      new Set([
        'IVR_DANGLING_REFERENCE',
        'IVR_UNREACHABLE_NODE',
        'IVR_MENU_WITHOUT_OPTIONS',
        'IVR_PROMPT_MISSING_LANGUAGE',
        'IVR_UNKNOWN_QUEUE',
      ]),
    );
  });

  it('lists the subflows a flow calls, for building the tenant graph', () => {
    const flow = baseFlow();
    flow.nodes['bye'] = { type: 'subflow', flow: 'survey', next: 'sales' };
    flow.nodes['sales'] = { type: 'subflow', flow: 'survey', next: 'end' };
    flow.nodes['end'] = { type: 'transfer', to: { kind: 'flow', flow: 'other' } };
    const parsed = validateFlow(flow);
    expect(parsed.ok && subflowTargets(parsed.value)).toEqual(['survey']);
  });
});
