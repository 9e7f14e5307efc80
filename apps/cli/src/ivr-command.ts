import type { Command } from 'commander';
import type { Console } from './cli-context.ts';

/** `centralita ivr …`: flow tools (added by the IVR work). */
export function registerIvrCommands(_program: Command, _console: Console): void {
  // Filled in by the IVR flow tester.
}
