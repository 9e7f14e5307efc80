#!/usr/bin/env node
import { readdir } from 'node:fs/promises';

/**
 * `npm run bench -- NAME`: runs tools/bench/src/benchmarks/NAME.ts. A benchmark prints its progress to stderr
 * and ends with exactly one JSON line of its figures on stdout, including the ratio against the reference it
 * measures in the same run (machines are shared and noisy: compare ratios, not absolute times).
 */
interface BenchmarkModule {
  run(options: {
    readonly args: readonly string[];
    readonly progress: (message: string) => void;
  }): Promise<Record<string, unknown>>;
}

const benchmarksDir = new URL('./benchmarks/', import.meta.url);
const available = (await readdir(benchmarksDir))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (name === undefined || !available.includes(name)) {
  process.stderr.write(
    `usage: npm run bench -- NAME [options]\nbenchmarks: ${available.join(', ') || '(none yet)'}\n`,
  );
  process.exit(name === undefined ? 0 : 2);
}
const benchmark = (await import(new URL(`${name}.ts`, benchmarksDir).href)) as BenchmarkModule;
const started = Date.now();
const figures = await benchmark.run({
  args,
  progress: (message) => {
    process.stderr.write(`[${name} ${((Date.now() - started) / 1000).toFixed(1)} s] ${message}\n`);
  },
});
process.stdout.write(`${JSON.stringify({ bench: name, ...figures })}\n`);
process.exit(0);
