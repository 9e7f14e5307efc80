import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import {
  flowSuiteCaseSchema,
  formatTranscript,
  isValidTimeZone,
  languageName,
  runFlowScript,
  subflowTargets,
  validateFlow,
} from '@centralita/ivr';
import type { Flow, FlowProblem, FlowValidationOptions, Prompt, TenantFallback } from '@centralita/ivr';
import type { TenantId } from '@centralita/kernel';
import { PromptCache, prerenderFlowPrompts } from '@centralita/prompt-cache';
import { readConfig } from '@centralita/server';
import { flows, tenants } from '@centralita/store';
import type { Database, Tx } from '@centralita/store';
import type { Console } from './cli-context.ts';
import { CliError, withDatabase } from './cli-context.ts';

/** The time zone of a flow file tested without a tenant. */
const defaultTimeZone = 'Europe/Madrid';

/** Scripted answers of the systems around a call (`--answers`), as in a flow suite case. */
const answersSchema = flowSuiteCaseSchema.pick({
  http: true,
  identities: true,
  queueFigures: true,
  queueOutcomes: true,
  transferOutcome: true,
});

interface SourceOptions {
  readonly tenant?: string;
  readonly with: readonly string[];
}

interface TestOptions extends SourceOptions {
  readonly caller?: string;
  readonly digits: string;
  readonly at?: number;
  readonly timeZone?: string;
  readonly flowVersion: string;
  readonly answers?: string;
}

/** What a flow is run with: the flow itself and the tenant around it. */
interface LoadedFlow {
  readonly flow: Flow;
  readonly publishedFlows: Readonly<Record<string, Flow>>;
  readonly timeZone: string | null;
  readonly fallback: TenantFallback | null;
}

function parseInstant(value: string): number {
  const instant = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(instant)) {
    throw new InvalidArgumentError('must be an ISO 8601 time such as 2025-06-02T10:00:00+02:00');
  }
  return instant;
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/** `1,2#` -> ['1', '2#']: one entry per time the flow collects keys; an empty entry is silence. */
function digitEntries(value: string): string[] {
  return value === '' ? [] : value.split(',').map((entry) => entry.trim());
}

function isFile(candidate: string): boolean {
  try {
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/** A JSON or YAML file (YAML is a superset of JSON, so one parser reads both and names the line of a mistake). */
async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const document = parseDocument(text, { uniqueKeys: true });
  const [mistake] = document.errors;
  if (mistake !== undefined) {
    throw new CliError(
      `${file} is not valid JSON or YAML: ${mistake.message.split('\n')[0] ?? mistake.message}`,
    );
  }
  return document.toJS({ maxAliasCount: 100 });
}

/** Every problem on its own line, by JSON path. */
function problemLines(problems: readonly FlowProblem[]): string {
  return problems
    .map((problem) => `  ${problem.field || '(document)'}: ${problem.message} [${problem.code}]`)
    .join('\n');
}

function checked(result: ReturnType<typeof validateFlow>, what: string): Flow {
  if (result.ok) return result.value;
  const count = result.error.length === 1 ? '1 problem' : `${result.error.length} problems`;
  throw new CliError(`${what} is not a valid flow (${count}):\n${problemLines(result.error)}`);
}

async function tenantContext(
  database: Database,
  slug: string,
): Promise<{ tenantId: TenantId; timeZone: string }> {
  const tenant = await database.asSystem((tx) => tenants.findTenantBySlug(tx, slug));
  if (!tenant) {
    const known = await database.asSystem((tx) => tenants.listTenants(tx));
    throw new CliError(
      `No tenant "${slug}". Known tenants: ${known.map((t) => t.slug).join(', ') || 'none (run: centralita seed demo)'}.`,
    );
  }
  return { tenantId: tenant.id as TenantId, timeZone: tenant.timeZone };
}

/** Runs `work` in the tenant's transaction, as the command line. */
async function inTenant<T>(
  console: Console,
  slug: string,
  work: (tx: Tx, timeZone: string) => Promise<T>,
): Promise<T> {
  return withDatabase(console, async (database) => {
    const tenant = await tenantContext(database, slug);
    return database.inTenant({ tenantId: tenant.tenantId, actor: { type: 'system', id: 'cli' } }, (tx) =>
      work(tx, tenant.timeZone),
    );
  });
}

/** The flow stored under `key`: its published version by default, or the draft, or a numbered version. */
async function storedFlow(tx: Tx, key: string, wanted: string): Promise<Flow> {
  const known = await flows.listFlows(tx);
  if (!known.some((flow) => flow.key === key)) {
    throw new CliError(
      `No flow file "${key}" and no flow "${key}" in the tenant. Its flows: ${known.map((f) => f.key).join(', ') || 'none'}.`,
    );
  }
  let version: flows.FlowVersion | null;
  if (/^\d+$/.test(wanted)) {
    version = await flows.getFlowVersion(tx, key, Number(wanted));
  } else if (wanted === 'draft' || wanted === 'published') {
    const detail = await flows.getFlow(tx, key);
    version = wanted === 'draft' ? detail.draft : detail.published;
  } else {
    throw new CliError(`--flow-version must be published, draft or a version number, not "${wanted}".`);
  }
  if (version === null) throw new CliError(`Flow "${key}" has no ${wanted} version.`);
  return checked(validateFlow(version.document), `Version ${version.number} of flow "${key}"`);
}

/** Other flow files given with --with, by id, for subflows and transfers to a flow. */
async function companionFlows(files: readonly string[]): Promise<Record<string, Flow>> {
  const companions: Record<string, Flow> = {};
  for (const file of files) {
    const flow = checked(validateFlow(await readDocument(file)), file);
    companions[flow.id] = flow;
  }
  return companions;
}

/**
 * The flow named on the command line: a file (checked against the tenant's queues and flows when
 * --tenant is given), or the key of a flow stored in --tenant.
 */
async function loadFlow(
  console: Console,
  source: string,
  options: SourceOptions,
  wanted: string,
): Promise<LoadedFlow> {
  const companions = await companionFlows(options.with);
  const fromFile = isFile(source);
  if (!fromFile && options.tenant === undefined) {
    throw new CliError(`No flow file "${source}". To use a flow stored in a tenant, add --tenant <slug>.`);
  }
  const document = fromFile ? await readDocument(source) : undefined;
  if (options.tenant === undefined) {
    const subflowsByFlow = Object.fromEntries(
      Object.values(companions).map((flow) => [flow.id, subflowTargets(flow)]),
    );
    const flow = checked(validateFlow(document, { subflowsByFlow }), source);
    return { flow, publishedFlows: companions, timeZone: null, fallback: null };
  }
  return inTenant(console, options.tenant, async (tx, timeZone) => {
    const published = { ...(await flows.publishedFlows(tx)), ...companions };
    let flow: Flow;
    if (document === undefined) {
      flow = await storedFlow(tx, source, wanted);
    } else {
      const tenantOptions: FlowValidationOptions = await flows.flowValidationOptions(tx);
      flow = checked(
        validateFlow(document, {
          ...tenantOptions,
          knownFlowIds: [...(tenantOptions.knownFlowIds ?? []), ...Object.keys(companions)],
        }),
        source,
      );
    }
    const fallback = flows.interpreterFallback(await flows.ivrSettings(tx));
    return { flow, publishedFlows: published, timeZone, fallback };
  });
}

async function readAnswers(file: string | undefined): Promise<ReturnType<typeof answersSchema.parse>> {
  const parsed = answersSchema.safeParse(file === undefined ? {} : await readDocument(file));
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new CliError(`${file ?? 'answers'} is not a valid set of answers:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

function summary(flow: Flow): string {
  const nodes = Object.keys(flow.nodes).length;
  return `flow '${flow.id}' version ${flow.version} is valid: ${nodes} nodes, ${flow.languages.map(languageName).join(' and ')}`;
}

/** `centralita ivr …`: run a flow without telephony, validate a flow file, pre-render its prompts. */
export function registerIvrCommands(program: Command, console: Console): void {
  const ivr = program
    .command('ivr')
    .description('IVR flows: run one without telephony, validate a flow file, pre-render its prompts.');

  ivr
    .command('test')
    .description('Run a flow with a scripted caller and print the path taken and every prompt.')
    .argument('<flow>', 'a JSON or YAML flow file, or the key of a flow stored in --tenant')
    .option('--caller <number>', 'the caller id, E.164 (withheld when left out)')
    .option('--digits <keys>', 'keys per collection, comma separated: 1,2# (an empty entry is silence)', '')
    .option('--at <time>', 'when the call starts, ISO 8601 with offset (default: now)', parseInstant)
    .option('--time-zone <zone>', `IANA time zone (default: the tenant's, else ${defaultTimeZone})`)
    .option(
      '--tenant <slug>',
      'use a flow stored in this tenant, or check a file against its queues and flows',
    )
    .option('--flow-version <version>', 'with --tenant and a key: published, draft or a number', 'published')
    .option(
      '--with <file>',
      'another flow file, published for subflows and transfers (repeatable)',
      collect,
      [],
    )
    .option(
      '--answers <file>',
      'JSON/YAML answers: http, identities, queueFigures, queueOutcomes, transferOutcome',
    )
    .addHelpText(
      'after',
      '\nExample: centralita ivr test domain/ivr/examples/demo-main-menu.json --caller +34600000000 --digits 1 --at 2025-06-02T10:00:00+02:00',
    )
    .action(async (source: string, options: TestOptions) => {
      const loaded = await loadFlow(console, source, options, options.flowVersion);
      const timeZone = options.timeZone ?? loaded.timeZone ?? defaultTimeZone;
      if (!isValidTimeZone(timeZone))
        throw new CliError(`--time-zone: "${timeZone}" is not an IANA time zone.`);
      const answers = await readAnswers(options.answers);
      const transcript = runFlowScript(loaded.flow, {
        callerId: options.caller ?? null,
        digits: digitEntries(options.digits),
        now: options.at ?? Date.now(),
        timeZone,
        http: answers.http.map((answer) =>
          'failure' in answer ? answer : { status: answer.status, body: answer.body },
        ),
        identities: answers.identities,
        queueFigures: answers.queueFigures,
        queueOutcomes: answers.queueOutcomes,
        transferOutcome: answers.transferOutcome,
        publishedFlows: loaded.publishedFlows,
        ...(loaded.fallback === null ? {} : { fallback: loaded.fallback }),
      });
      console.out(formatTranscript(transcript).trimEnd());
    });

  ivr
    .command('validate')
    .description(
      'Check a flow file as saving it would; exit 1 and list every problem by its path if it is invalid.',
    )
    .argument('<file>', 'a JSON or YAML flow file')
    .option('--tenant <slug>', "also check queues and flows against this tenant's")
    .option('--with <file>', 'another flow file the flow may name (repeatable)', collect, [])
    .action(async (file: string, options: SourceOptions) => {
      if (!isFile(file)) throw new CliError(`No flow file "${file}".`);
      const loaded = await loadFlow(console, file, options, 'published');
      console.out(`${file}: ${summary(loaded.flow)}.`);
    });

  ivr
    .command('prompts')
    .description('Render the text-to-speech prompts of flows with espeak-ng into the prompt cache.')
    .argument('[flow]', "a flow file or a stored flow's key (default with --tenant: every published flow)")
    .option('--tenant <slug>', "the tenant's flows and its fallback message")
    .option('--cache-dir <dir>', 'the prompt cache (default: <CENTRALITA_DATA_DIR>/prompts)')
    .option('--with <file>', 'another flow file to render too (repeatable)', collect, [])
    .action(async (source: string | undefined, options: SourceOptions & { cacheDir?: string }) => {
      const directory =
        options.cacheDir ?? path.join(readConfig(process.env, process.cwd()).dataDir, 'prompts');
      const targets: Flow[] = [];
      const extraPrompts: Prompt[] = [];
      if (source !== undefined) {
        const loaded = await loadFlow(console, source, options, 'published');
        targets.push(loaded.flow, ...Object.values(await companionFlows(options.with)));
        if (loaded.fallback !== null) extraPrompts.push(loaded.fallback.prompt);
      } else if (options.tenant !== undefined) {
        await inTenant(console, options.tenant, async (tx) => {
          targets.push(...Object.values(await flows.publishedFlows(tx)));
          const fallback = flows.interpreterFallback(await flows.ivrSettings(tx));
          if (fallback !== null) extraPrompts.push(fallback.prompt);
        });
        targets.push(...Object.values(await companionFlows(options.with)));
      } else {
        throw new CliError(
          'Name a flow file or key, or give --tenant to render every published flow of a tenant.',
        );
      }
      const report = await prerenderFlowPrompts(new PromptCache({ directory }), targets, { extraPrompts });
      console.out(
        `Prompts in ${directory}: ${report.rendered} rendered, ${report.cached} already cached, ` +
          `${report.dynamic} with placeholders left for the first call, ${report.recorded} recorded files.`,
      );
      if (report.failures.length > 0) {
        const reasons = [...new Set(report.failures.map((failure) => failure.error.message))];
        throw new CliError(
          `${report.failures.length} prompt(s) could not be rendered:\n  ${reasons.join('\n  ')}`,
        );
      }
    });
}
