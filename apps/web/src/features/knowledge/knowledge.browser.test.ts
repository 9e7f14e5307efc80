import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBrowserHarness } from '../../testing/browser-harness.ts';
import type { BrowserHarness } from '../../testing/browser-harness.ts';

// The knowledge base in Chromium against the demo's articles: an agent finds an article by another form of a
// word, with the words marked, and opens it; a trainer writes a new one that the agent then finds; in English.

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

let harness: BrowserHarness;

beforeAll(async () => {
  harness = await startBrowserHarness(inject('adminDatabaseUrl'), 'web_knowledge');
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

describe('the knowledge base', () => {
  it('finds the demo article about the bill from “facturas”, marks the words and opens it', async () => {
    const { context, page } = await harness.newPage('es-ES');
    await harness.signIn(page, 'lucia.fernandez@fibrasur.example');
    await page.locator('nav').getByRole('link', { name: 'Base de conocimiento' }).click();
    await page.getByLabel('Buscar en la base de conocimiento').fill('facturas');
    await page.getByLabel('Buscar en la base de conocimiento').press('Enter');
    const hits = page.getByTestId('kb-hits');
    await hits.getByRole('button', { name: 'Cómo leer la factura' }).waitFor();
    expect(await hits.locator('mark').count()).toBeGreaterThan(0);
    expect((await hits.locator('li').first().textContent()) ?? '').toContain('Cómo leer la factura');
    await harness.screenshot(page, 'knowledge-search');
    await hits.getByRole('button', { name: 'Cómo leer la factura' }).click();
    await page.getByTestId('kb-article').getByText('Las facturas se emiten el día 1').waitFor();
    // Agents do not write articles.
    expect(await page.getByRole('form', { name: 'Nuevo artículo' }).count()).toBe(0);
    await context.close();
  });

  it('lets a trainer write an article that agents then find, in English too', async () => {
    const { context, page } = await harness.newPage('en-GB');
    await context.addInitScript(() => {
      window.localStorage.setItem('centralita.language', 'en');
    });
    await harness.signIn(page, 'trainer@fibrasur.example', '/knowledge');
    const form = page.getByRole('form', { name: 'New article' });
    await form.getByLabel('Title').fill('Roaming outside the EU');
    await form.getByLabel('Language').selectOption('en');
    await form.getByLabel('Tags (comma-separated)').fill('mobile, roaming');
    await form
      .getByLabel('Text')
      .fill('Roaming outside the EU is charged per megabyte; offer the travel pack first.');
    await form.getByRole('button', { name: 'Save article' }).click();
    await page.getByTestId('kb-recent').getByText('Roaming outside the EU').waitFor();
    await context.close();

    const agent = await harness.apiLogin('carlos.gomez@fibrasur.example');
    const hits = (await (
      await fetch(`${harness.server.url}/api/kb/search?q=roaming`, { headers: agent.headers })
    ).json()) as { title: string }[];
    expect(hits.map((hit) => hit.title)).toEqual(['Roaming outside the EU']);
  });
});
