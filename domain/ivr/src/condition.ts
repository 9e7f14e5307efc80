import { z } from 'zod';
import { queueRefSchema, variableNameSchema } from './identifiers.ts';

/** Ordering and equality operators. `eq`/`ne` compare as text (the digits "7" equal 7); the others as numbers. */
export const comparisonOperatorSchema = z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/** A comparison operator. */
export type ComparisonOperator = z.output<typeof comparisonOperatorSchema>;

/** Live figures the ACD reports for a queue. */
export const queueFigureSchema = z.enum(['agentsAvailable', 'callsWaiting', 'estimatedWaitMs']);

/** A live queue figure name. */
export type QueueFigure = z.output<typeof queueFigureSchema>;

/** A test a condition node evaluates; the first branch whose test holds is taken. */
export type Condition =
  /** Now, in the tenant's time zone, falls inside the named weekly schedule. */
  | { readonly kind: 'businessHours'; readonly schedule: string }
  /** Today, in the tenant's time zone, is in the named holiday calendar. */
  | { readonly kind: 'holiday'; readonly calendar: string }
  /** An identify node has found the caller. */
  | { readonly kind: 'callerKnown' }
  /** The identified caller is a VIP. */
  | { readonly kind: 'vip' }
  /** A variable has a value. */
  | { readonly kind: 'variableSet'; readonly variable: string }
  /** A variable compared with a constant; a missing variable is a flow fault. */
  | {
      readonly kind: 'compare';
      readonly variable: string;
      readonly operator: ComparisonOperator;
      readonly value: string | number | boolean;
    }
  /** A live figure of a queue compared with a threshold (asked of the ACD when the node is reached). */
  | {
      readonly kind: 'queueFigure';
      readonly queue: string;
      readonly figure: QueueFigure;
      readonly operator: ComparisonOperator;
      readonly value: number;
    }
  | { readonly kind: 'all'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'any'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'not'; readonly condition: Condition };

/** The condition schema (recursive through all / any / not). */
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('businessHours'), schedule: z.string().min(1) }),
    z.strictObject({ kind: z.literal('holiday'), calendar: z.string().min(1) }),
    z.strictObject({ kind: z.literal('callerKnown') }),
    z.strictObject({ kind: z.literal('vip') }),
    z.strictObject({ kind: z.literal('variableSet'), variable: variableNameSchema }),
    z.strictObject({
      kind: z.literal('compare'),
      variable: variableNameSchema,
      operator: comparisonOperatorSchema,
      value: z.union([z.string(), z.number(), z.boolean()]),
    }),
    z.strictObject({
      kind: z.literal('queueFigure'),
      queue: queueRefSchema,
      figure: queueFigureSchema,
      operator: comparisonOperatorSchema,
      value: z.number().min(0),
    }),
    z.strictObject({ kind: z.literal('all'), conditions: z.array(conditionSchema).min(1) }),
    z.strictObject({ kind: z.literal('any'), conditions: z.array(conditionSchema).min(1) }),
    z.strictObject({ kind: z.literal('not'), condition: conditionSchema }),
  ]),
);

/** Every sub-condition, depth first, with its JSON path relative to the condition. */
export function conditionParts(
  condition: Condition,
  path: readonly (string | number)[] = [],
): Array<{
  readonly condition: Condition;
  readonly path: readonly (string | number)[];
}> {
  const here = [{ condition, path }];
  switch (condition.kind) {
    case 'all':
    case 'any':
      return here.concat(
        condition.conditions.flatMap((c, i) => conditionParts(c, [...path, 'conditions', i])),
      );
    case 'not':
      return here.concat(conditionParts(condition.condition, [...path, 'condition']));
    case 'businessHours':
    case 'holiday':
    case 'callerKnown':
    case 'vip':
    case 'variableSet':
    case 'compare':
    case 'queueFigure':
      return here;
  }
}
