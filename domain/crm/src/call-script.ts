/**
 * Call scripts: the words an agent follows on a queue's calls, with placeholders such as
 * `{{customer.firstName}}` filled in from the customer, the agent, the queue and the tenant. Pure: parsing
 * finds every placeholder and says which are unknown (so an admin's typo is refused when the script is
 * saved), rendering turns the script into text and field segments the desktop can highlight.
 */

/** The placeholders a script may use, besides `customer.custom.<key>` (a customer's custom field). */
export const callScriptFields = [
  'customer.firstName',
  'customer.lastName',
  'customer.displayName',
  'customer.company',
  'customer.phone',
  'customer.email',
  'customer.openTickets',
  'agent.name',
  'agent.firstName',
  'queue.name',
  'tenant.name',
] as const;

/** A placeholder's name: one of `callScriptFields`, or `customer.custom.<key>`. */
export type CallScriptField = (typeof callScriptFields)[number] | `customer.custom.${string}`;

/** A piece of a rendered script: literal text, or a field with its value (null when the record lacks it). */
export type CallScriptSegment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly field: string; readonly value: string | null };

/** A placeholder the parser could not accept, with where it starts (0-based character offset). */
export interface CallScriptProblem {
  readonly offset: number;
  readonly placeholder: string;
  readonly message: string;
}

const placeholderPattern = /\{\{\s*([^{}]*?)\s*\}\}/g;
const customFieldPattern = /^customer\.custom\.[A-Za-z0-9_]{1,64}$/;
const knownFields = new Set<string>(callScriptFields);

function isField(name: string): name is CallScriptField {
  return knownFields.has(name) || customFieldPattern.test(name);
}

/** Splits a script into text and placeholders, with a problem for each unknown or malformed placeholder. */
export function parseCallScript(template: string): {
  readonly segments: readonly (
    | { readonly kind: 'text'; readonly text: string }
    | { readonly kind: 'field'; readonly field: CallScriptField }
  )[];
  readonly problems: readonly CallScriptProblem[];
} {
  const segments: ({ kind: 'text'; text: string } | { kind: 'field'; field: CallScriptField })[] = [];
  const problems: CallScriptProblem[] = [];
  let last = 0;
  for (const match of template.matchAll(placeholderPattern)) {
    const offset = match.index;
    const name = match[1] ?? '';
    if (offset > last) segments.push({ kind: 'text', text: template.slice(last, offset) });
    if (isField(name)) segments.push({ kind: 'field', field: name });
    else {
      problems.push({
        offset,
        placeholder: match[0],
        message: `unknown placeholder ${match[0]}: use one of ${callScriptFields.map((field) => `{{${field}}}`).join(', ')} or {{customer.custom.<key>}}`,
      });
      segments.push({ kind: 'text', text: match[0] });
    }
    last = offset + match[0].length;
  }
  if (last < template.length) segments.push({ kind: 'text', text: template.slice(last) });
  const unclosed = template.slice(last).indexOf('{{');
  if (unclosed !== -1)
    problems.push({
      offset: last + unclosed,
      placeholder: '{{',
      message: 'a placeholder opened with {{ is not closed with }}',
    });
  return { segments, problems };
}

/** What a script is filled in with; a missing value leaves the field visibly empty for the agent to ask. */
export interface CallScriptValues {
  readonly customer: {
    readonly firstName: string;
    readonly lastName: string;
    readonly displayName: string | null;
    readonly company: string;
    readonly phone: string | null;
    readonly email: string | null;
    readonly openTickets: number;
    readonly customFields: Readonly<Record<string, unknown>>;
  } | null;
  readonly agent: { readonly name: string };
  readonly queue: { readonly name: string } | null;
  readonly tenant: { readonly name: string };
}

function nonEmpty(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

function valueOf(field: CallScriptField, values: CallScriptValues): string | null {
  const customer = values.customer;
  if (field.startsWith('customer.custom.')) {
    const raw = customer?.customFields[field.slice('customer.custom.'.length)];
    return typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean'
      ? nonEmpty(String(raw))
      : null;
  }
  switch (field as (typeof callScriptFields)[number]) {
    case 'customer.firstName':
      return nonEmpty(customer?.firstName);
    case 'customer.lastName':
      return nonEmpty(customer?.lastName);
    case 'customer.displayName':
      return nonEmpty(customer?.displayName);
    case 'customer.company':
      return nonEmpty(customer?.company);
    case 'customer.phone':
      return nonEmpty(customer?.phone);
    case 'customer.email':
      return nonEmpty(customer?.email);
    case 'customer.openTickets':
      return customer === null ? null : String(customer.openTickets);
    case 'agent.name':
      return nonEmpty(values.agent.name);
    case 'agent.firstName':
      return nonEmpty(values.agent.name.trim().split(/\s+/)[0]);
    case 'queue.name':
      return nonEmpty(values.queue?.name);
    case 'tenant.name':
      return nonEmpty(values.tenant.name);
  }
}

/** The script with every field filled in from `values` (unknown placeholders stay as written). */
export function renderCallScript(template: string, values: CallScriptValues): readonly CallScriptSegment[] {
  return parseCallScript(template).segments.map((segment) =>
    segment.kind === 'text'
      ? segment
      : { kind: 'field', field: segment.field, value: valueOf(segment.field, values) },
  );
}
