import { z } from 'zod';
import { holidayCalendarSchema, weeklyScheduleSchema } from './business-calendar.ts';
import { flowNodeSchema } from './flow-node.ts';
import { flowIdSchema, nodeIdSchema } from './identifiers.ts';
import { languageSchema } from './language.ts';

/**
 * A flow document: one published or draft version of a tenant's IVR flow. Nodes are keyed by id;
 * calls start at `entry`. Schedules and holiday calendars are named here and used by condition nodes.
 */
export const flowSchema = z.strictObject({
  id: flowIdSchema,
  name: z.string().trim().min(1).max(200),
  /** Increases with every published version; a call keeps the version it started on. */
  version: z.int().min(1),
  description: z.string().max(2_000).optional(),
  defaultLanguage: languageSchema,
  /** The languages callers may hear; every prompt needs a text or file for each. */
  languages: z
    .array(languageSchema)
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'each language is listed once'),
  entry: nodeIdSchema,
  schedules: z.record(z.string().min(1), weeklyScheduleSchema).default({}),
  holidayCalendars: z.record(z.string().min(1), holidayCalendarSchema).default({}),
  nodes: z.record(nodeIdSchema, flowNodeSchema),
});

/** A parsed flow (defaults applied). Validate with `validateFlow` before running it. */
export type Flow = z.output<typeof flowSchema>;

/** A flow as written in JSON (defaults may be left out). */
export type FlowInput = z.input<typeof flowSchema>;

/**
 * The flow document's JSON Schema (draft 2020-12), as written (defaults optional), for editors and
 * the API's OpenAPI description. Cross-field checks (min <= max, identify needs a variable) and the
 * validator's graph checks are not expressible in it: `validateFlow` stays the authority.
 */
export function flowJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(flowSchema, { io: 'input', unrepresentable: 'any' });
}
