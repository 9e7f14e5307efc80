import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDatabase, dropDatabase, startEmbeddedDatabase, withDatabaseName } from '@centralita/store';

// The whole Centralita as the system under test of the call benchmarks: its own database (DATABASE_URL's
// server or an embedded PostgreSQL), `centralita start` in a process of its own pinned to one core, and the
// helpers the benchmarks share.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export function option(args: readonly string[], name: string, fallback: string): string {
  const found = args.find((arg) => arg.startsWith(`--${name}=`));
  return found === undefined ? fallback : found.slice(name.length + 3);
}

export function requireTool(command: string, debianPackage: string): void {
  try {
    execFileSync('which', [command], { stdio: 'ignore' });
  } catch {
    throw new Error(`${command} is not installed: install the Debian package ${debianPackage}`);
  }
}

export async function freePort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  socket.close();
  return port;
}

/** CPU time (ms) the process has used, all threads: utime + stime from /proc/<pid>/stat. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

/**
 * CPU time (ms, user and system) per thread of a process, summed by thread name (`/proc/<pid>/task/<tid>/comm`:
 * the main thread carries the program's name, workers theirs, libuv's pool `libuv-worker`, V8's helpers
 * `V8Worker`...). Threads that ended meanwhile are missing, so compare names, not totals.
 */
export async function threadCpuMs(pid: number): Promise<Map<string, { userMs: number; systemMs: number }>> {
  const byName = new Map<string, { userMs: number; systemMs: number }>();
  const tasks = await readdir(`/proc/${String(pid)}/task`).catch(() => [] as string[]);
  for (const tid of tasks) {
    const [stat, comm] = await Promise.all([
      readFile(`/proc/${String(pid)}/task/${tid}/stat`, 'utf8').catch(() => ''),
      readFile(`/proc/${String(pid)}/task/${tid}/comm`, 'utf8').catch(() => ''),
    ]);
    if (stat === '') continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const name = tid === String(pid) ? 'main' : comm.trim();
    const entry = byName.get(name) ?? { userMs: 0, systemMs: 0 };
    entry.userMs += (Number(fields[11]) * 1000) / 100;
    entry.systemMs += (Number(fields[12]) * 1000) / 100;
    byName.set(name, entry);
  }
  return byName;
}

/**
 * Each thread's CPU per call (user and system ms) between two `threadCpuMs` readings of the same process:
 * where a benchmark's calls spent the server's CPU (main thread, media workers, V8's helpers, libuv's pool).
 */
export function threadCpuPerCall(
  before: ReadonlyMap<string, { userMs: number; systemMs: number }>,
  after: ReadonlyMap<string, { userMs: number; systemMs: number }>,
  calls: number,
): { name: string; userMs: number; systemMs: number }[] {
  return [...after].map(([name, at]) => {
    const from = before.get(name) ?? { userMs: 0, systemMs: 0 };
    return {
      name,
      userMs: (at.userMs - from.userMs) / calls,
      systemMs: (at.systemMs - from.systemMs) / calls,
    };
  });
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[half] ?? 0) : ((sorted[half - 1] ?? 0) + (sorted[half] ?? 0)) / 2;
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

export function spawnLogged(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv },
) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // BENCH_OUTPUT_DIR=<dir>: each spawned program's output is also written there, whole (<command>-<pid>.log).
  const copyDir = process.env['BENCH_OUTPUT_DIR'];
  const copy =
    copyDir === undefined || copyDir === ''
      ? undefined
      : createWriteStream(join(copyDir, `${basename(command)}-${String(child.pid)}.log`));
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    copy?.write(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('close', () => copy?.end());
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
    }),
  );
  return { child, exited, output: () => output };
}

/** A work directory and the clean-ups to run at the end, last registered first. */
export interface BenchWorkspace {
  readonly work: string;
  readonly cleanups: (() => Promise<unknown>)[];
  dispose(): Promise<void>;
}

/**
 * A directory for the recordings of a benchmark's server, removed at the end. It is under the checkout's `data/`,
 * where a default install keeps them (`CENTRALITA_DATA_DIR`), not in /tmp: on this project's machines creating a
 * file in /tmp costs some 600 to 750 µs of CPU against about 20 µs elsewhere on the same disk (docs/operations.md),
 * which would have been charged to every call.
 */
export async function recordingDirectory(
  name: string,
): Promise<{ path: string; remove: () => Promise<void> }> {
  await mkdir(join(repoRoot, 'data'), { recursive: true });
  const path = await mkdtemp(join(repoRoot, 'data', `bench-${name}-recordings-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function benchWorkspace(name: string): Promise<BenchWorkspace> {
  const work = await mkdtemp(join(tmpdir(), `centralita-bench-${name}-`));
  // The embedded PostgreSQL runs as its own user when we are root: it must be able to enter the directory.
  await chmod(work, 0o755);
  const cleanups: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
  return {
    work,
    cleanups,
    dispose: async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    },
  };
}

/** The running server: its addresses, its process, its database, and API helpers. */
export interface ServerUnderTest {
  readonly base: string;
  readonly sipPort: number;
  readonly serverPid: number;
  readonly db: pg.Client;
  readonly login: (email: string) => Promise<Record<string, string>>;
  readonly call: (
    headers: Record<string, string>,
    method: string,
    path: string,
    body?: unknown,
  ) => Promise<unknown>;
}

/** Starts Centralita on `core` with the demo tenant on a fresh database; stops it at the workspace's end. */
export async function startServerUnderTest(
  space: BenchWorkspace,
  core: string,
  progress: (message: string) => void,
): Promise<ServerUnderTest> {
  const { work, cleanups } = space;
  const serverCore = core;
  // A database of its own: on DATABASE_URL's server, or an embedded PostgreSQL.
  let adminUrl = process.env['DATABASE_URL'];
  if (adminUrl === undefined || adminUrl === '') {
    progress('starting an embedded PostgreSQL (set DATABASE_URL to use a server)');
    const embedded = await startEmbeddedDatabase({
      dataDir: join(work, 'pg'),
      port: await freePort(),
      isEphemeral: true,
    });
    cleanups.push(() => embedded.stop());
    adminUrl = embedded.adminUrl;
  }
  const databaseName = `centralita_bench_${Date.now().toString(36)}`;
  await createDatabase(adminUrl, databaseName);
  const admin = adminUrl;
  cleanups.push(() => dropDatabase(admin, databaseName));
  const databaseUrl = withDatabaseName(adminUrl, databaseName);

  const recordings = await recordingDirectory('server');
  cleanups.push(recordings.remove);
  const [httpPort, sipPort] = [await freePort(), await freePort()];
  progress(`starting the server on core ${serverCore} (HTTP ${String(httpPort)}, SIP ${String(sipPort)})`);
  const server = spawnLogged(
    'taskset',
    [
      '-c',
      serverCore,
      process.execPath,
      // Extra Node options for the server only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
      ...(process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== ''),
      join(repoRoot, 'apps/cli/src/main.ts'),
      'start',
    ],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: String(httpPort),
        HOST: '127.0.0.1',
        CENTRALITA_SIP_HOST: '127.0.0.1',
        CENTRALITA_SIP_UDP_PORT: String(sipPort),
        CENTRALITA_SIP_TCP_PORT: String(await freePort()),
        CENTRALITA_SIP_DOMAIN: 'bench.test',
        CENTRALITA_RECORDING_DIR: recordings.path,
        CENTRALITA_PROMPT_CACHE_DIR: join(work, 'prompts'),
        CENTRALITA_PRERENDER_PROMPTS: 'false',
        LOG_LEVEL: 'warn',
      },
    },
  );
  cleanups.push(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
  });

  const base = `http://127.0.0.1:${String(httpPort)}`;
  for (let attempt = 0; ; attempt++) {
    const health = await fetch(`${base}/healthz`).catch(() => undefined);
    if (health?.ok === true) break;
    if (attempt > 600)
      throw new Error(`the server did not answer at ${base}:\n${server.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const serverPid = server.child.pid ?? 0;

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  cleanups.push(() => db.end());
  const login = async (email: string) => {
    const response = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', email, password: 'centralita-demo' }),
    });
    if (!response.ok) throw new Error(`login ${email}: ${String(response.status)}`);
    const body = (await response.json()) as { csrfToken: string };
    return {
      cookie: response.headers.getSetCookie()[0]?.split(';')[0] ?? '',
      'x-csrf-token': body.csrfToken,
      'content-type': 'application/json',
    };
  };
  const call = async (headers: Record<string, string>, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${String(response.status)} ${text}`);
    return text === '' ? null : (JSON.parse(text) as unknown);
  };

  return { base, sipPort, serverPid, db, login, call };
}
