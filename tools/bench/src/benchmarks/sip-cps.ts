import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  benchWorkspace,
  cpuMs,
  freePort,
  median,
  option,
  percentile,
  requireTool,
  spawnLogged,
  startServerUnderTest,
  threadCpuMs,
  threadCpuPerCall,
} from '../server-under-test.ts';

/**
 * `npm run bench -- sip-cps [--rates=100,200,300] [--seconds=10] [--hold=1] [--repeats=1]`
 *
 * Calls with no audio, INVITE / 200 / ACK / BYE, from SIPp (UAC) through the system under test to SIPp (UAS),
 * at fixed rates. The system under test is pinned to core 0, both SIPps to core 1:
 * - **Centralita**: a number whose flow transfers at once to an external number, so each call is the B2BUA's two
 *   dialogs (the caller's, answered by Centralita; the one through the outbound trunk to the UAS), with media
 *   legs anchored (no packets flow), the interaction and its events stored.
 * - **Kamailio** (Debian package `kamailio`), as the reference: a plain stateful proxy that record-routes and
 *   relays to the UAS. It does strictly less work than a B2BUA, so it is the upper bound.
 *
 * Figures per system and rate: calls; failures for the caller (SIPp UAC's counts) and at the far end (SIPp UAS's:
 * a call that never reached it, or was cancelled there because it reached it after the caller hung up); CPU per
 * call (utime + stime of every process of the system from /proc; PostgreSQL, Centralita's database, is another
 * process and not counted, but shown apart: every PostgreSQL process's CPU per call during Centralita's runs);
 * p99 setup time (INVITE to 200, SIPp's response-time log). `max_cps` is Centralita's highest rate with under
 * 0.1 % of calls failed at either end; `ratio` is Kamailio's CPU per call ÷ ours at that rate (higher is better).
 * On two cores SIPp itself can be the limit: when Kamailio fails calls too, the rate was SIPp's.
 *
 * Both systems stay up, and each rate is measured on Kamailio and then on Centralita, back to back, `--repeats`
 * times: the machine's noise moves Kamailio's figure by a third from one minute to the next, so the two are
 * measured in the same minutes and each figure is the median of its repeats.
 */

interface RateFigures {
  readonly system: 'centralita' | 'kamailio';
  readonly rate: number;
  readonly calls: number;
  /** Calls that failed for the caller (SIPp UAC's count). */
  readonly failed: number;
  /**
   * Calls that never reached the far end or ended there otherwise than INVITE, ACK, BYE (SIPp UAS's counts): a B2BUA
   * that answers the caller at once and reaches the far end too late (after the caller hung up, so it CANCELs)
   * fails here while the caller sees nothing wrong.
   */
  readonly farEndFailed: number;
  readonly cpuUsPerCall: number;
  /**
   * CPU per call of every PostgreSQL process on this machine (Centralita's runs only): not part of `cpuUsPerCall`,
   * but on two cores it shares them with SIPp and the server, and at high rates it is what runs out.
   */
  readonly databaseCpuUsPerCall: number | null;
  readonly p99SetupMs: number | null;
  /** Calls per second SIPp actually placed: its calls over the run, less the last call's hold. */
  readonly achievedCps: number;
}

const kamailioConfig = (port: number, uasPort: number): string => `#!KAMAILIO
debug=0
log_stderror=yes
fork=yes
children=2
listen=udp:127.0.0.1:${String(port)}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
    if (has_totag()) {
    # SIPp's built-in UAC ignores the Record-Route: its in-dialog requests come without Route headers.
    if (!loose_route()) { $du = "sip:127.0.0.1:${String(uasPort)}"; }
    t_relay();
    exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
  record_route();
  $du = "sip:127.0.0.1:${String(uasPort)}";
  t_relay();
}
`;

/** Every process's name, parent and CPU time (user + system, ms), each from one read of its /proc/<pid>/stat. */
async function processStats(): Promise<{ pid: number; name: string; ppid: number; cpuMs: number }[]> {
  const stats: { pid: number; name: string; ppid: number; cpuMs: number }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (stat === '') continue;
    // The name is in parentheses and may hold spaces; the fields after it are: state, ppid, … utime (12th), stime.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    stats.push({
      pid: Number(entry),
      name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      ppid: Number(fields[1]),
      cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100,
    });
  }
  return stats;
}

/** CPU (ms) of a process tree (Kamailio forks its workers): the processes whose parent chain reaches `root`. */
async function treeCpuMs(root: number): Promise<number> {
  const stats = await processStats();
  const parents = new Map(stats.map((process) => [process.pid, process.ppid]));
  const isInTree = (pid: number): boolean => {
    for (
      let current: number | undefined = pid;
      current !== undefined && current > 1;
      current = parents.get(current)
    )
      if (current === root) return true;
    return false;
  };
  return stats
    .filter((process) => isInTree(process.pid))
    .reduce((total, process) => total + process.cpuMs, 0);
}

/** CPU (ms) of every PostgreSQL process on the machine, whichever database it serves (backends that ended are missing). */
async function postgresCpuMs(): Promise<number> {
  return (await processStats())
    .filter((process) => process.name === 'postgres')
    .reduce((total, process) => total + process.cpuMs, 0);
}

export async function run(options: {
  readonly args: readonly string[];
  readonly progress: (message: string) => void;
}): Promise<Record<string, unknown>> {
  const { args, progress } = options;
  const rates = option(args, 'rates', '100,200,300').split(',').map(Number);
  const seconds = Number(option(args, 'seconds', '10'));
  const holdS = Number(option(args, 'hold', '1'));
  const repeats = Math.max(1, Number(option(args, 'repeats', '1')));
  requireTool('sipp', 'sip-tester');
  requireTool('taskset', 'util-linux');
  requireTool('kamailio', 'kamailio');
  const trafficCore = availableParallelism() > 1 ? '1' : '0';
  const space = await benchWorkspace('sip-cps');
  const { work, cleanups } = space;
  try {
    const uasPort = await freePort();
    const uasStatsFile = join(work, 'uas-stats.csv');
    // The UAS's cumulative counters, from the first line it writes at or after `sinceEpochS`.
    const uasCounts = async (sinceEpochS: number): Promise<{ incoming: number; failed: number }> => {
      for (let waited = 0; ; waited += 100) {
        // Whole lines only: SIPp may be writing the last one.
        const lines = (await readFile(uasStatsFile, 'utf8').catch(() => '')).split('\n').slice(0, -1);
        const columns = (lines[0] ?? '').split(';');
        const last = lines.length > 1 ? (lines.at(-1)?.split(';') ?? []) : [];
        const column = (name: string) => last[columns.indexOf(name)] ?? '';
        // CurrentTime is "date<TAB>time<TAB>epoch seconds".
        const at = Number(column('CurrentTime').split('\t').at(-1));
        if (last.length === columns.length && Number.isFinite(at) && at >= sinceEpochS)
          return { incoming: Number(column('IncomingCall(C)')), failed: Number(column('FailedCall(C)')) };
        if (waited > 10_000) throw new Error(`SIPp UAS wrote no statistics to ${uasStatsFile}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const uas = spawnLogged(
      'taskset',
      [
        '-c',
        trafficCore,
        'sipp',
        '-sn',
        'uas',
        '-i',
        '127.0.0.1',
        '-p',
        String(uasPort),
        '-nostdin',
        // Its counters, every second: calls that arrived and calls that failed (a success is counted only after
        // its 4 s time-wait, a failure at once).
        '-trace_stat',
        '-stf',
        uasStatsFile,
        '-fd',
        '1',
      ],
      { cwd: work },
    );
    cleanups.push(async () => {
      uas.child.kill('SIGKILL');
      await uas.exited;
    });

    // One rate against one system: SIPp's own call length is the hold time; setup times from its RTT log.
    // `threadsOf`: the process whose CPU per thread is shown; `round`: the repeat, for the RTT log's name.
    const measure = async (
      system: RateFigures['system'],
      target: string,
      rate: number,
      cpuOf: () => Promise<number>,
      { threadsOf, round = 0 }: { readonly threadsOf?: number; readonly round?: number } = {},
    ): Promise<RateFigures> => {
      const calls = Math.max(1, Math.round(rate * seconds));
      const rttFile = `rtt-${system}-${String(rate)}-${String(round)}.csv`;
      const threadsBefore = threadsOf === undefined ? undefined : await threadCpuMs(threadsOf);
      const startedAt = performance.now();
      const cpuBefore = await cpuOf();
      const databaseBefore = system === 'centralita' ? await postgresCpuMs() : undefined;
      const farBefore = await uasCounts(0);
      const uac = spawnLogged(
        'taskset',
        [
          '-c',
          trafficCore,
          'sipp',
          '-sn',
          'uac',
          target,
          '-s',
          '34910000044',
          '-i',
          '127.0.0.1',
          '-p',
          '0',
          '-r',
          String(rate),
          '-m',
          String(calls),
          '-d',
          String(holdS * 1000),
          '-timeout',
          `${String(seconds + holdS + 40)}s`,
          '-nostdin',
          '-trace_rtt',
          '-rtt_freq',
          '1',
          '-mi',
          '127.0.0.1',
        ],
        { cwd: work },
      );
      await uac.exited;
      const cpuAfter = await cpuOf();
      const databaseMs = databaseBefore === undefined ? undefined : (await postgresCpuMs()) - databaseBefore;
      const elapsedS = (performance.now() - startedAt) / 1000;
      // A far end's failure shows once the system under test has handled the caller's last BYE: counters from
      // a second after the caller's end.
      const farAfter = await uasCounts(Date.now() / 1000 + 1);
      progress(
        `far end (SIPp UAS): ${String(farAfter.incoming - farBefore.incoming)} INVITEs taken as calls, ` +
          `${String(farAfter.failed - farBefore.failed)} failed`,
      );
      const farEndFailed = Math.min(
        calls,
        farAfter.failed - farBefore.failed + Math.max(0, calls - (farAfter.incoming - farBefore.incoming)),
      );
      if (threadsBefore !== undefined && threadsOf !== undefined) {
        // Where a call's CPU goes (main thread, media worker, V8's helpers, libuv's pool), and how busy the core
        // was: a run that took much longer than its calls' span had the server saturated.
        const split = threadCpuPerCall(threadsBefore, await threadCpuMs(threadsOf), calls)
          .filter(({ userMs, systemMs }) => userMs + systemMs >= 0.05)
          .map(
            ({ name, userMs, systemMs }) =>
              `${name} ${(userMs * 1000).toFixed(0)}+${(systemMs * 1000).toFixed(0)}`,
          );
        progress(
          `CPU per call by thread (user+system µs): ${split.join(', ')}; ` +
            `core busy ${(((cpuAfter - cpuBefore) / 1000 / elapsedS) * 100).toFixed(0)} % over ${elapsedS.toFixed(1)} s`,
        );
      }
      const screen = uac.output();
      const failed = Number(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(screen)?.[1] ?? String(calls));
      const rttLog = (await readdir(work)).find((name) => name.endsWith('_rtt.csv'));
      const setups: number[] = [];
      if (rttLog !== undefined) {
        const text = await readFile(join(work, rttLog), 'utf8');
        for (const line of text.split('\n').slice(1)) {
          const value = Number(line.split(';')[2]);
          if (Number.isFinite(value) && line !== '') setups.push(value);
        }
        // Keep it under a name of its own, so the next run's log is the only one SIPp's name matches.
        await rename(join(work, rttLog), join(work, rttFile));
      }
      const figures: RateFigures = {
        system,
        rate,
        calls,
        failed,
        farEndFailed,
        cpuUsPerCall: Math.round(((cpuAfter - cpuBefore) * 1000) / calls),
        databaseCpuUsPerCall: databaseMs === undefined ? null : Math.round((databaseMs * 1000) / calls),
        p99SetupMs: percentile(setups, 99),
        achievedCps: Math.round(calls / Math.max(elapsedS - holdS, 1 / rate)),
      };
      progress(JSON.stringify(figures));
      return figures;
    };

    // Kamailio starts first and stays up, idle while Centralita is measured.
    const kamailioPort = await freePort();
    await writeFile(join(work, 'kamailio.cfg'), kamailioConfig(kamailioPort, uasPort));
    const kamailio = spawnLogged(
      'taskset',
      [
        '-c',
        '0',
        'kamailio',
        '-f',
        join(work, 'kamailio.cfg'),
        '-DD',
        '-E',
        '-w',
        work,
        '-P',
        join(work, 'k.pid'),
      ],
      { cwd: work },
    );
    cleanups.push(async () => {
      kamailio.child.kill('SIGTERM');
      await kamailio.exited;
    });
    for (let waited = 0; !kamailio.output().includes('Listening on'); waited += 100) {
      if (waited > 10_000) throw new Error(`Kamailio did not start:\n${kamailio.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const kamailioPid = kamailio.child.pid ?? 0;

    const server = await startServerUnderTest(space, '0', progress);
    progress('a number whose flow transfers every call to the UAS through the trunk');
    const admin = await server.login('admin@fibrasur.example');
    const trunks = (await server.call(admin, 'GET', '/api/sip-trunks')) as { id: string }[];
    await server.call(admin, 'PATCH', `/api/sip-trunks/${trunks[0]?.id ?? ''}`, {
      outbound: { host: '127.0.0.1', port: uasPort, transport: 'udp' },
    });
    const flow = {
      id: 'bench-cps',
      name: 'Bench CPS',
      version: 1,
      defaultLanguage: 'es',
      languages: ['es'],
      entry: 'out',
      nodes: { out: { type: 'transfer', to: { kind: 'external', number: '+34900000001' } } },
    };
    await server.call(admin, 'POST', '/api/flows', { key: 'bench-cps', name: 'Bench CPS', document: flow });
    await server.call(admin, 'POST', '/api/flows/bench-cps/versions/1/publish', {});
    await server.call(admin, 'POST', '/api/dids', { number: '+34910000044', flowKey: 'bench-cps' });
    const target = `127.0.0.1:${String(server.sipPort)}`;
    // A first run warms the server up (its compiler, its caches); it is not counted.
    await measure('centralita', target, 1, () => cpuMs(server.serverPid));
    const results: RateFigures[] = [];
    for (let round = 1; round <= repeats; round++) {
      for (const rate of rates) {
        const at = `${String(rate)} calls per second (round ${String(round)} of ${String(repeats)})`;
        progress(`Kamailio at ${at}`);
        results.push(
          await measure('kamailio', `127.0.0.1:${String(kamailioPort)}`, rate, () => treeCpuMs(kamailioPid), {
            round,
          }),
        );
        progress(`Centralita at ${at}`);
        results.push(
          await measure('centralita', target, rate, () => cpuMs(server.serverPid), {
            threadsOf: server.serverPid,
            round,
          }),
        );
      }
    }

    // Per rate, the median of the repeats; a rate is sustained when no repeat failed 0.1 % of its calls.
    const byRate = rates.map((rate) => {
      const of = (system: RateFigures['system']) =>
        results.filter((r) => r.system === system && r.rate === rate);
      const [ours, theirs] = [of('centralita'), of('kamailio')];
      return {
        rate,
        cpuUsPerCall: median(ours.map((r) => r.cpuUsPerCall)),
        kamailioCpuUsPerCall: median(theirs.map((r) => r.cpuUsPerCall)),
        databaseCpuUsPerCall: median(
          ours.flatMap((r) => (r.databaseCpuUsPerCall === null ? [] : [r.databaseCpuUsPerCall])),
        ),
        p99SetupMs: median(ours.flatMap((r) => (r.p99SetupMs === null ? [] : [r.p99SetupMs]))),
        achievedCps: median(ours.map((r) => r.achievedCps)),
        isSustained: ours.every((r) => (r.failed + r.farEndFailed) / r.calls < 0.001),
      };
    });
    const best = byRate.filter((r) => r.isSustained).toSorted((a, b) => b.rate - a.rate)[0];
    const ours = best?.cpuUsPerCall ?? null;
    const theirs = best?.kamailioCpuUsPerCall ?? null;
    return {
      cpu_us_per_call: ours,
      kamailio_cpu_us_per_call: theirs,
      ratio:
        ours === null || ours === 0 || theirs === null ? null : Math.round((theirs / ours) * 1000) / 1000,
      max_cps: best?.rate ?? 0,
      // Below max_cps when SIPp, on its one core, could not place calls that fast.
      achieved_cps: best?.achievedCps ?? 0,
      p99_setup_ms: best?.p99SetupMs ?? null,
      // PostgreSQL's CPU per call at that rate, beside ours (not in the ratio).
      database_cpu_us_per_call: best?.databaseCpuUsPerCall ?? null,
      limited_by: results.some((r) => r.system === 'kamailio' && r.failed + r.farEndFailed > 0)
        ? 'sipp'
        : 'server',
      repeats,
      by_rate: byRate,
      runs: results,
    };
  } finally {
    await space.dispose();
  }
}
