import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cliPath = fileURLToPath(new URL('./main.ts', import.meta.url));
const example = fileURLToPath(new URL('../../../tools/sim/scenarios/example-day.yaml', import.meta.url));

async function centralita(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('centralita simulate', () => {
  it('simulates the shipped example day and prints a report a newcomer can read', async () => {
    const result = await centralita('simulate', example, '--agents', '5');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Scenario: Example day/m);
    expect(result.stdout).toMatch(/^Queues$/m);
    expect(result.stdout).toMatch(/^sales\s+\d+\s+\d+/m);
    expect(result.stdout).toMatch(/Agents \(\d+ worked, busiest 5 shown\)/);
    expect(result.stderr).toMatch(/100 %/);
  });

  it('is deterministic for a seed and changes with another seed', async () => {
    const first = await centralita('simulate', example, '--json', '--seed', '7');
    const again = await centralita('simulate', example, '--json', '--seed', '7');
    const other = await centralita('simulate', example, '--json', '--seed', '8');
    const strip = (text: string) => {
      const report = JSON.parse(text) as { wallClockMs?: number; queues: unknown };
      return report.queues;
    };
    expect(strip(first.stdout)).toEqual(strip(again.stdout));
    expect(strip(first.stdout)).not.toEqual(strip(other.stdout));
  });

  it('names every problem of an invalid scenario by its path', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'centralita-sim-'));
    const file = path.join(dir, 'broken.yaml');
    await writeFile(
      file,
      'name: Broken\nseed: 1\ndurationHours: -2\nrouting:\n  queues: []\nagentGroups: []\ntraffic: {}\n',
    );
    const result = await centralita('simulate', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a valid scenario');
    expect(result.stderr).toMatch(/durationHours/);
    const missing = await centralita('simulate', path.join(dir, 'nope.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read .*nope\.yaml/);
  });
});
