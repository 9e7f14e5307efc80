import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { formatLogLine, textLogDestination } from './text-log.ts';

/** What a pino logger writing through `textLogDestination` prints, line by line. */
function printed(log: (logger: pino.Logger) => void, colors = false): string[] {
  const out: string[] = [];
  const logger = pino(
    { level: 'debug' },
    textLogDestination({ write: (text: string) => out.push(text) }, colors),
  );
  log(logger);
  return out.join('').split('\n').slice(0, -1);
}

describe('text logs', () => {
  it('prints a line as time, level, message and its fields, without pid and host', () => {
    const [line] = printed((logger) => {
      logger.info({ tenant: 'demo', applied: 40000, note: 'two words' }, 'report summaries catching up');
    });
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d INFO {2}report summaries catching up {2}tenant=demo applied=40000 note="two words"$/,
    );
  });

  it('colours warnings and errors only when asked, and indents an error’s stack under its line', () => {
    const lines = printed((logger) => {
      logger.warn('the media thread waited');
      logger.error({ err: new Error('connection refused') }, 'the database refused the write');
    }, true);
    expect(lines[0]).toContain('\u001b[33mWARN \u001b[0m the media thread waited');
    expect(lines[1]).toContain('\u001b[31mERROR\u001b[0m the database refused the write');
    expect(lines[2]).toBe('    Error: connection refused');
    expect(lines[3]).toMatch(/^ {8}at /);
    const [plain] = printed((logger) => {
      logger.warn('plain');
    });
    expect(plain).toMatch(/^\d\d:\d\d:\d\d WARN {2}plain$/);
  });

  it('passes through a line that is not a JSON object, so nothing is lost', () => {
    expect(formatLogLine('not json at all', { colors: false })).toBe('not json at all\n');
    expect(formatLogLine('[1,2]', { colors: false })).toBe('[1,2]\n');
  });
});
