import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { agentPhoneScenario, dtmfPcap, toneG711, tonePcap, toneSharesByChannel } from '@centralita/testkit';
import {
  benchWorkspace,
  cpuMs,
  threadCpuMs,
  threadCpuPerCall,
  freePort,
  median,
  option,
  percentile,
  requireTool,
  spawnLogged,
  startServerUnderTest,
} from '../server-under-test.ts';

/**
 * `npm run bench -- inbound [--rates=2,4,8] [--seconds=20] [--talk=20] [--agents=185] [--repeats=1] [--voice=stream]`
 *
 * Complete inbound calls through the whole server, as issue #7 describes: a short IVR prompt and one RFC 4733
 * digit → queue → a registered agent phone answers → `--talk` seconds of two-way G.711 audio → hangup, with
 * recording on. The server (`centralita start`, its own process, on a fresh database with the demo tenant) is
 * pinned to core 0 with taskset; SIPp plays the customers and the agents' phones (one SIPp answering for every
 * agent, echoing their audio back) on core 1. Each rate runs for `--seconds` of arrivals and is measured until
 * its last call ends. The customer's voice (a 440 Hz tone) is streamed by SIPp from the call's media socket
 * (`rtp_stream`); `--voice=pcap` replays it from a pcap instead, as earlier versions did: SIPp then holds a raw
 * UDP socket per call, the kernel offers every datagram to each, and the scan (charged to the sender, here the
 * server's media thread) added about 15 ms of system time per call at 160 calls.
 *
 * Figures per rate: calls completed and failed (SIPp's counts; a call also fails if it never rang an agent, or if
 * its recording lacks the customer's tone on the left channel or the phone's echo of it on the right, which is
 * how the bench knows the audio went both ways through the server), the server's CPU time per call (utime + stime
 * of the server process from /proc, all threads; PostgreSQL is another process and not counted), the p99 time
 * from the caller entering the queue (`ContactQueued`) to the INVITE reaching the agent's phone (SIPp's
 * message log, matched by `X-Centralita-Interaction-Id`), and the concurrent calls reached. `--repeats=n` runs
 * each rate n times on the same server, one after another; the summary then takes, per rate, the median of
 * the runs' CPU per call and p99 (`runs` keeps each run's figures), and a rate is clean only if no run failed
 * a call. `cps` is the highest clean rate. The reference (Asterisk 20 with app_queue and MixMonitor: about 150 ms of
 * CPU per call and 4 calls per second without failures, measured on this kind of machine with the same flow)
 * is a figure from the issue, not measured here: Asterisk is not a Debian package of this distribution.
 */

/** The customer's "voice": a steady tone, echoed back by the agent's phone. */
const VOICE_TONE_HZ = 440;
/** A call has two-way audio when the tone fills more than this share of each recorded channel's frames (the talk
 * is most of a recording; the IVR and the queue come before it). */
const TWO_WAY_TONE_SHARE = 0.5;

/** How many different numbers the bench's customers call from (see callers.csv). */
const callerPool = 100;

interface RateFigures {
  readonly rate: number;
  /** Which of the `--repeats` runs at this rate (1 when not repeated). */
  readonly round: number;
  readonly calls: number;
  readonly succeeded: number;
  /** Calls whose INVITE reached an agent's phone: SIPp's customer counts a call the server answered and then
   * left in silence as a success, so a call that never rang an agent is counted as failed. */
  readonly reachedAgent: number;
  /** Callers the server did not know, whose customers it created (see callers.csv). */
  readonly newCustomers: number;
  /** Calls whose recording has the customer's tone on the left channel and the phone's echo of it on the right:
   * the audio went both ways through the server for the talk. A call without it is counted as failed. */
  readonly twoWayAudio: number;
  readonly failed: number;
  readonly cpuMsPerCall: number;
  readonly p99ToAgentRingMs: number | null;
  readonly concurrentCalls: number;
}

/** How SIPp sends the customer's voice: streamed from the call's media socket, or replayed from a pcap. */
type VoiceSource = 'stream' | 'pcap';

const voiceAction = (voice: VoiceSource): string =>
  voice === 'stream' ? '<exec rtp_stream="voice.ulaw,1,0"/>' : '<exec play_pcap_audio="voice.pcap"/>';

const customerXml = (
  talkMs: number,
  voice: VoiceSource,
): string => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="bench customer">
  <send retrans="500"><![CDATA[
INVITE sip:+34910000066@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[field0]@[local_ip]>;tag=[pid]c[call_number]
To: <sip:+34910000066@[remote_ip]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:c@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=c 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
ACK sip:+34910000066@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[field0]@[local_ip]>;tag=[pid]c[call_number]
To: <sip:+34910000066@[remote_ip]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <pause milliseconds="1200"/>
  <nop><action><exec play_pcap_audio="key.pcap"/></action></nop>
  <pause milliseconds="1000"/>
  <nop><action>${voiceAction(voice)}</action></nop>
  <pause milliseconds="${String(talkMs)}"/>
  <send retrans="500"><![CDATA[
BYE sip:+34910000066@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[field0]@[local_ip]>;tag=[pid]c[call_number]
To: <sip:+34910000066@[remote_ip]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
`;

/** The median to one decimal, as the figures print; null for none. */
function medianOf(values: readonly number[]): number | null {
  const middle = median(values);
  return middle === null ? null : Math.round(middle * 10) / 10;
}

export async function run(options: {
  readonly args: readonly string[];
  readonly progress: (message: string) => void;
}): Promise<Record<string, unknown>> {
  const { args, progress } = options;
  const rates = option(args, 'rates', '2,4,8').split(',').map(Number);
  const seconds = Number(option(args, 'seconds', '20'));
  const talkS = Number(option(args, 'talk', '20'));
  const agentCount = Number(option(args, 'agents', '185'));
  const repeats = Number(option(args, 'repeats', '1'));
  const voice = option(args, 'voice', 'stream');
  if (voice !== 'stream' && voice !== 'pcap')
    throw new Error(`--voice must be stream (SIPp's rtp_stream) or pcap (play_pcap_audio) (got ${voice})`);
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20)
    throw new Error(`--repeats must be a whole number from 1 to 20 (got ${option(args, 'repeats', '1')})`);
  requireTool('sipp', 'sip-tester');
  requireTool('taskset', 'util-linux');
  requireTool('espeak-ng', 'espeak-ng');
  const cores = availableParallelism();
  const serverCore = '0';
  const trafficCore = cores > 1 ? '1' : '0';
  const space = await benchWorkspace('inbound');
  const { work, cleanups } = space;
  try {
    const server = await startServerUnderTest(space, serverCore, progress);
    const { sipPort, serverPid, db, login, call } = server;
    const agentPort = await freePort();
    // The flow: a short prompt and one key, then the queue the bench's agents serve.
    progress(`provisioning ${String(agentCount)} agents with phones, a queue, a flow and a number`);
    const adminHeaders = await login('admin@fibrasur.example');
    const queue = (await call(adminHeaders, 'POST', '/api/queues', { name: 'Bench' })) as { id: string };
    const skill = (await call(adminHeaders, 'POST', '/api/skills', { name: 'Bench' })) as { id: string };
    await call(adminHeaders, 'PATCH', `/api/queues/${queue.id}`, {
      skills: [{ skillId: skill.id, minLevel: 1 }],
    });
    const tenantId = (await db.query<{ id: string }>("SELECT id FROM tenants WHERE slug = 'demo'")).rows[0]
      ?.id;
    // Agents share the demo password hash, so each can log in and go available like a person would.
    await db.query(
      `INSERT INTO users (tenant_id, email, display_name, role, extension, password_hash, languages)
       SELECT $1, 'bench' || n || '@fibrasur.example', 'Bench ' || n, 'agent', (5000 + n)::text,
              (SELECT password_hash FROM users WHERE email = 'lucia.fernandez@fibrasur.example'), ARRAY['es']
       FROM generate_series(1, $2::int) AS n`,
      [tenantId, agentCount],
    );
    await db.query(
      `INSERT INTO user_skills (tenant_id, user_id, skill_id, level)
       SELECT tenant_id, id, $1, 5 FROM users WHERE email LIKE 'bench%@fibrasur.example'`,
      [skill.id],
    );
    // Every agent's phone is the one SIPp answering on agentPort (as a REGISTER from there would record).
    await db.query(
      `INSERT INTO sip_bindings (tenant_id, user_id, contact_uri, transport, source_address, source_port, call_id,
         cseq, user_agent, expires_at)
       SELECT tenant_id, id, 'sip:' || extension || '@127.0.0.1:' || $1::int, 'udp', '127.0.0.1', $1::int,
              'bench-' || extension, 1, 'SIPp bench phone', now() + interval '2 hours'
       FROM users WHERE email LIKE 'bench%@fibrasur.example'`,
      [agentPort],
    );

    // A queue change makes the routing rebuild its configuration with the new agents.
    await call(adminHeaders, 'PATCH', `/api/queues/${queue.id}`, { description: 'bench' });
    const emails = (await db.query<{ email: string }>("SELECT email FROM users WHERE email LIKE 'bench%'"))
      .rows;
    for (const [index, { email }] of emails.entries()) {
      const headers = await login(email);
      await call(headers, 'PUT', '/api/agents/me/presence', { presence: 'available' });
      if ((index + 1) % 25 === 0) progress(`${String(index + 1)} agents available`);
    }
    const flow = {
      id: 'bench',
      name: 'Bench',
      version: 1,
      defaultLanguage: 'es',
      languages: ['es'],
      entry: 'menu',
      nodes: {
        menu: {
          type: 'menu',
          prompt: { es: { text: 'Pulse uno.' } },
          options: { '1': { next: 'queue' } },
          retries: 1,
          timeoutMs: 5000,
          onFailure: 'queue',
        },
        queue: { type: 'queue', queue: queue.id },
      },
    };
    await call(adminHeaders, 'POST', '/api/flows', { key: 'bench', name: 'Bench', document: flow });
    await call(adminHeaders, 'POST', '/api/flows/bench/versions/1/publish', {});
    await call(adminHeaders, 'POST', '/api/dids', { number: '+34910000066', flowKey: 'bench' });

    await writeFile(join(work, 'customer.xml'), customerXml(talkS * 1000, voice));
    // Real Spanish mobile numbers, so the server identifies every caller as it does in production: the first
    // call from a number creates its customer, later ones find it and pop its history. Each SIPp run starts at
    // the top of the list, so a first run of 160 calls has about 100 new callers and 60 known ones; later runs
    // have only known ones.
    await writeFile(
      join(work, 'callers.csv'),
      [
        'SEQUENTIAL',
        ...Array.from({ length: callerPool }, (_, i) => `+346${String(10_000_000 + i * 7919)}`),
      ].join('\n') + '\n',
    );
    await writeFile(join(work, 'agent.xml'), agentPhoneScenario(0));
    await writeFile(join(work, 'key.pcap'), dtmfPcap('1', 0));
    // A soft 440 Hz tone stands in for a voice for the whole conversation. By default SIPp streams it from the
    // call's media socket (rtp_stream), not as a pcap: SIPp replays a pcap through a raw UDP socket per call,
    // which it never reads, and the kernel then offers every UDP datagram on the machine to each of those
    // sockets, charging the scan to whichever process sent the datagram: a cost of the traffic generator that
    // showed as the server's (`--voice=pcap` measures it). The key stays a pcap (a raw socket for a moment).
    const tone = { toneHz: VOICE_TONE_HZ, durationMs: talkS * 1000, law: 'pcmu' } as const;
    if (voice === 'stream') await writeFile(join(work, 'voice.ulaw'), toneG711(tone));
    else await writeFile(join(work, 'voice.pcap'), tonePcap(tone));

    progress(`agents' phones: SIPp answering on ${String(agentPort)}, core ${trafficCore}`);
    const agents = spawnLogged(
      'taskset',
      [
        '-c',
        trafficCore,
        'sipp',
        '-sf',
        'agent.xml',
        '-i',
        '127.0.0.1',
        '-p',
        String(agentPort),
        '-mi',
        '127.0.0.1',
        '-rtp_echo',
        '-trace_msg',
        '-message_file',
        'agents.log',
        '-nostdin',
      ],
      { cwd: work },
    );
    cleanups.push(async () => {
      agents.child.kill('SIGKILL');
      await agents.exited;
    });

    const runCustomers = async (rate: number, calls: number) => {
      const customers = spawnLogged(
        'taskset',
        [
          '-c',
          trafficCore,
          'sipp',
          '-sf',
          'customer.xml',
          '-inf',
          'callers.csv',
          `127.0.0.1:${String(sipPort)}`,
          '-i',
          '127.0.0.1',
          '-p',
          '0',
          '-mi',
          '127.0.0.1',
          '-mp',
          String(await freePort()),
          '-r',
          String(rate),
          '-m',
          String(calls),
          '-l',
          String(Math.max(calls, 1)),
          '-timeout',
          `${String(seconds + talkS + 60)}s`,
          '-nostdin',
          '-trace_stat',
          '-stf',
          'stats.csv',
        ],
        { cwd: work },
      );
      await customers.exited;
      const screen = customers.output();
      const succeeded = Number(/Successful call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(screen)?.[1] ?? '0');
      const failed = Number(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(screen)?.[1] ?? String(calls));
      return { succeeded, failed };
    };

    progress('warm-up call (renders the prompt once)');
    await runCustomers(1, 1);

    const results: RateFigures[] = [];
    for (const rate of rates)
      for (let round = 1; round <= repeats; round++) {
        const calls = Math.max(1, Math.round(rate * seconds));
        const of = repeats > 1 ? ` (run ${String(round)} of ${String(repeats)})` : '';
        progress(`${String(rate)} calls per second${of}: ${String(calls)} calls of ${String(talkS)} s`);
        const since = new Date();
        const cpuBefore = await cpuMs(serverPid);
        const threadsBefore = await threadCpuMs(serverPid);
        const outcome = await runCustomers(rate, calls);
        const cpuAfter = await cpuMs(serverPid);
        const threadsAfter = await threadCpuMs(serverPid);
        // Callers the server did not know: it created their customers (the rest were found by number).
        const newCustomers = Number(
          (
            await db.query<{ count: string }>(
              `SELECT count(*) AS count FROM domain_events WHERE type = 'CustomerCreated' AND occurred_at >= $1`,
              [since],
            )
          ).rows[0]?.count ?? 0,
        );
        // Queue entry (server clock) to the INVITE at the phone (SIPp's log, same machine clock).
        const queued = new Map(
          (
            await db.query<{ id: string; at: Date }>(
              `SELECT data ->> 'contactId' AS id, occurred_at AS at FROM domain_events
             WHERE type = 'ContactQueued' AND occurred_at >= $1`,
              [since],
            )
          ).rows.map((row) => [row.id, row.at.getTime()]),
        );
        const log = await readFile(join(work, 'agents.log'), 'utf8').catch(() => '');
        // The first INVITE per interaction: a retransmission (SIPp logs those too) is not a later ring.
        const ringing = new Map<string, number>();
        for (const match of log.matchAll(
          /-{20,} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})\d*\nUDP message received[^\n]*\n\s*INVITE [^]*?X-Centralita-Interaction-Id: ([0-9a-f-]{36})/g,
        )) {
          // SIPp writes the machine's local time; parsed without a zone, JavaScript reads it as local time too.
          const at = Date.parse(`${match[1] ?? ''}T${match[2] ?? ''}`);
          const id = match[3] ?? '';
          const queuedAt = queued.get(id);
          if (queuedAt !== undefined && Number.isFinite(at) && !ringing.has(id))
            ringing.set(id, at - queuedAt);
        }
        const delays = [...ringing.values()];
        // The most calls up at once: +1 at each start, -1 at each end, running sum.
        const concurrent = (
          await db.query<{ peak: number | null }>(
            `SELECT max(running)::int AS peak FROM (
             SELECT sum(delta) OVER (ORDER BY t, delta) AS running FROM (
               SELECT started_at AS t, 1 AS delta FROM interactions WHERE started_at >= $1 AND direction = 'inbound'
               UNION ALL
               SELECT ended_at, -1 FROM interactions WHERE started_at >= $1 AND direction = 'inbound' AND ended_at IS NOT NULL
             ) e) r`,
            [since],
          )
        ).rows[0]?.peak;
        // The audio went both ways: the customer's tone on the recording's left channel, and the agent's
        // phone's echo of it (relayed back by the server) on the right, for a good part of the call.
        const recordings = (
          await db.query<{ path: string | null }>(
            `SELECT recording_ref AS path FROM interactions WHERE started_at >= $1 AND direction = 'inbound'`,
            [since],
          )
        ).rows;
        const twoWayAudio = recordings.filter(({ path }) => {
          if (path === null) return false;
          const [customer = 0, agent = 0] = toneSharesByChannel(path, VOICE_TONE_HZ);
          return customer > TWO_WAY_TONE_SHARE && agent > TWO_WAY_TONE_SHARE;
        }).length;
        const completed = Math.max(1, outcome.succeeded + outcome.failed);
        // Where a call's CPU goes, per thread (user + system ms per call): the media thread, the main thread...
        const split = threadCpuPerCall(threadsBefore, threadsAfter, completed)
          .filter(({ userMs, systemMs }) => userMs + systemMs >= 0.5)
          .map(({ name, userMs, systemMs }) => `${name} ${userMs.toFixed(1)}+${systemMs.toFixed(1)}`);
        progress(`CPU per call by thread (user+system ms): ${split.join(', ')}`);
        const succeeded = Math.min(outcome.succeeded, delays.length, twoWayAudio);
        results.push({
          rate,
          round,
          calls,
          succeeded,
          reachedAgent: delays.length,
          twoWayAudio,
          failed: outcome.failed + Math.max(0, outcome.succeeded - succeeded),
          cpuMsPerCall: Math.round(((cpuAfter - cpuBefore) / completed) * 10) / 10,
          p99ToAgentRingMs: percentile(delays, 99),
          concurrentCalls: concurrent ?? 0,
          newCustomers,
        });
        progress(JSON.stringify(results.at(-1)));
      }
    // Per rate, the median of its runs (a shared machine moves single runs by several ms per call either
    // way); a rate is clean only when none of its runs failed a call.
    const perRate = rates.map((rate) => {
      const runs = results.filter((r) => r.rate === rate);
      const rings = runs.flatMap((r) => (r.p99ToAgentRingMs === null ? [] : [r.p99ToAgentRingMs]));
      return {
        rate,
        failed: runs.reduce((sum, r) => sum + r.failed, 0),
        cpuMsPerCall: medianOf(runs.map((r) => r.cpuMsPerCall)),
        p99ToAgentRingMs: medianOf(rings),
      };
    });
    const clean = perRate.filter((r) => r.failed === 0);
    const best = clean.at(-1) ?? perRate.at(-1);
    if (repeats > 1)
      for (const r of perRate)
        progress(
          `${String(r.rate)} calls per second, median of ${String(repeats)} runs: ${String(r.cpuMsPerCall)} ms of CPU per call, ` +
            `p99 to agent ring ${String(r.p99ToAgentRingMs)} ms, ${String(r.failed)} failed calls`,
        );
    return {
      cps: clean.length === 0 ? 0 : Math.max(...clean.map((r) => r.rate)),
      cpu_ms_per_call: best?.cpuMsPerCall ?? null,
      p99_to_agent_ring_ms: best?.p99ToAgentRingMs ?? null,
      concurrent_calls: Math.max(...results.map((r) => r.concurrentCalls)),
      asterisk_reference_cpu_ms_per_call: 150,
      ratio:
        best === undefined || best.cpuMsPerCall === null || best.cpuMsPerCall === 0
          ? null
          : Math.round((150 / best.cpuMsPerCall) * 100) / 100,
      runs: results,
    };
  } finally {
    await space.dispose();
  }
}
