import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Flow } from './flow.ts';
import { flowSuiteSchema, runFlowSuite } from './flow-suite.ts';
import { formatTranscript } from './transcript-format.ts';
import { subflowTargets, validateFlow } from './validate-flow.ts';

const examples = new URL('../examples/', import.meta.url);
const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(name, examples), 'utf8'));
const suiteFiles = readdirSync(examples).filter((name) => name.endsWith('.suite.json'));

describe.each(suiteFiles)('example %s', (suiteFile) => {
  const suite = flowSuiteSchema.parse(readJson(suiteFile));
  const documents = [suite.flow, ...suite.publishedFlows].map((file) => ({ file, document: readJson(file) }));
  const flowIds = documents.map(({ document }) => (document as { id: string }).id);

  const parsed = documents.map(({ file, document }) => {
    const others = documents.filter((other) => other.file !== file);
    const subflowsByFlow: Record<string, string[]> = {};
    for (const other of others) {
      const result = validateFlow(other.document);
      if (result.ok) subflowsByFlow[result.value.id] = subflowTargets(result.value);
    }
    return {
      file,
      result: validateFlow(document, {
        knownQueueIds: suite.knownQueueIds,
        knownFlowIds: flowIds,
        subflowsByFlow,
      }),
    };
  });

  it.each(parsed.map((p) => [p.file, p.result] as const))('%s passes validation', (_file, result) => {
    expect(result.ok ? [] : result.error).toEqual([]);
  });

  const flows = parsed.flatMap((p) => (p.result.ok ? [p.result.value] : []));
  const [flow] = flows;
  const published: Record<string, Flow> = Object.fromEntries(flows.map((f) => [f.id, f]));
  const results = flow === undefined ? [] : runFlowSuite(suite, flow, published);

  it.each(results.map((r) => [r.name, r] as const))('%s', (_name, result) => {
    expect(result.failures, formatTranscript(result.transcript)).toEqual([]);
  });
});
