import type { Command } from 'commander';
import type { Console } from './cli-context.ts';

/** `centralita simulate <scenario.yaml>` (added with the ACD simulator). */
export function registerSimulateCommand(_program: Command, _console: Console): void {
  // Filled in by the ACD work.
}
