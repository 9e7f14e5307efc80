import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateFlow } from '@centralita/ivr';
import type { Flow } from '@centralita/ivr';
import { flowSpeech, prerenderFlowPrompts } from './flow-prompts.ts';
import { PromptCache } from './prompt-cache.ts';

function parsed(document: unknown): Flow {
  const result = validateFlow(document);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function example(name: string): Flow {
  return parsed(
    JSON.parse(readFileSync(new URL(`../../../domain/ivr/examples/${name}`, import.meta.url), 'utf8')),
  );
}

const say = (es: string, en: string) => ({ es: { text: es }, en: { text: en } });

/** Three prompts known in advance in two languages, one with a placeholder, one recorded. */
const smallFlow = parsed({
  id: 'small',
  name: 'Small',
  version: 1,
  defaultLanguage: 'es',
  languages: ['es', 'en'],
  entry: 'menu',
  nodes: {
    menu: {
      type: 'menu',
      prompt: say('Pulse 1.', 'Press 1.'),
      options: { '1': { next: 'number' } },
      invalidPrompt: say('No es válido.', 'Not valid.'),
      onFailure: 'bye',
    },
    number: {
      type: 'play',
      prompt: say('Su número es {{call.callerId|digits}}.', 'Your number is {{call.callerId|digits}}.'),
      next: 'bye',
    },
    bye: {
      type: 'hangup',
      prompt: { es: { file: 'prompts/es/bye.wav', text: 'Adiós.' }, en: { file: 'prompts/en/bye.wav' } },
    },
  },
});

describe('the prompts of a flow', () => {
  it('lists every text to speak in every language once, apart from texts with placeholders and files', () => {
    const inventory = flowSpeech([smallFlow, smallFlow], [say('Pulse 1.', 'Un momento.')]);
    expect(inventory.speech).toEqual([
      { language: 'es', text: 'Pulse 1.' },
      { language: 'en', text: 'Press 1.' },
      { language: 'es', text: 'No es válido.' },
      { language: 'en', text: 'Not valid.' },
      { language: 'en', text: 'Un momento.' },
    ]);
    expect(inventory.dynamic.map((request) => request.language)).toEqual(['es', 'en']);
    expect(inventory.recordedCount).toBe(2);
  });

  it('finds the demo menu’s prompts, announcements and callback questions in both languages', () => {
    const inventory = flowSpeech([example('demo-main-menu.json')]);
    const texts = inventory.speech.map((request) => `${request.language}: ${request.text}`);
    expect(texts).toContain('es: Bienvenido a FibraSur Telecom.');
    expect(texts).toContain('en: Welcome to FibraSur Telecom.');
    expect(inventory.speech.filter((r) => r.language === 'es').length).toBe(
      inventory.speech.filter((r) => r.language === 'en').length,
    );
    expect(inventory.dynamic.every((request) => request.text.includes('{{'))).toBe(true);
    expect(inventory.dynamic.length).toBeGreaterThan(0);
  });

  it('pre-renders them into the cache, and finds them there the second time', async () => {
    const cache = new PromptCache({
      directory: await mkdtemp(path.join(tmpdir(), 'centralita-flow-prompts-')),
    });
    const first = await prerenderFlowPrompts(cache, [smallFlow]);
    expect(first.failures.map((f) => f.error.message)).toEqual([]);
    expect(first).toMatchObject({ rendered: 4, cached: 0, dynamic: 2, recorded: 2 });
    const second = await prerenderFlowPrompts(cache, [smallFlow]);
    expect(second).toMatchObject({ rendered: 0, cached: 4 });
    const hit = await cache.get({ language: 'en', text: 'Not valid.' });
    expect(hit.ok && hit.value.isCacheHit).toBe(true);
  });

  it('reports every prompt that could not be rendered instead of throwing', async () => {
    const cache = new PromptCache({
      directory: await mkdtemp(path.join(tmpdir(), 'centralita-flow-prompts-')),
      command: 'espeak-ng-not-installed',
    });
    const report = await prerenderFlowPrompts(cache, [smallFlow]);
    expect(report.rendered).toBe(0);
    expect(report.failures.map((f) => f.error.code)).toEqual(Array(4).fill('PROMPT_TTS_NOT_INSTALLED'));
  });
});
