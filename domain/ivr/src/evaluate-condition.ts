import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import { holidayOn, isOpenAt } from './business-calendar.ts';
import type { ComparisonOperator, Condition } from './condition.ts';
import type { FlowFaultCode } from './errors.ts';
import type { QueueFigures } from './events.ts';
import type { Flow } from './flow.ts';
import type { LocalDateTime } from './local-time.ts';
import { localDateTime } from './local-time.ts';
import { ownValue } from './own-value.ts';
import type { Scalar, VariableLookup } from './template.ts';

/** A run-time problem that sends the caller to the tenant fallback. */
export interface FlowFault {
  readonly code: FlowFaultCode;
  readonly message: string;
}

/** What a condition can look at. */
export interface ConditionInputs {
  readonly flow: Flow;
  readonly nowMs: number;
  readonly timeZone: string;
  readonly lookup: VariableLookup;
  readonly isCallerKnown: boolean;
  readonly isVip: boolean;
  readonly queueFigures: Readonly<Record<string, QueueFigures>>;
}

/** The queues whose live figures a condition needs, each once. */
export function queuesNeeded(conditions: readonly Condition[]): string[] {
  const queues = new Set<string>();
  const visit = (condition: Condition): void => {
    switch (condition.kind) {
      case 'queueFigure':
        queues.add(condition.queue);
        return;
      case 'all':
      case 'any':
        condition.conditions.forEach(visit);
        return;
      case 'not':
        visit(condition.condition);
        return;
      case 'businessHours':
      case 'holiday':
      case 'callerKnown':
      case 'vip':
      case 'variableSet':
      case 'compare':
        return;
    }
  };
  conditions.forEach(visit);
  return [...queues];
}

/** Whether the condition holds; `all` and `any` stop at the first decisive part, as one would expect. */
export function evaluateCondition(condition: Condition, inputs: ConditionInputs): Result<boolean, FlowFault> {
  switch (condition.kind) {
    case 'businessHours': {
      const schedule = ownValue(inputs.flow.schedules, condition.schedule);
      if (schedule === undefined) return ok(false);
      const local = localTime(inputs);
      return local.ok ? ok(isOpenAt(schedule, local.value)) : local;
    }
    case 'holiday': {
      const calendar = ownValue(inputs.flow.holidayCalendars, condition.calendar);
      if (calendar === undefined) return ok(false);
      const local = localTime(inputs);
      return local.ok ? ok(holidayOn(calendar, local.value) !== undefined) : local;
    }
    case 'callerKnown':
      return ok(inputs.isCallerKnown);
    case 'vip':
      return ok(inputs.isVip);
    case 'variableSet':
      return ok(inputs.lookup(condition.variable) !== undefined);
    case 'compare': {
      const value = inputs.lookup(condition.variable);
      if (value === undefined) {
        return err({ code: 'IVR_VARIABLE_MISSING', message: `variable '${condition.variable}' is not set` });
      }
      return compare(value, condition.operator, condition.value, condition.variable);
    }
    case 'queueFigure': {
      const figures = ownValue(inputs.queueFigures, condition.queue);
      if (figures === undefined) {
        return err({
          code: 'IVR_QUEUE_FIGURES_UNAVAILABLE',
          message: `no live figures for queue '${condition.queue}'`,
        });
      }
      return compare(figures[condition.figure], condition.operator, condition.value, condition.figure);
    }
    case 'all':
      for (const part of condition.conditions) {
        const holds = evaluateCondition(part, inputs);
        if (!holds.ok || !holds.value) return holds;
      }
      return ok(true);
    case 'any':
      for (const part of condition.conditions) {
        const holds = evaluateCondition(part, inputs);
        if (!holds.ok || holds.value) return holds;
      }
      return ok(false);
    case 'not': {
      const holds = evaluateCondition(condition.condition, inputs);
      return holds.ok ? ok(!holds.value) : holds;
    }
  }
}

function localTime(inputs: ConditionInputs): Result<LocalDateTime, FlowFault> {
  const local = localDateTime(inputs.nowMs, inputs.timeZone);
  return local.ok
    ? local
    : err({ code: 'IVR_TIME_ZONE_INVALID', message: `'${inputs.timeZone}' is not an IANA time zone` });
}

function asNumber(value: Scalar): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : null;
  }
  return null;
}

function compare(
  left: Scalar,
  operator: ComparisonOperator,
  right: Scalar,
  name: string,
): Result<boolean, FlowFault> {
  if (operator === 'eq') return ok(String(left) === String(right));
  if (operator === 'ne') return ok(String(left) !== String(right));
  const a = asNumber(left);
  const b = asNumber(right);
  if (a === null || b === null) {
    return err({
      code: 'IVR_NOT_A_NUMBER',
      message: `'${name}' ${operator} compares ${JSON.stringify(left)} with ${JSON.stringify(right)}, not two numbers`,
    });
  }
  switch (operator) {
    case 'lt':
      return ok(a < b);
    case 'le':
      return ok(a <= b);
    case 'gt':
      return ok(a > b);
    case 'ge':
      return ok(a >= b);
  }
}
