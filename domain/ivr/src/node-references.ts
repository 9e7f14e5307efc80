import type { Condition } from './condition.ts';
import { conditionParts } from './condition.ts';
import type { FlowNode } from './flow-node.ts';
import type { Prompt } from './prompt.ts';

/** A JSON path relative to a node, e.g. `['options', '3', 'next']`. */
export type NodePath = readonly (string | number)[];

/** A reference from a node to another node of the same flow. */
export interface NodeLink {
  readonly path: NodePath;
  readonly target: string;
}

/** Every node a node can continue to, with where the reference is written. */
export function nodeLinks(node: FlowNode): NodeLink[] {
  switch (node.type) {
    case 'play':
    case 'set':
    case 'language':
    case 'goto':
    case 'subflow':
    case 'voicemail':
    case 'survey':
      return [{ path: ['next'], target: node.next }];
    case 'menu':
      return [
        ...Object.entries(node.options).map(([key, option]) => ({
          path: ['options', key, 'next'],
          target: option.next,
        })),
        { path: ['onFailure'], target: node.onFailure },
      ];
    case 'gather':
    case 'http':
      return [
        { path: ['next'], target: node.next },
        { path: ['onFailure'], target: node.onFailure },
      ];
    case 'condition':
      return [
        ...node.branches.map((branch, i) => ({ path: ['branches', i, 'next'], target: branch.next })),
        { path: ['otherwise'], target: node.otherwise },
      ];
    case 'identify':
      return [
        { path: ['next'], target: node.next },
        { path: ['onNotFound'], target: node.onNotFound },
      ];
    case 'queue':
      return node.overflow === undefined ? [] : [{ path: ['overflow', 'next'], target: node.overflow.next }];
    case 'callback':
      return [
        { path: ['next'], target: node.next },
        { path: ['onDecline'], target: node.onDecline },
      ];
    case 'transfer':
      return node.onFailure === undefined ? [] : [{ path: ['onFailure'], target: node.onFailure }];
    case 'hangup':
    case 'return':
      return [];
  }
}

/** Every prompt a node may play, with where it is written. */
export function nodePrompts(node: FlowNode): Array<{ readonly path: NodePath; readonly prompt: Prompt }> {
  const optional = (path: NodePath, prompt: Prompt | undefined) =>
    prompt === undefined ? [] : [{ path, prompt }];
  switch (node.type) {
    case 'play':
    case 'voicemail':
      return [{ path: ['prompt'], prompt: node.prompt }];
    case 'menu':
    case 'gather':
      return [
        { path: ['prompt'], prompt: node.prompt },
        ...optional(['invalidPrompt'], node.invalidPrompt),
        ...optional(['timeoutPrompt'], node.timeoutPrompt),
      ];
    case 'queue':
      return node.announcements.map((a, i) => ({ path: ['announcements', i, 'prompt'], prompt: a.prompt }));
    case 'callback':
      return [
        { path: ['offerPrompt'], prompt: node.offerPrompt },
        { path: ['confirmPrompt'], prompt: node.confirmPrompt },
        { path: ['numberPrompt'], prompt: node.numberPrompt },
        ...optional(['invalidPrompt'], node.invalidPrompt),
      ];
    case 'survey':
      return [
        ...node.questions.map((q, i) => ({ path: ['questions', i, 'prompt'], prompt: q.prompt })),
        ...optional(['invalidPrompt'], node.invalidPrompt),
      ];
    case 'transfer':
    case 'hangup':
      return optional(['prompt'], node.prompt);
    case 'condition':
    case 'set':
    case 'identify':
    case 'http':
    case 'language':
    case 'goto':
    case 'subflow':
    case 'return':
      return [];
  }
}

/** The conditions of a condition node, every sub-condition included, with paths. */
export function nodeConditions(
  node: FlowNode,
): Array<{ readonly path: NodePath; readonly condition: Condition }> {
  if (node.type !== 'condition') return [];
  return node.branches.flatMap((branch, i) => conditionParts(branch.when, ['branches', i, 'when']));
}

/** Every queue a node names. */
export function nodeQueues(node: FlowNode): Array<{ readonly path: NodePath; readonly queue: string }> {
  switch (node.type) {
    case 'queue':
    case 'voicemail':
    case 'callback':
      return [{ path: ['queue'], queue: node.queue }];
    case 'condition':
      return nodeConditions(node).flatMap(({ path, condition }) =>
        condition.kind === 'queueFigure' ? [{ path: [...path, 'queue'], queue: condition.queue }] : [],
      );
    case 'play':
    case 'menu':
    case 'gather':
    case 'set':
    case 'identify':
    case 'http':
    case 'transfer':
    case 'language':
    case 'survey':
    case 'hangup':
    case 'goto':
    case 'subflow':
    case 'return':
      return [];
  }
}

/** Every other flow a node names: subflows it calls, flows it transfers to. */
export function nodeFlows(
  node: FlowNode,
): Array<{ readonly path: NodePath; readonly flow: string; readonly isSubflow: boolean }> {
  if (node.type === 'subflow') return [{ path: ['flow'], flow: node.flow, isSubflow: true }];
  if (node.type === 'transfer' && node.to.kind === 'flow')
    return [{ path: ['to', 'flow'], flow: node.to.flow, isSubflow: false }];
  return [];
}

/**
 * Whether reaching the node makes the call wait for the caller (keys, a recorded message) or an agent:
 * a loop through such a node can end; a loop through none of them spins for ever. A subflow counts as
 * waiting because what it does is only known when it runs (the interpreter guards that at run time).
 */
export function waitsForCallerOrAgent(node: FlowNode): boolean {
  switch (node.type) {
    case 'menu':
    case 'gather':
    case 'callback':
    case 'survey':
    case 'voicemail':
    case 'queue':
    case 'subflow':
      return true;
    case 'play':
    case 'condition':
    case 'set':
    case 'identify':
    case 'http':
    case 'transfer':
    case 'language':
    case 'hangup':
    case 'goto':
    case 'return':
      return false;
  }
}
