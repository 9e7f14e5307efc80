import type { z } from 'zod';
import type { DomainError, Result } from '@centralita/kernel';
import { domainError, err, ok } from '@centralita/kernel';
import type { FlowProblemCode } from './errors.ts';
import type { Flow } from './flow.ts';
import { flowSchema } from './flow.ts';
import type { FlowNode } from './flow-node.ts';
import { languageName } from './language.ts';
import { ownValue } from './own-value.ts';
import {
  nodeConditions,
  nodeFlows,
  nodeLinks,
  nodePrompts,
  nodeQueues,
  waitsForCallerOrAgent,
} from './node-references.ts';

/** One reason a flow is refused, with the JSON path of the offending value in `field`. */
export interface FlowProblem extends DomainError<FlowProblemCode> {
  readonly field: string;
}

/** What the tenant has, for the checks a flow alone cannot answer. A check is skipped when its set is left out. */
export interface FlowValidationOptions {
  /** The tenant's queue keys or ids. */
  readonly knownQueueIds?: Iterable<string>;
  /** The tenant's flow ids (the flow being validated is always known). */
  readonly knownFlowIds?: Iterable<string>;
  /** Which flows each other flow of the tenant calls as subflows (see `subflowTargets`), to find recursion. */
  readonly subflowsByFlow?: Readonly<Record<string, readonly string[]>>;
}

/** Joins a JSON path with dots: `nodes.main_menu.options.3.next`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.map((part) => String(part)).join('.');
}

function problem(code: FlowProblemCode, path: readonly PropertyKey[], message: string): FlowProblem {
  return domainError(code, message, jsonPath(path)) as FlowProblem;
}

/** The flows a flow calls as subflows, each once. */
export function subflowTargets(flow: Flow): string[] {
  const targets = Object.values(flow.nodes).flatMap((node) =>
    nodeFlows(node)
      .filter((ref) => ref.isSubflow)
      .map((ref) => ref.flow),
  );
  return [...new Set(targets)];
}

/**
 * Parses and checks a flow document as it is saved: the schema, then what the schema cannot see
 * (references, reachability, prompts per language, the tenant's queues and flows, loops without input,
 * subflow recursion). Returns the parsed flow, or every problem found, each with its JSON path.
 */
export function validateFlow(
  document: unknown,
  options: FlowValidationOptions = {},
): Result<Flow, FlowProblem[]> {
  const parsed = flowSchema.safeParse(document, { error: schemaMessage });
  if (!parsed.success) {
    return err(parsed.error.issues.map((issue) => problem('IVR_FLOW_SCHEMA', issue.path, issue.message)));
  }
  const flow = parsed.data;
  const problems = [
    ...entryProblems(flow),
    ...referenceProblems(flow),
    ...reachabilityProblems(flow),
    ...menuProblems(flow),
    ...languageProblems(flow),
    ...calendarProblems(flow),
    ...tenantProblems(flow, options),
    ...loopProblems(flow),
    ...recursionProblems(flow, options),
  ];
  return problems.length === 0 ? ok(flow) : err(problems);
}

/** Plainer wording than zod's defaults for the mistakes flow authors make most. */
function schemaMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => `'${key}'`).join(', ')}`;
  }
  if (issue.code === 'invalid_key') {
    return `invalid key '${String(issue.input)}': ${issue.issues[0]?.message ?? 'not allowed here'}`;
  }
  return undefined;
}

type NodeEntry = readonly [string, FlowNode];

function nodeEntries(flow: Flow): NodeEntry[] {
  return Object.entries(flow.nodes);
}

function entryProblems(flow: Flow): FlowProblem[] {
  return ownValue(flow.nodes, flow.entry) === undefined
    ? [problem('IVR_ENTRY_NODE_MISSING', ['entry'], `entry node '${flow.entry}' does not exist`)]
    : [];
}

function referenceProblems(flow: Flow): FlowProblem[] {
  return nodeEntries(flow).flatMap(([id, node]) =>
    nodeLinks(node)
      .filter((link) => ownValue(flow.nodes, link.target) === undefined)
      .map((link) =>
        problem(
          'IVR_DANGLING_REFERENCE',
          ['nodes', id, ...link.path],
          `points to node '${link.target}', which does not exist`,
        ),
      ),
  );
}

function reachabilityProblems(flow: Flow): FlowProblem[] {
  if (ownValue(flow.nodes, flow.entry) === undefined) return [];
  const reached = new Set([flow.entry]);
  const pending = [flow.entry];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    const node = ownValue(flow.nodes, id);
    for (const link of node === undefined ? [] : nodeLinks(node)) {
      if (!reached.has(link.target) && ownValue(flow.nodes, link.target) !== undefined) {
        reached.add(link.target);
        pending.push(link.target);
      }
    }
  }
  return nodeEntries(flow)
    .filter(([id]) => !reached.has(id))
    .map(([id]) =>
      problem(
        'IVR_UNREACHABLE_NODE',
        ['nodes', id],
        `node '${id}' cannot be reached from the entry node '${flow.entry}'`,
      ),
    );
}

function menuProblems(flow: Flow): FlowProblem[] {
  return nodeEntries(flow).flatMap(([id, node]) =>
    node.type === 'menu' && Object.keys(node.options).length === 0
      ? [problem('IVR_MENU_WITHOUT_OPTIONS', ['nodes', id, 'options'], 'a menu needs at least one option')]
      : [],
  );
}

function languageProblems(flow: Flow): FlowProblem[] {
  const declared = flow.languages.map(languageName).join(' and ');
  const problems: FlowProblem[] = [];
  if (!flow.languages.includes(flow.defaultLanguage)) {
    problems.push(
      problem(
        'IVR_LANGUAGE_NOT_DECLARED',
        ['defaultLanguage'],
        `the default language ${languageName(flow.defaultLanguage)} is not among the flow's languages (${declared})`,
      ),
    );
  }
  for (const [id, node] of nodeEntries(flow)) {
    if (node.type === 'language' && !flow.languages.includes(node.language)) {
      problems.push(
        problem(
          'IVR_LANGUAGE_NOT_DECLARED',
          ['nodes', id, 'language'],
          `switches to ${languageName(node.language)}, which the flow does not declare (${declared})`,
        ),
      );
    }
    for (const { path, prompt } of nodePrompts(node)) {
      for (const language of flow.languages) {
        if (prompt[language] === undefined) {
          problems.push(
            problem(
              'IVR_PROMPT_MISSING_LANGUAGE',
              ['nodes', id, ...path, language],
              `the prompt has no ${languageName(language)} text or file, but the flow declares ${languageName(language)}`,
            ),
          );
        }
      }
    }
  }
  return problems;
}

function calendarProblems(flow: Flow): FlowProblem[] {
  return nodeEntries(flow).flatMap(([id, node]) =>
    nodeConditions(node).flatMap(({ path, condition }) => {
      if (condition.kind === 'businessHours' && ownValue(flow.schedules, condition.schedule) === undefined) {
        return [
          problem(
            'IVR_UNKNOWN_SCHEDULE',
            ['nodes', id, ...path, 'schedule'],
            `schedule '${condition.schedule}' is not defined in the flow's schedules`,
          ),
        ];
      }
      if (condition.kind === 'holiday' && ownValue(flow.holidayCalendars, condition.calendar) === undefined) {
        return [
          problem(
            'IVR_UNKNOWN_HOLIDAY_CALENDAR',
            ['nodes', id, ...path, 'calendar'],
            `holiday calendar '${condition.calendar}' is not defined in the flow's holidayCalendars`,
          ),
        ];
      }
      return [];
    }),
  );
}

function tenantProblems(flow: Flow, options: FlowValidationOptions): FlowProblem[] {
  const queues = options.knownQueueIds === undefined ? null : new Set(options.knownQueueIds);
  const flows = options.knownFlowIds === undefined ? null : new Set([...options.knownFlowIds, flow.id]);
  return nodeEntries(flow).flatMap(([id, node]) => [
    ...(queues === null
      ? []
      : nodeQueues(node)
          .filter((ref) => !queues.has(ref.queue))
          .map((ref) =>
            problem('IVR_UNKNOWN_QUEUE', ['nodes', id, ...ref.path], `queue '${ref.queue}' does not exist`),
          )),
    ...(flows === null
      ? []
      : nodeFlows(node)
          .filter((ref) => !flows.has(ref.flow))
          .map((ref) =>
            problem('IVR_UNKNOWN_FLOW', ['nodes', id, ...ref.path], `flow '${ref.flow}' does not exist`),
          )),
  ]);
}

/**
 * Loops the caller cannot leave: strongly connected components (Tarjan) of the graph restricted to
 * nodes that never wait for the caller or an agent. Each such component is reported once, at its first
 * node in document order, with one concrete cycle through it.
 */
function loopProblems(flow: Flow): FlowProblem[] {
  const instant = new Map(
    nodeEntries(flow)
      .filter(([, node]) => !waitsForCallerOrAgent(node))
      .map(([id, node]) => [id, nodeLinks(node).map((l) => l.target)] as const),
  );
  const successors = (id: string): string[] =>
    (instant.get(id) ?? []).filter((target) => instant.has(target));
  return stronglyConnectedComponents([...instant.keys()], successors)
    .filter(
      (component) => component.length > 1 || successors(component[0] ?? '').includes(component[0] ?? ''),
    )
    .map((component) => {
      const members = new Set(component);
      const start = [...instant.keys()].find((id) => members.has(id)) ?? '';
      const cycle = shortestCycle(start, (id) => successors(id).filter((t) => members.has(t)));
      return problem(
        'IVR_LOOP_WITHOUT_INPUT',
        ['nodes', start],
        `nodes ${cycle.join(' → ')} form a loop with no menu, gather, callback, survey, voicemail or queue: the caller would loop for ever`,
      );
    });
}

function stronglyConnectedComponents(
  ids: readonly string[],
  successors: (id: string) => string[],
): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (id: string): void => {
    index.set(id, index.size);
    lowLink.set(id, index.get(id) ?? 0);
    stack.push(id);
    onStack.add(id);
    for (const next of successors(id)) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(id, Math.min(lowLink.get(id) ?? 0, lowLink.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowLink.set(id, Math.min(lowLink.get(id) ?? 0, index.get(next) ?? 0));
      }
    }
    if (lowLink.get(id) === index.get(id)) {
      const component: string[] = [];
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        onStack.delete(member);
        component.push(member);
        if (member === id) break;
      }
      components.push(component);
    }
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return components;
}

/** The shortest path from `start` back to itself (breadth first), written out with `start` at both ends. */
function shortestCycle(start: string, successors: (id: string) => string[]): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] ?? '';
    for (const next of successors(id)) {
      if (next === start) {
        const path = [id];
        for (let back = previous.get(id); back !== undefined; back = previous.get(back)) path.unshift(back);
        return id === start ? [start, start] : [...path, start];
      }
      if (!previous.has(next) && next !== start) {
        previous.set(next, id);
        queue.push(next);
      }
    }
  }
  return [start];
}

/** Subflow calls that lead back to this flow, directly or through other flows' subflows. */
function recursionProblems(flow: Flow, options: FlowValidationOptions): FlowProblem[] {
  const graph = new Map<string, readonly string[]>(Object.entries(options.subflowsByFlow ?? {}));
  graph.set(flow.id, subflowTargets(flow));
  return nodeEntries(flow).flatMap(([id, node]) =>
    nodeFlows(node)
      .filter((ref) => ref.isSubflow)
      .flatMap((ref) => {
        const chain = pathBetween(ref.flow, flow.id, (f) => graph.get(f) ?? []);
        if (chain === null) return [];
        return [
          problem(
            'IVR_SUBFLOW_RECURSION',
            ['nodes', id, ...ref.path],
            chain.length === 1
              ? `flow '${flow.id}' calls itself as a subflow`
              : `calling '${ref.flow}' leads back to this flow: ${[flow.id, ...chain].join(' → ')}`,
          ),
        ];
      }),
  );
}

function pathBetween(
  from: string,
  to: string,
  successors: (id: string) => readonly string[],
): string[] | null {
  const previous = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] ?? '';
    if (id === to) {
      const path: string[] = [];
      for (let at: string | null | undefined = id; at !== null && at !== undefined; at = previous.get(at))
        path.unshift(at);
      return path;
    }
    for (const next of successors(id)) {
      if (!previous.has(next)) {
        previous.set(next, id);
        queue.push(next);
      }
    }
  }
  return null;
}
