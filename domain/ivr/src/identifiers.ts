import { z } from 'zod';

/** A node id: a letter, then letters, digits, _ or -. It is also the node's key in the flow's `nodes` map. */
export const nodeIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a node id is a letter then up to 63 letters, digits, _ or -');

/** A flow id (a slug such as `demo-main-menu`). */
export const flowIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a flow id is a letter then up to 63 letters, digits, _ or -');

/** A queue reference: the tenant's queue key or id (a UUID fits too). */
export const queueRefSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a queue is named by its key or id: letters, digits, _ or -');

/** Namespaces the interpreter fills itself; flows read them but cannot write them. */
export const reservedVariableNamespaces: readonly string[] = ['call', 'caller', 'callback'];

/** A variable name: dotted words (`ticket.status`). */
export const variableNameSchema = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$/,
    'a variable name is words of letters, digits and _ joined by dots',
  );

/** A variable a flow may write: not in a reserved namespace (`call.`, `caller.`, `callback.`). */
export const writableVariableSchema = variableNameSchema.refine(
  (name) => !reservedVariableNamespaces.includes(name.split('.')[0] ?? ''),
  'call.*, caller.* and callback.* are set by the interpreter and cannot be written',
);

/** One keypad key. */
export const keySchema = z.string().regex(/^[0-9*#]$/, 'a key is one of 0-9, * or #');
