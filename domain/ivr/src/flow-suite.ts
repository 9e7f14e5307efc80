import { z } from 'zod';
import type { Flow } from './flow.ts';
import type { FlowTranscript } from './flow-tester.ts';
import { runFlowScript } from './flow-tester.ts';
import { describeCommand, describeOutcome, describePrompt } from './transcript-format.ts';

const figuresSchema = z.strictObject({
  agentsAvailable: z.int().min(0),
  callsWaiting: z.int().min(0),
  estimatedWaitMs: z.int().min(0),
});

/** One scripted call and what must come of it. */
export const flowSuiteCaseSchema = z.strictObject({
  name: z.string().min(1),
  callerId: z.string().nullable().default(null),
  dialledNumber: z.string().default('+34910000000'),
  /** When the call starts, ISO 8601 with its UTC offset (`2025-06-02T10:00:00+02:00`). */
  at: z.iso.datetime({ offset: true }),
  digits: z.array(z.string()).default([]),
  http: z
    .array(
      z.union([
        z.strictObject({ status: z.int(), body: z.unknown() }),
        z.strictObject({ failure: z.string() }),
      ]),
    )
    .default([]),
  identities: z
    .array(
      z
        .strictObject({
          customerId: z.string(),
          name: z.string().nullable().optional(),
          isVip: z.boolean().optional(),
        })
        .nullable(),
    )
    .default([]),
  queueFigures: z.record(z.string(), figuresSchema).default({}),
  queueOutcomes: z.record(z.string(), z.enum(['answered', 'overflow'])).default({}),
  transferOutcome: z.enum(['completed', 'failed']).default('completed'),
  expect: z.strictObject({
    /** Node ids entered, in order (other flows' nodes as `flowId:nodeId`). */
    path: z.array(z.string()),
    /** How the call ends, as `describeOutcome` words it. */
    end: z.string(),
    /** Every prompt heard, as `describePrompt` words it (`es: Bienvenido`), when given. */
    prompts: z.array(z.string()).optional(),
    /** Every action, as `describeCommand` words it (`enqueue in 'ventas', priority 0`), when given. */
    actions: z.array(z.string()).optional(),
  }),
});

/**
 * A flow's expected-path suite: the flow file, the flows it uses, the tenant's queues and time zone,
 * and the cases. File names are relative to the suite file.
 */
export const flowSuiteSchema = z.strictObject({
  flow: z.string().min(1),
  publishedFlows: z.array(z.string()).default([]),
  knownQueueIds: z.array(z.string()),
  timeZone: z.string().default('Europe/Madrid'),
  cases: z.array(flowSuiteCaseSchema).min(1),
});

/** A parsed suite. */
export type FlowSuite = z.output<typeof flowSuiteSchema>;

/** A case's transcript and how it differs from what was expected (empty when it passed). */
export interface FlowSuiteCaseResult {
  readonly name: string;
  readonly transcript: FlowTranscript;
  readonly failures: readonly string[];
}

/** Runs every case of a suite against a flow and the other flows it publishes. */
export function runFlowSuite(
  suite: FlowSuite,
  flow: Flow,
  publishedFlows: Readonly<Record<string, Flow>>,
): FlowSuiteCaseResult[] {
  return suite.cases.map((suiteCase) => {
    const transcript = runFlowScript(flow, {
      callerId: suiteCase.callerId,
      dialledNumber: suiteCase.dialledNumber,
      now: Date.parse(suiteCase.at),
      timeZone: suite.timeZone,
      digits: suiteCase.digits,
      http: suiteCase.http.map((answer) =>
        'failure' in answer ? answer : { status: answer.status, body: answer.body },
      ),
      identities: suiteCase.identities,
      queueFigures: suiteCase.queueFigures,
      queueOutcomes: suiteCase.queueOutcomes,
      transferOutcome: suiteCase.transferOutcome,
      publishedFlows,
    });
    const failures: string[] = [];
    const expected = suiteCase.expect;
    const differ = (what: string, want: readonly string[], got: readonly string[]): void => {
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        failures.push(`${what}\n  expected: ${want.join(' | ')}\n  actual:   ${got.join(' | ')}`);
      }
    };
    differ('path', expected.path, transcript.path);
    differ('end', [expected.end], [describeOutcome(transcript.outcome)]);
    if (expected.prompts !== undefined)
      differ('prompts', expected.prompts, transcript.prompts.map(describePrompt));
    if (expected.actions !== undefined) {
      const actions = transcript.entries.flatMap((entry) => {
        const text = entry.kind === 'command' ? describeCommand(entry.command) : null;
        return text === null ? [] : [text];
      });
      differ('actions', expected.actions, actions);
    }
    return { name: suiteCase.name, transcript, failures };
  });
}
