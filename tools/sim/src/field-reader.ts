import type { ScenarioError } from './scenario-error.ts';

/** A plain object read from YAML or JSON. */
export type Fields = Readonly<Record<string, unknown>>;

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Reads loosely typed scenario data into typed values, collecting every problem with its path instead of
 * stopping at the first. Readers return a fallback on error so that checking can go on.
 */
export class FieldReader {
  readonly errors: ScenarioError[] = [];

  fail(path: string, message: string): void {
    this.errors.push({ path: path === '' ? '(root)' : path, message });
  }

  /** A mapping with only the allowed keys. */
  object(value: unknown, path: string, allowedKeys: readonly string[]): Fields | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, `expected a mapping, got ${describeValue(value)}`);
      return undefined;
    }
    const fields = value as Fields;
    for (const key of Object.keys(fields)) {
      if (!allowedKeys.includes(key))
        this.fail(join(path, key), `unknown setting "${key}" (expected one of: ${allowedKeys.join(', ')})`);
    }
    return fields;
  }

  /** A mapping whose keys are names (for example queue ids), not settings. */
  map(value: unknown, path: string): Fields | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, `expected a mapping, got ${describeValue(value)}`);
      return undefined;
    }
    return value as Fields;
  }

  list(value: unknown, path: string): readonly unknown[] {
    if (!Array.isArray(value)) {
      this.fail(path, `expected a list, got ${describeValue(value)}`);
      return [];
    }
    return value;
  }

  number(
    fields: Fields | undefined,
    key: string,
    path: string,
    rules: {
      readonly min?: number;
      readonly max?: number;
      readonly isInteger?: boolean;
      readonly fallback?: number;
    },
  ): number {
    const value = fields?.[key];
    const at = join(path, key);
    if (value === undefined) {
      if (rules.fallback !== undefined) return rules.fallback;
      this.fail(at, 'required');
      return rules.min ?? 0;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(at, `expected a number, got ${describeValue(value)}`);
      return rules.fallback ?? rules.min ?? 0;
    }
    if (rules.isInteger === true && !Number.isInteger(value))
      this.fail(at, `expected a whole number, got ${value}`);
    if (rules.min !== undefined && value < rules.min)
      this.fail(at, `must be at least ${rules.min}, got ${value}`);
    if (rules.max !== undefined && value > rules.max)
      this.fail(at, `must be at most ${rules.max}, got ${value}`);
    return value;
  }

  optionalNumber(
    fields: Fields | undefined,
    key: string,
    path: string,
    rules: { readonly min?: number; readonly max?: number; readonly isInteger?: boolean },
  ): number | undefined {
    return fields?.[key] === undefined ? undefined : this.number(fields, key, path, rules);
  }

  string(fields: Fields | undefined, key: string, path: string, fallback?: string): string {
    const value = fields?.[key];
    const at = join(path, key);
    if (value === undefined) {
      if (fallback !== undefined) return fallback;
      this.fail(at, 'required');
      return '';
    }
    if (typeof value !== 'string' || value === '') {
      this.fail(at, `expected text, got ${describeValue(value)}`);
      return fallback ?? '';
    }
    return value;
  }

  choice<T extends string>(
    fields: Fields | undefined,
    key: string,
    path: string,
    options: readonly T[],
    fallback?: T,
  ): T {
    const value = this.string(fields, key, path, fallback);
    if ((options as readonly string[]).includes(value)) return value as T;
    if (value !== '') this.fail(join(path, key), `expected one of ${options.join(', ')}, got "${value}"`);
    return fallback ?? (options[0] as T);
  }

  /** A time of day "HH:MM" (00:00 to 48:00, so night shifts can run past midnight), in minutes. */
  timeOfDay(fields: Fields | undefined, key: string, path: string, fallback?: number): number {
    const value = fields?.[key];
    if (value === undefined && fallback !== undefined) return fallback;
    const text = this.string(fields, key, path);
    const match = /^(\d{1,2}):([0-5]\d)$/.exec(text);
    if (match === null) {
      if (text !== '') this.fail(join(path, key), `expected a time of day like "08:30", got "${text}"`);
      return fallback ?? 0;
    }
    const minutes = Number(match[1]) * 60 + Number(match[2]);
    if (minutes > 48 * 60) this.fail(join(path, key), `must be at most 48:00, got "${text}"`);
    return minutes;
  }

  static join = join;
}
