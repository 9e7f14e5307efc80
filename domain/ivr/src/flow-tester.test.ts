import { describe, expect, it } from 'vitest';
import type { FlowInput } from './flow.ts';
import { flowSchema } from './flow.ts';
import { collectedKeys, runFlowScript } from './flow-tester.ts';
import { formatTranscript } from './transcript-format.ts';

const say = (es: string, en: string) => ({ es: { text: es }, en: { text: en } });
const NOW = Date.parse('2025-06-02T10:00:00+02:00');

const flow = flowSchema.parse({
  id: 'tester',
  name: 'Tester',
  version: 1,
  defaultLanguage: 'es',
  languages: ['es', 'en'],
  entry: 'menu',
  nodes: {
    menu: {
      type: 'menu',
      prompt: say('1 ventas, 2 cuenta', '1 sales, 2 account'),
      options: { '1': { next: 'sales' }, '2': { next: 'account' } },
      retries: 0,
      onFailure: 'bye',
    },
    account: {
      type: 'gather',
      prompt: say('Cuenta', 'Account'),
      variable: 'account',
      maxDigits: 4,
      next: 'bye',
      onFailure: 'bye',
    },
    sales: { type: 'queue', queue: 'ventas', overflow: { afterWaitMs: 60_000, next: 'sales' } },
    bye: { type: 'hangup', prompt: { es: { file: 'es/adios.wav' }, en: { file: 'en/bye.wav' } } },
  },
} satisfies FlowInput);

describe('collectedKeys', () => {
  it('hands over the keys before the terminator, at most the maximum', () => {
    expect(collectedKeys('2#', { maxDigits: 4, terminator: '#' })).toBe('2');
    expect(collectedKeys('123456', { maxDigits: 4, terminator: '#' })).toBe('1234');
    expect(collectedKeys('12*5', { maxDigits: 9, terminator: '*' })).toBe('12');
    expect(collectedKeys('1 2-3', { maxDigits: 9, terminator: null })).toBe('123');
  });
});

describe('runFlowScript', () => {
  it('returns the path and every prompt heard, in order', () => {
    const transcript = runFlowScript(flow, {
      callerId: '+34600000000',
      digits: ['2', '12#'],
      now: NOW,
      timeZone: 'Europe/Madrid',
    });
    expect(transcript.path).toEqual(['menu', 'account', 'bye']);
    expect(transcript.prompts).toEqual([
      { language: 'es', text: '1 ventas, 2 cuenta', file: null },
      { language: 'es', text: 'Cuenta', file: null },
      { language: 'es', text: null, file: 'es/adios.wav' },
    ]);
    expect(transcript.state.variables).toEqual({ account: '12' });
    expect(transcript.outcome).toEqual({ kind: 'hungUp' });
  });

  it('hangs up for the caller when the digits run out, or keeps silent if asked to', () => {
    const hangUp = runFlowScript(flow, { digits: [], now: NOW, timeZone: 'Europe/Madrid' });
    expect(hangUp.outcome).toEqual({ kind: 'callerHungUp' });
    const silent = runFlowScript(flow, { now: NOW, timeZone: 'Europe/Madrid', whenDigitsRunOut: 'silence' });
    expect(silent.path).toEqual(['menu', 'bye']);
    expect(silent.outcome).toEqual({ kind: 'hungUp' });
  });

  it('stops a call that never ends and says why', () => {
    const transcript = runFlowScript(flow, {
      digits: ['1'],
      now: NOW,
      timeZone: 'Europe/Madrid',
      queueOutcomes: { ventas: 'overflow' },
      maxEvents: 20,
    });
    expect(transcript.outcome).toEqual({ kind: 'stopped', reason: 'no end after 20 events' });
  });

  it('formats the transcript for the terminal', () => {
    const transcript = runFlowScript(flow, {
      callerId: '+34600000000',
      digits: ['7'],
      now: NOW,
      timeZone: 'Europe/Madrid',
    });
    expect(formatTranscript(transcript)).toBe(
      [
        'node    menu (menu)',
        '  says  es: 1 ventas, 2 cuenta',
        '  keys  7',
        'node    bye (hangup)',
        '  says  es: [es/adios.wav]',
        '  does  hang up',
        '',
        'path: menu > bye',
        'end:  the flow hung up',
        '',
      ].join('\n'),
    );
  });

  it('shows the systems answers, faults and the fallback in the transcript', () => {
    const broken = flowSchema.parse({
      id: 'broken',
      name: 'Broken',
      version: 2,
      defaultLanguage: 'en',
      languages: ['en'],
      entry: 'who',
      nodes: {
        who: { type: 'identify', by: 'callerId', next: 'hi', onNotFound: 'hi' },
        hi: { type: 'play', prompt: { en: { text: 'Hi {{caller.name}}' } }, next: 'hi' },
      },
    });
    const text = formatTranscript(
      runFlowScript(broken, {
        callerId: '+34600000000',
        now: NOW,
        timeZone: 'Europe/Madrid',
        identities: [null],
      }),
    );
    expect(text).toContain('  gets  not identified\n');
    expect(text).toContain("  FAULT IVR_VARIABLE_MISSING at hi: variable 'caller.name' is not set\n");
    expect(text).toContain("  does  enqueue in 'fallback', priority 0\n");
    expect(text).toContain("end:  answered in queue 'fallback'");
  });
});
