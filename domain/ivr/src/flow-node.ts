import { z } from 'zod';
import { conditionSchema } from './condition.ts';
import { digitRuleSchema } from './digit-rule.ts';
import {
  flowIdSchema,
  keySchema,
  nodeIdSchema,
  queueRefSchema,
  variableNameSchema,
  writableVariableSchema,
} from './identifiers.ts';
import { languageSchema } from './language.ts';
import { promptSchema } from './prompt.ts';
import { isWellFormedTemplate } from './template.ts';

const templateSchema = z
  .string()
  .refine(isWellFormedTemplate, 'malformed placeholder: write {{variable}} or {{variable|digits}}');
const scalarTemplateSchema = z.union([templateSchema, z.number(), z.boolean()]);

const retriesSchema = z.int().min(0).max(5);
const digitTimeoutMsSchema = z.int().min(1_000).max(60_000);
const description = z.string().max(500).optional();

/** Plays a prompt, then goes on. */
export const playNodeSchema = z.strictObject({
  type: z.literal('play'),
  description,
  prompt: promptSchema,
  next: nodeIdSchema,
});

/** A menu: a prompt and one key per option; invalid keys and silence are retried with their own prompts. */
export const menuNodeSchema = z.strictObject({
  type: z.literal('menu'),
  description,
  prompt: promptSchema,
  options: z.record(keySchema, z.strictObject({ next: nodeIdSchema, label: z.string().optional() })),
  /** Attempts after the first one. */
  retries: retriesSchema.default(2),
  /** How long to wait for a key once the prompt has finished. */
  timeoutMs: digitTimeoutMsSchema.default(5_000),
  invalidPrompt: promptSchema.optional(),
  timeoutPrompt: promptSchema.optional(),
  /** Whether a key pressed during the prompt stops it (callers who know the menu skip ahead). */
  isBargeInAllowed: z.boolean().default(true),
  /** Where the caller goes when every attempt failed. */
  onFailure: nodeIdSchema,
});

/** Collects several digits into a variable, checked by length and an optional rule. */
export const gatherNodeSchema = z
  .strictObject({
    type: z.literal('gather'),
    description,
    prompt: promptSchema,
    variable: writableVariableSchema,
    minDigits: z.int().min(1).max(32).default(1),
    maxDigits: z.int().min(1).max(32),
    /** The key that ends the entry early; it is not part of the value. `null`: no terminator. */
    terminator: z.enum(['#', '*']).nullable().default('#'),
    firstDigitTimeoutMs: digitTimeoutMsSchema.default(5_000),
    interDigitTimeoutMs: digitTimeoutMsSchema.default(3_000),
    validation: digitRuleSchema.optional(),
    retries: retriesSchema.default(2),
    invalidPrompt: promptSchema.optional(),
    timeoutPrompt: promptSchema.optional(),
    isBargeInAllowed: z.boolean().default(true),
    next: nodeIdSchema,
    onFailure: nodeIdSchema,
  })
  .refine((node) => node.minDigits <= node.maxDigits, {
    message: 'maxDigits must be at least minDigits',
    path: ['maxDigits'],
  });

/** Takes the first branch whose condition holds, else `otherwise`. */
export const conditionNodeSchema = z.strictObject({
  type: z.literal('condition'),
  description,
  branches: z.array(z.strictObject({ when: conditionSchema, next: nodeIdSchema })).min(1),
  otherwise: nodeIdSchema,
});

/** Sets variables; string values may use placeholders. */
export const setNodeSchema = z.strictObject({
  type: z.literal('set'),
  description,
  assign: z
    .record(writableVariableSchema, scalarTemplateSchema)
    .refine((assign) => Object.keys(assign).length > 0, 'assign at least one variable'),
  next: nodeIdSchema,
});

/** Looks the caller up in the CRM by caller id, or by an account or phone number gathered into a variable. */
export const identifyNodeSchema = z
  .strictObject({
    type: z.literal('identify'),
    description,
    by: z.enum(['callerId', 'accountNumber', 'phoneNumber']),
    /** The variable holding the entered number (for `accountNumber` and `phoneNumber`). */
    variable: variableNameSchema.optional(),
    next: nodeIdSchema,
    onNotFound: nodeIdSchema,
  })
  .refine((node) => (node.by === 'callerId') === (node.variable === undefined), {
    message:
      'identifying by accountNumber or phoneNumber needs the variable holding it; by callerId takes none',
    path: ['variable'],
  });

const httpUrlSchema = templateSchema.refine(
  (url) => /^https?:\/\/[^\s/]/.test(url) || /^\/[^/]/.test(url),
  "an http URL is absolute (http:// or https://) or a path on the platform's own API (starting with /)",
);

/** Calls an external system; chosen response fields become variables; any failure takes `onFailure`. */
export const httpNodeSchema = z
  .strictObject({
    type: z.literal('http'),
    description,
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    url: httpUrlSchema,
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name is letters, digits and -'), templateSchema)
      .default({}),
    /** Sent as a JSON object; string values may use placeholders. */
    body: z.record(z.string().min(1), scalarTemplateSchema).optional(),
    timeoutMs: z.int().min(100).max(10_000).default(3_000),
    /** Response field (dotted path into the JSON body, `ticket.status`, `items.0.id`) -> variable. */
    responseFields: z
      .record(z.string().regex(/^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/), writableVariableSchema)
      .default({}),
    next: nodeIdSchema,
    onFailure: nodeIdSchema,
  })
  .refine((node) => !(node.method === 'GET' && node.body !== undefined), {
    message: 'a GET request carries no body',
    path: ['body'],
  });

/** Hands the call to the ACD: a queue with a priority, required skills, announcements while waiting, overflow. */
export const queueNodeSchema = z.strictObject({
  type: z.literal('queue'),
  description,
  queue: queueRefSchema,
  /** 0 to 10; higher is served sooner. */
  priority: z.int().min(0).max(10).default(0),
  requiredSkills: z.array(z.string().min(1)).default([]),
  announcements: z
    .array(
      z.strictObject({
        prompt: promptSchema,
        firstAfterMs: z.int().min(0).default(30_000),
        repeatEveryMs: z.int().min(10_000).optional(),
      }),
    )
    .default([]),
  overflow: z
    .strictObject({
      afterWaitMs: z.int().min(10_000).optional(),
      whenNoAgentsLoggedIn: z.boolean().default(false),
      next: nodeIdSchema,
    })
    .refine(
      (o) => o.afterWaitMs !== undefined || o.whenNoAgentsLoggedIn,
      'an overflow needs afterWaitMs or whenNoAgentsLoggedIn',
    )
    .optional(),
});

/** Records a message that becomes a ticket, with the recording, assigned to a queue. */
export const voicemailNodeSchema = z.strictObject({
  type: z.literal('voicemail'),
  description,
  queue: queueRefSchema,
  prompt: promptSchema,
  maxDurationMs: z.int().min(5_000).max(600_000).default(120_000),
  isBeepPlayed: z.boolean().default(true),
  ticketSubject: templateSchema.optional(),
  next: nodeIdSchema,
});

/**
 * Offers to call the caller back, keeping their place in the queue: 1 accepts, 2 declines; then the
 * number is confirmed (1) or another one entered (2).
 */
export const callbackNodeSchema = z
  .strictObject({
    type: z.literal('callback'),
    description,
    queue: queueRefSchema,
    offerPrompt: promptSchema,
    /** Read back with the number: use {{callback.number|digits}}. */
    confirmPrompt: promptSchema,
    numberPrompt: promptSchema,
    minDigits: z.int().min(3).max(15).default(9),
    maxDigits: z.int().min(3).max(15).default(15),
    timeoutMs: digitTimeoutMsSchema.default(5_000),
    retries: retriesSchema.default(2),
    invalidPrompt: promptSchema.optional(),
    isPlaceKept: z.boolean().default(true),
    next: nodeIdSchema,
    onDecline: nodeIdSchema,
  })
  .refine((node) => node.minDigits <= node.maxDigits, {
    message: 'maxDigits must be at least minDigits',
    path: ['maxDigits'],
  });

/** Where a transfer goes. */
export const transferTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('extension'),
    extension: z.string().regex(/^[0-9]{2,8}$/, 'an extension is 2 to 8 digits'),
  }),
  z.strictObject({
    kind: z.literal('external'),
    number: z
      .string()
      .regex(/^\+?[0-9]{3,15}$/, 'an external number is up to 15 digits, E.164 with + preferred'),
  }),
  z.strictObject({ kind: z.literal('flow'), flow: flowIdSchema }),
]);

/** Transfers the call to an extension, an external number, or another flow. */
export const transferNodeSchema = z.strictObject({
  type: z.literal('transfer'),
  description,
  to: transferTargetSchema,
  prompt: promptSchema.optional(),
  /** Where the caller goes when the transfer fails (busy, no answer); without it the tenant fallback catches it. */
  onFailure: nodeIdSchema.optional(),
});

/** Switches the language of the prompts that follow. */
export const languageNodeSchema = z.strictObject({
  type: z.literal('language'),
  description,
  language: languageSchema,
  next: nodeIdSchema,
});

/** Questions answered with one key each; an unanswered question is skipped. */
export const surveyNodeSchema = z.strictObject({
  type: z.literal('survey'),
  description,
  survey: z.string().min(1),
  questions: z
    .array(
      z
        .strictObject({
          id: z.string().min(1),
          prompt: promptSchema,
          minAnswer: z.int().min(0).max(9).default(1),
          maxAnswer: z.int().min(0).max(9).default(5),
        })
        .refine((q) => q.minAnswer <= q.maxAnswer, {
          message: 'maxAnswer must be at least minAnswer',
          path: ['maxAnswer'],
        }),
    )
    .min(1),
  retries: retriesSchema.default(1),
  timeoutMs: digitTimeoutMsSchema.default(5_000),
  invalidPrompt: promptSchema.optional(),
  next: nodeIdSchema,
});

/** Ends the call, after an optional prompt. */
export const hangupNodeSchema = z.strictObject({
  type: z.literal('hangup'),
  description,
  prompt: promptSchema.optional(),
});

/** Jumps to another node. */
export const gotoNodeSchema = z.strictObject({ type: z.literal('goto'), description, next: nodeIdSchema });

/** Runs another flow; when it reaches a return node the call continues at `next`. Variables are shared. */
export const subflowNodeSchema = z.strictObject({
  type: z.literal('subflow'),
  description,
  flow: flowIdSchema,
  next: nodeIdSchema,
});

/** Ends a subflow: the call continues at the calling subflow node's `next`. */
export const returnNodeSchema = z.strictObject({ type: z.literal('return'), description });

/** Any node. */
export const flowNodeSchema = z.discriminatedUnion('type', [
  playNodeSchema,
  menuNodeSchema,
  gatherNodeSchema,
  conditionNodeSchema,
  setNodeSchema,
  identifyNodeSchema,
  httpNodeSchema,
  queueNodeSchema,
  voicemailNodeSchema,
  callbackNodeSchema,
  transferNodeSchema,
  languageNodeSchema,
  surveyNodeSchema,
  hangupNodeSchema,
  gotoNodeSchema,
  subflowNodeSchema,
  returnNodeSchema,
]);

/** A node of a flow (defaults applied). */
export type FlowNode = z.output<typeof flowNodeSchema>;

/** The node type names. */
export type FlowNodeType = FlowNode['type'];

/** The node of one type. */
export type FlowNodeOf<T extends FlowNodeType> = Extract<FlowNode, { type: T }>;
