import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { formatReport, formatScenarioError, parseScenario, runSimulation } from '@centralita/sim';
import type { Console } from './cli-context.ts';
import { CliError } from './cli-context.ts';

function wholeNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError('must be a whole number');
  return parsed;
}

/** `centralita simulate <scenario.yaml>`: a simulated day of the real routing engine on a virtual clock. */
export function registerSimulateCommand(program: Command, console: Console): void {
  program
    .command('simulate')
    .description(
      'Simulate a contact-center day with the real routing engine on a virtual clock and print service level, ASA, abandonment and occupancy per queue and agent.',
    )
    .argument('<scenario>', 'a scenario file (YAML), e.g. tools/sim/scenarios/example-day.yaml')
    .option('--seed <n>', 'override the scenario’s random seed', wholeNumber)
    .addOption(
      new Option('--router <router>', 'routing engine to drive')
        .choices(['acd', 'naive-reference'])
        .default('acd'),
    )
    .option('--agents <n>', 'agent rows to show (busiest first)', wholeNumber, 20)
    .option('--json', 'print the full report as JSON instead of tables')
    .addHelpText('after', '\nScenario format and every routing setting: docs/routing.md.')
    .action(
      async (
        file: string,
        options: { seed?: number; router: 'acd' | 'naive-reference'; agents: number; json?: boolean },
      ) => {
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch {
          throw new CliError(
            `Cannot read ${file}. Give the path of a scenario file, e.g. tools/sim/scenarios/example-day.yaml.`,
          );
        }
        const scenario = parseScenario(text);
        if (!scenario.ok) {
          throw new CliError(
            `${file} is not a valid scenario:\n${scenario.error.map((e) => `  ${formatScenarioError(e)}`).join('\n')}`,
          );
        }
        const chosen =
          options.seed === undefined ? scenario.value : { ...scenario.value, seed: options.seed };
        let lastPercent = -1;
        const result = runSimulation(chosen, {
          router: options.router,
          onProgress: (progress) => {
            const percent = Math.floor(progress.fraction * 100);
            if (percent === lastPercent) return;
            lastPercent = percent;
            const bar = '#'.repeat(Math.floor(percent / 5)).padEnd(20, '.');
            console.err(
              `[${bar}] ${String(percent).padStart(3)} %  ${(progress.simulatedMs / 3_600_000).toFixed(1)} h simulated  ${progress.contacts} contacts`,
            );
          },
        });
        if (!result.ok)
          throw new CliError(
            `The simulation could not run:\n${result.error.map((e) => `  ${e}`).join('\n')}`,
          );
        console.out(
          options.json === true
            ? JSON.stringify(result.value, null, 2)
            : formatReport(result.value, { maxAgents: options.agents }),
        );
      },
    );
}
