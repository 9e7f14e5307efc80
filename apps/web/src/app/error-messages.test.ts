import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogs } from '../i18n/catalog.ts';
import { errorMessageKey } from './error-messages.ts';

const errorsDoc = readFileSync(fileURLToPath(new URL('../../../../docs/errors.md', import.meta.url)), 'utf8');

/**
 * The sections of docs/errors.md whose codes can reach the browser. A problem's `code` is always an HTTP edge or
 * store code (`HttpProblem` takes no other; CRM and ACD refusals arrive as store codes with their message), and a
 * refused IVR flow names a save-time IVR code on each entry of `errors`. Every other section is internal (SIP,
 * SIP transport, media, media engine, workforce maths, calls, reporting, prompt cache, IVR run-time faults, which
 * are logged) or CLI-only (demo traffic, command line).
 */
const sectionsReachingTheWeb = ['## HTTP edge', '## Store', '### Refused on save'];

/** The codes of the table rows under each heading of docs/errors.md, by heading line. */
function codesBySection(markdown: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let heading = '';
  for (const line of markdown.split('\n')) {
    if (line.startsWith('#')) {
      heading = line.trim();
      sections.set(heading, []);
      continue;
    }
    const code = /^\|\s*`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`\s*\|/.exec(line)?.[1];
    if (code !== undefined) sections.get(heading)?.push(code);
  }
  return sections;
}

describe('the error messages of the web', () => {
  const sections = codesBySection(errorsDoc);

  it('find the sections of docs/errors.md whose codes reach the web', () => {
    for (const heading of sectionsReachingTheWeb) {
      const codes = [...sections.keys()].filter((key) => key.startsWith(heading));
      expect(codes, heading).toHaveLength(1);
    }
  });

  it('cover every code docs/errors.md lists that can reach the web, in Spanish and English', () => {
    const reachable = [...sections]
      .filter(([heading]) => sectionsReachingTheWeb.some((wanted) => heading.startsWith(wanted)))
      .flatMap(([, codes]) => codes);
    expect(reachable.length).toBeGreaterThan(30);
    const missing = reachable.filter((code) => {
      const key = errorMessageKey(code);
      return key === undefined || catalogs.es[key].trim() === '' || catalogs.en[key].trim() === '';
    });
    expect(missing, 'codes without a message').toEqual([]);
  });

  it('have no message for a code docs/errors.md does not list', () => {
    const documented = new Set([...sections.values()].flat());
    const unknown = Object.keys(catalogs.es)
      .filter((key) => key.startsWith('problem.'))
      .map((key) => key.slice('problem.'.length))
      .filter((code) => !documented.has(code));
    expect(unknown).toEqual([]);
  });
});
