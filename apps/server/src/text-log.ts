/**
 * Logs for people at a terminal: pino writes JSON lines (what log collectors read); `npm start` in a terminal
 * shows each as one readable line instead, `23:17:05 INFO  message  key=value`, warnings and errors in colour,
 * an error's stack indented below it. `LOG_FORMAT` chooses (docs/operations.md).
 */

const levelNames: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

const colorOf: Readonly<Record<string, string>> = {
  TRACE: '\u001b[90m',
  DEBUG: '\u001b[90m',
  WARN: '\u001b[33m',
  ERROR: '\u001b[31m',
  FATAL: '\u001b[31;1m',
};
const reset = '\u001b[0m';

/** Fields every line has, already shown (level, time, message) or of no use to a reader at a terminal. */
const shownApart = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);

function wallClock(atMs: number): string {
  const at = new Date(atMs);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/**
 * One pino JSON line as text (with its trailing newline). A line that is not a JSON object (it should not
 * happen) is passed through as it is, so nothing logged is ever lost.
 */
export function formatLogLine(line: string, options: { readonly colors: boolean }): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `${line.trimEnd()}\n`;
  const record = entry as Record<string, unknown>;
  const level = typeof record['level'] === 'number' ? (levelNames[record['level']] ?? 'LOG') : 'LOG';
  const time = typeof record['time'] === 'number' ? wallClock(record['time']) : '--:--:--';
  const message = typeof record['msg'] === 'string' ? record['msg'] : '';
  const fields = Object.entries(record)
    .filter(([key]) => !shownApart.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const color = options.colors ? colorOf[level] : undefined;
  const label = level.padEnd(5);
  let text = `${time} ${color === undefined ? label : `${color}${label}${reset}`} ${message}`;
  if (fields.length > 0) text += `  ${fields.join(' ')}`;
  const error = record['err'];
  if (typeof error === 'object' && error !== null) {
    const { message: errorMessage, stack } = error as { message?: unknown; stack?: unknown };
    const detail = typeof stack === 'string' ? stack : typeof errorMessage === 'string' ? errorMessage : '';
    if (detail !== '') text += `\n${detail.replace(/^/gm, '    ')}`;
  }
  return `${text}\n`;
}

/** A pino destination that writes `formatLogLine`'s text to `out` (stdout by default). */
export function textLogDestination(
  out: { write(text: string): unknown } = process.stdout,
  colors = process.stdout.isTTY,
): { write(line: string): void } {
  return {
    write(chunk: string): void {
      // pino writes one JSON line per call; split anyway, in case a chunk ever carries several.
      for (const line of chunk.split('\n')) if (line !== '') out.write(formatLogLine(line, { colors }));
    },
  };
}
