import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MediaSocket } from '@centralita/rtp-transport';
import {
  DEFAULT_MEDIA_THREAD_NICE,
  loadNativeMediaIo,
  MediaEngine,
  NativeSocketFactory,
  unixNowMs,
} from '@centralita/rtp-transport';
import { freeUdpPort } from '@centralita/testkit';
import { median, recordingDirectory as benchRecordingDirectory } from '../server-under-test.ts';

/**
 * `npm run bench -- media [--calls=50,100,200] [--seconds=8] [--warmup=2] [--repeats=1] [--gather=µs]
 *   [--relays=engine,engine+rec]`
 *
 * Bridged G.711 calls through a media relay on loopback. The relay under test is pinned to core 0
 * (taskset) and the traffic generator to core 1; each call is two streams of 50 packets/s (PCMU,
 * 160-byte payloads), so 100 relayed packets/s per call. For each number of calls it measures the
 * relay's CPU time per relayed packet (utime + stime of the whole relay process from /proc, all
 * threads), packet loss and p99 added jitter (each packet's transit minus its stream's smallest
 * transit; a transit runs from the generator's send to the kernel's receive stamp on the generator's
 * socket, so the generator's own pauses do not count). Relays measured in the same run, on the same streams:
 * - `engine`: our MediaEngine (one media worker, the native datagram path of ADR 0009), recording off;
 * - `engine+rec`: the same with every call recorded (stereo WAV, written every second);
 * - `engine-dgram`: the engine on Node's dgram path instead (`ratio_native_to_dgram` compares them);
 * - `engine-eager`: the engine reading each datagram as it arrives instead of letting them gather for
 *   500 µs (`gatherMicros: 0`; `ratio_gather_to_eager` compares them);
 * - `node-relay`: a bare Node.js dgram relay (two sockets per call, forward as received);
 * - `rtpengine`: Debian's rtpengine, userspace forwarding (no kernel module), driven over its ng
 *   protocol, when it is installed (package rtpengine-daemon).
 * Calls per core = 1 s of CPU ÷ CPU per call-second (100 packets). `calls_per_core`,
 * `calls_per_core_recording` and `rtpengine_calls_per_core` come from the largest run with loss under
 * 0.01 % and p99 added jitter under 2 ms (null when no run met both: on a busy shared machine the jitter
 * limit fails for every relay); the `cpu_*` figures are the CPU-only figures of the largest run whatever
 * its loss and jitter. `ratio` = ours ÷ the reference in calls per core, compared level by level in the
 * same run and summarised by the median; the reference is rtpengine when it ran, else the bare Node
 * relay (`reference` says which). With --repeats=n each level is measured n times over all relays, and
 * the ratio is the median of every same-round pair: on a busy machine one pass can be off by 50 %.
 * `--relays` measures only the relays named (all by default); a figure whose relays did not run is null.
 * Every relay's media threads run at nice -10, the engine's default (`threadNice`): the engine sets it
 * itself, the bench sets it for the bare relay's thread and rtpengine's; a run where the system refused
 * (no CAP_SYS_NICE) prints the nice it ran at. Each run also says how long the relay's media threads waited,
 * runnable, while something else ran on their core (ms per second, from schedstat's run_delay): jitter no relay
 * can avoid, such as a kernel thread that does not yield; and, for the engine, the share of datagrams it read in
 * the middle of long ticks (`tickReadMicros`).
 * The run takes about (warmup + seconds + 2) s x levels x relays x repeats.
 */

/** What an engine relay reports about its media worker. */
interface EngineFigures {
  readonly workerCpuMs: number;
  readonly tickP99LatenessMs: number;
  readonly tickP99DurationMs: number;
  readonly packetsReceived: number;
  /** Null on the dgram path, which hands over each datagram alone. */
  readonly receiveBatches: number | null;
  /** Datagrams read in the middle of long ticks instead of waiting for their end. */
  readonly datagramsReadInTicks: number;
}

/** Shape of the figures one measured run yields. */
interface RunFigures {
  readonly relay: string;
  readonly calls: number;
  /** Which pass over all relays (with --repeats): runs of one round ran back to back. */
  readonly round: number;
  readonly packetsRelayed: number;
  readonly cpuMs: number;
  readonly usPerPacket: number;
  readonly lossPercent: number;
  readonly p50AddedJitterMs: number;
  readonly p99AddedJitterMs: number;
  readonly maxAddedJitterMs: number;
  readonly isWithinLimits: boolean;
  readonly callsPerCore: number;
  /** Packets the generator itself could not send (its socket buffer full): left out of loss. */
  readonly generatorSendsDropped: number;
  /** The nice value the relay's media threads ran at (RELAY_NICE unless the system refused it). */
  readonly relayNice: number | undefined;
  /** Only for our engine: the media worker thread alone, and its clock's p99 tick lateness. */
  readonly workerUsPerPacket?: number;
  readonly tickP99LatenessMs?: number;
  /** How long the clock's tick took at p99: datagrams arriving meanwhile wait for it. */
  readonly tickP99DurationMs?: number;
  /** Datagrams the engine read per wake-up (native path). */
  readonly datagramsPerWakeUp?: number;
  /** Ms per second the relay's media threads waited, runnable, while something else ran on their core. */
  readonly waitedMsPerSecond?: number;
  /** Share of the datagrams received that the engine read in the middle of a long tick (native path). */
  readonly readInTicksPercent?: number;
}

interface StreamPorts {
  readonly a: number;
  readonly b: number;
}

const ROLE_ENV = 'CENTRALITA_MEDIA_BENCH_ROLE';
const PACKET_BYTES = 12 + 160;
const PACKETS_PER_CALL_SECOND = 100;
const LOSS_LIMIT_PERCENT = 0.01;
const JITTER_LIMIT_MS = 2;
const CLOCK_TICKS_PER_SECOND = 100;

// ------------------------------------------------------------------------------------------------
// IPC between the orchestrator and its child processes

interface Request {
  readonly id: number;
  readonly op: string;
  readonly args: unknown;
}

interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** A child process (relay or generator) spoken to over the Node IPC channel. */
class Child {
  readonly process: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(role: string, core: number | undefined) {
    const self = fileURLToPath(import.meta.url);
    // BENCH_RELAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the relays (one file per thread).
    const nodeArgs =
      role === 'generator' ? [] : (process.env['BENCH_RELAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    const command = core === undefined ? process.execPath : 'taskset';
    const args =
      core === undefined ? [...nodeArgs, self] : ['-c', String(core), process.execPath, ...nodeArgs, self];
    this.process = spawn(command, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [ROLE_ENV]: role },
    });
    this.process.on('message', (message: Reply) => {
      const pending = this.pending.get(message.id);
      if (pending === undefined) return;
      this.pending.delete(message.id);
      if (message.error === undefined) pending.resolve(message.result);
      else pending.reject(new Error(message.error));
    });
    this.process.on('exit', (code) => {
      for (const pending of this.pending.values()) pending.reject(new Error(`${role} exited with ${code}`));
      this.pending.clear();
    });
  }

  call<T>(op: string, args: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.process.send({ id, op, args } satisfies Request);
    });
  }

  async close(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    await this.call('exit').catch(() => undefined);
    await exited;
  }
}

/** Serves requests in a child process until told to exit. */
function serve(handlers: Record<string, (args: never) => unknown>): void {
  process.on('message', (message: Request) => {
    void (async () => {
      if (message.op === 'exit') {
        process.send?.({ id: message.id, result: null } satisfies Reply, () => process.exit(0));
        return;
      }
      const handler = handlers[message.op];
      try {
        if (handler === undefined) throw new Error(`unknown op ${message.op}`);
        const result = await handler(message.args as never);
        process.send?.({ id: message.id, result } satisfies Reply);
      } catch (error) {
        process.send?.({
          id: message.id,
          error: error instanceof Error ? error.message : String(error),
        } satisfies Reply);
      }
    })();
  });
}

/** utime + stime of a whole process (all its threads), in ms, from /proc. */
async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

function bindUdp(port = 0): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Generator role: two "phones" per call, 50 packets/s each, send time in the payload.

interface GeneratorReport {
  readonly sent: number;
  readonly received: number;
  /** The generator's own sends refused by a full socket buffer: not counted as sent, nor as loss. */
  readonly sendsDropped: number;
  readonly lossPercent: number;
  readonly p50AddedJitterMs: number;
  readonly p99AddedJitterMs: number;
  readonly maxAddedJitterMs: number;
}

function runGenerator(): void {
  interface Stream {
    readonly socket: MediaSocket;
    targetPort: number;
    sequence: number;
    timestamp: number;
    readonly ssrc: number;
    sent: number;
    received: number;
    transits: number[];
  }
  // The phones' sockets are on the native path: each datagram comes with the kernel's receive stamp, so a
  // transit ends when the relay's packet reached the phone, however late this process reads it (its own
  // event loop and collections would otherwise count as the relay's jitter).
  const native = loadNativeMediaIo();
  if (!native.ok) throw new Error(`the generator needs the native media path: ${native.error}`);
  const sockets = new NativeSocketFactory(native.value);
  const streams: Stream[] = [];
  let isSending = false;
  let markMs = Number.POSITIVE_INFINITY;
  let stopMs = Number.POSITIVE_INFINITY;
  let sendsDropped = 0;

  const onMessage = (stream: Stream, msg: Buffer, receivedAtMs: number): void => {
    if (msg.length !== PACKET_BYTES || ((msg[1] ?? 0) & 0x7f) !== 0) return; // RTCP and strays
    const sentMs = msg.readDoubleLE(12);
    if (sentMs < markMs || sentMs >= stopMs) return;
    stream.received++;
    stream.transits.push(receivedAtMs - sentMs);
  };

  // One packet buffer: the native send is a sendto that copies it before returning.
  const packet = Buffer.alloc(PACKET_BYTES, 0xff);
  packet[0] = 0x80;
  packet[1] = 0;
  const sendNext = (stream: Stream | undefined): void => {
    if (stream === undefined || stream.targetPort === 0) return;
    packet.writeUInt16BE(stream.sequence, 2);
    packet.writeUInt32BE(stream.timestamp, 4);
    packet.writeUInt32BE(stream.ssrc, 8);
    const sendMs = unixNowMs();
    packet.writeDoubleLE(sendMs, 12);
    const droppedBefore = sockets.sendsDropped;
    stream.socket.send(packet, 0, PACKET_BYTES, stream.targetPort, '127.0.0.1');
    stream.sequence = (stream.sequence + 1) & 0xffff;
    stream.timestamp = (stream.timestamp + 160) >>> 0;
    if (sendMs < markMs || sendMs >= stopMs) return;
    // A datagram our own socket could not send is not the relay's loss.
    if (sockets.sendsDropped === droppedBefore) stream.sent++;
    else sendsDropped++;
  };

  serve({
    open: async ({ calls }: { calls: number }) => {
      const ports: StreamPorts[] = [];
      for (let c = 0; c < calls; c++) {
        const pair: number[] = [];
        for (let side = 0; side < 2; side++) {
          const bound = await sockets.bind('127.0.0.1', 0);
          if (!bound.ok) throw new Error(bound.error);
          const socket = bound.value;
          const stream: Stream = {
            socket,
            targetPort: 0,
            sequence: (c * 977 + side * 31) & 0xffff,
            timestamp: c * 1000,
            ssrc: (c << 1) | side,
            sent: 0,
            received: 0,
            transits: [],
          };
          socket.onDatagram((msg, _address, _port, receivedAtMs) => {
            onMessage(stream, msg, receivedAtMs);
          });
          streams.push(stream);
          pair.push(socket.port);
        }
        ports.push({ a: pair[0] ?? 0, b: pair[1] ?? 0 });
      }
      return ports;
    },
    start: ({ targets }: { targets: StreamPorts[] }) => {
      targets.forEach((target, c) => {
        const a = streams[2 * c];
        const b = streams[2 * c + 1];
        if (a !== undefined) a.targetPort = target.a;
        if (b !== undefined) b.targetPort = target.b;
      });
      // Like phones on their own clocks: stream i sends every 20 ms at its own phase, i/n of the period,
      // so packets arrive one by one, evenly spread, not in bursts. The generator owns its core: it
      // checks the time on every turn of its event loop (setImmediate), which still reads the packets
      // coming back between turns, and sends what is due on a drift-free schedule.
      const base = unixNowMs();
      const count = streams.length;
      let next = 0;
      isSending = true;
      const turn = (): void => {
        if (!isSending) return;
        const now = unixNowMs();
        while (base + (next * 20) / count <= now) {
          sendNext(streams[next % count]);
          next++;
        }
        setImmediate(turn);
      };
      turn();
      return null;
    },
    mark: () => {
      markMs = unixNowMs();
      return null;
    },
    stop: async (): Promise<GeneratorReport> => {
      stopMs = unixNowMs();
      // Packets in flight still count; then stop sending.
      await new Promise((resolve) => setTimeout(resolve, 300));
      isSending = false;
      let sent = 0;
      let received = 0;
      const added: number[] = [];
      for (const stream of streams) {
        sent += stream.sent;
        received += stream.received;
        let min = Number.POSITIVE_INFINITY;
        for (const t of stream.transits) if (t < min) min = t;
        for (const t of stream.transits) added.push(t - min);
      }
      added.sort((x, y) => x - y);
      const at = (q: number): number => added[Math.min(added.length - 1, Math.floor(q * added.length))] ?? 0;
      sockets.shutDown();
      return {
        sent,
        received,
        sendsDropped,
        lossPercent: sent === 0 ? 100 : (Math.max(0, sent - received) * 100) / sent,
        p50AddedJitterMs: at(0.5),
        p99AddedJitterMs: at(0.99),
        maxAddedJitterMs: added[added.length - 1] ?? 0,
      };
    },
  });
}

// ------------------------------------------------------------------------------------------------
// Relay roles: our engine, and a bare Node.js dgram relay.

function runEngineRelay(): void {
  let engine: MediaEngine | undefined;
  let recordingDirectory: Awaited<ReturnType<typeof benchRecordingDirectory>> | undefined;
  const recordings: string[] = [];
  let calls = 0;

  const statistics = async (): Promise<EngineFigures> => {
    const figures = await engine?.statistics();
    if (figures === undefined || !figures.ok) throw new Error('no engine statistics');
    const worker = figures.value[0];
    return {
      workerCpuMs: worker === undefined ? 0 : (worker.cpuUserUs + worker.cpuSystemUs) / 1000,
      tickP99LatenessMs: worker?.clock.p99LatenessMs ?? 0,
      tickP99DurationMs: worker?.clock.p99DurationMs ?? 0,
      packetsReceived: worker?.packetsReceived ?? 0,
      receiveBatches: worker?.receiveBatches ?? null,
      datagramsReadInTicks: worker?.datagramsReadInTicks ?? 0,
    };
  };

  serve({
    setup: async ({
      phones,
      isRecording,
      datagramIo,
      gatherMicros,
    }: {
      phones: StreamPorts[];
      isRecording: boolean;
      datagramIo: 'native' | 'dgram';
      gatherMicros: number | undefined;
    }) => {
      // Where a default install keeps recordings, not /tmp (see recordingDirectory).
      recordingDirectory = await benchRecordingDirectory('media');
      const started = await MediaEngine.start({
        bindAddress: '127.0.0.1',
        recordingDirectory: recordingDirectory.path,
        workerCount: 1,
        noMediaTimeoutMs: 0,
        datagramIo,
        threadNice: RELAY_NICE,
        ...(gatherMicros === undefined ? {} : { gatherMicros }),
      });
      if (!started.ok) throw new Error(started.error.message);
      engine = started.value;
      const ports: StreamPorts[] = [];
      calls = phones.length;
      for (const [c, phone] of phones.entries()) {
        const legs = [];
        for (const [side, remotePort] of [
          ['a', phone.a],
          ['b', phone.b],
        ] as const) {
          const leg = await engine.createLeg({
            legId: `${side}-${c}`,
            callId: `call-${c}`,
            remoteAddress: '127.0.0.1',
            remotePort,
            payloadType: 0,
            telephoneEventPayloadType: 101,
          });
          if (!leg.ok) throw new Error(leg.error.message);
          legs.push(leg.value.localPort);
        }
        const bridged = await engine.bridge(`a-${c}`, `b-${c}`);
        if (!bridged.ok) throw new Error(bridged.error.message);
        if (isRecording) {
          const recording = await engine.recordStart({
            recordingId: `rec-${c}`,
            customerLegId: `a-${c}`,
            agentLegId: `b-${c}`,
            path: `call-${c}.wav`,
          });
          if (!recording.ok) throw new Error(recording.error.message);
          recordings.push(`rec-${c}`);
        }
        // Phone A sends to leg a, phone B to leg b.
        ports.push({ a: legs[0] ?? 0, b: legs[1] ?? 0 });
      }
      return ports;
    },
    statistics,
    teardown: async () => {
      for (const id of recordings) await engine?.recordStop(id);
      for (let c = 0; c < calls; c++) {
        await engine?.destroyLeg(`a-${c}`);
        await engine?.destroyLeg(`b-${c}`);
      }
      await engine?.stop();
      await recordingDirectory?.remove();
      return null;
    },
  });
}

function runNodeRelay(): void {
  const sockets: Socket[] = [];
  serve({
    setup: async ({ phones }: { phones: StreamPorts[] }) => {
      const ports: StreamPorts[] = [];
      for (const phone of phones) {
        const a = await bindUdp();
        const b = await bindUdp();
        // What phone A sends to socket a goes to phone B from socket b, and back.
        a.on('message', (msg) => {
          b.send(msg, phone.b, '127.0.0.1');
        });
        b.on('message', (msg) => {
          a.send(msg, phone.a, '127.0.0.1');
        });
        sockets.push(a, b);
        ports.push({ a: a.address().port, b: b.address().port });
      }
      return ports;
    },
    statistics: () => ({}),
    teardown: () => {
      for (const socket of sockets) socket.close();
      return null;
    },
  });
}

// ------------------------------------------------------------------------------------------------
// rtpengine over its ng control protocol (bencode over UDP)

type Bencode = string | number | readonly Bencode[] | { readonly [key: string]: Bencode };

/** A decoded value as text (strings and numbers; anything else as JSON). */
function text(value: Bencode | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value ?? null);
}

function bencode(value: Bencode): string {
  if (typeof value === 'number') return `i${Math.trunc(value)}e`;
  if (typeof value === 'string') return `${Buffer.byteLength(value)}:${value}`;
  if (Array.isArray(value)) return `l${value.map(bencode).join('')}e`;
  const dict = value as { readonly [key: string]: Bencode };
  return `d${Object.keys(dict)
    .sort()
    .map((key) => bencode(key) + bencode(dict[key] ?? ''))
    .join('')}e`;
}

/** Decodes the subset rtpengine answers with; returns the value and where it ended. */
function bdecode(bytes: Buffer, at = 0): [Bencode, number] {
  const c = String.fromCharCode(bytes[at] ?? 0);
  if (c === 'i') {
    const end = bytes.indexOf(0x65, at);
    return [Number(bytes.subarray(at + 1, end).toString()), end + 1];
  }
  if (c === 'l') {
    const list: Bencode[] = [];
    let i = at + 1;
    while (i < bytes.length && bytes[i] !== 0x65) {
      const [item, next] = bdecode(bytes, i);
      list.push(item);
      i = next;
    }
    return [list, i + 1];
  }
  if (c === 'd') {
    const dict: Record<string, Bencode> = {};
    let i = at + 1;
    while (i < bytes.length && bytes[i] !== 0x65) {
      const [key, afterKey] = bdecode(bytes, i);
      const [item, next] = bdecode(bytes, afterKey);
      dict[text(key)] = item;
      i = next;
    }
    return [dict, i + 1];
  }
  const colon = bytes.indexOf(0x3a, at);
  if (colon < 0) return ['', bytes.length];
  const length = Number(bytes.subarray(at, colon).toString());
  return [bytes.subarray(colon + 1, colon + 1 + length).toString(), colon + 1 + length];
}

class RtpengineControl {
  private readonly socket: Socket;
  private readonly port: number;
  private cookie = 0;
  private readonly pending = new Map<string, (reply: Record<string, Bencode>) => void>();

  private constructor(socket: Socket, port: number) {
    this.socket = socket;
    this.port = port;
    socket.on('message', (msg) => {
      const space = msg.indexOf(0x20);
      const cookie = msg.subarray(0, space).toString();
      const [reply] = bdecode(msg, space + 1);
      this.pending.get(cookie)?.(reply as Record<string, Bencode>);
      this.pending.delete(cookie);
    });
  }

  static async open(port: number): Promise<RtpengineControl> {
    return new RtpengineControl(await bindUdp(), port);
  }

  command(body: Record<string, Bencode>): Promise<Record<string, Bencode>> {
    const cookie = `c${++this.cookie}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cookie);
        reject(new Error(`rtpengine did not answer ${text(body.command)}`));
      }, 2000);
      this.pending.set(cookie, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.socket.send(`${cookie} ${bencode(body)}`, this.port, '127.0.0.1');
    });
  }

  close(): void {
    this.socket.close();
  }
}

function sdpFor(port: number): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=bench',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

function mediaPort(reply: Record<string, Bencode>): number {
  if (reply.result !== 'ok') throw new Error(`rtpengine: ${text(reply['error-reason'] ?? reply.result)}`);
  const match = /m=audio (\d+)/.exec(text(reply.sdp));
  if (match?.[1] === undefined) throw new Error('rtpengine answered without a media port');
  return Number(match[1]);
}

function hasRtpengine(): boolean {
  try {
    execFileSync('rtpengine', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------------------------------------
// Orchestration

/**
 * Which of a relay's threads move the media, to run at RELAY_NICE: the engine sets its media thread's
 * priority itself (`threadNice`); the bare Node relay relays on its main thread; rtpengine on all of its own.
 */
type RelayThreads = 'engine-media-thread' | 'main' | 'all';

/**
 * Every relay's media threads run at the engine's default nice value, so the comparison stays fair: the
 * engine raises its media thread's priority by default (when the system allows: CAP_SYS_NICE), and the
 * others get the same here.
 */
const RELAY_NICE = DEFAULT_MEDIA_THREAD_NICE;

function threadIds(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}

function niceOf(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  // After "pid (comm) ": state is field 3, nice field 19.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** The relay's threads that move media: its media workers, its only thread, or all of them (rtpengine). */
function relayThreadIds(pid: number, threads: RelayThreads): number[] {
  return threads === 'main'
    ? [pid]
    : threads === 'all'
      ? threadIds(pid)
      : threadIds(pid).filter((tid) =>
          readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith('media-'),
        );
}

/** Gives the relay's media threads RELAY_NICE (unless the engine does) and answers the nice they run at. */
function prioritizeRelay(pid: number, threads: RelayThreads): number | undefined {
  try {
    const tids = relayThreadIds(pid, threads);
    if (threads !== 'engine-media-thread') {
      for (const tid of tids) {
        try {
          setPriority(tid, RELAY_NICE);
        } catch {
          // Not allowed (no CAP_SYS_NICE): the run says at which nice it ran.
        }
      }
    }
    const nices = tids.map((tid) => niceOf(pid, tid));
    return nices.length === 0 ? undefined : Math.max(...nices);
  } catch {
    return undefined; // no /proc: not Linux
  }
}

/**
 * How long the relay's media threads waited, runnable, while something else ran on their core (the kernel's
 * `run_delay`, /proc/…/schedstat), in ms; undefined without /proc. Other processes, or kernel threads that do
 * not yield, pinned on the same core: their waits are added jitter no relay can avoid.
 */
function relayRunDelayMs(pid: number, threads: RelayThreads): number | undefined {
  try {
    let ns = 0;
    for (const tid of relayThreadIds(pid, threads)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    }
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

interface RelayUnderTest {
  readonly name: string;
  readonly threads: RelayThreads;
  /** Starts the relay for these phones; returns where each phone must send, and the relay's pid. */
  start(phones: StreamPorts[]): Promise<{ targets: StreamPorts[]; pid: number }>;
  extra?(): Promise<EngineFigures>;
  stop(): Promise<void>;
}

function nodeRelay(
  core: number | undefined,
  role: 'engine' | 'node-relay',
  isRecording: boolean,
  name: string,
  datagramIo: 'native' | 'dgram' = 'native',
  gatherMicros?: number,
): RelayUnderTest {
  let child: Child | undefined;
  return {
    name,
    threads: role === 'engine' ? 'engine-media-thread' : 'main',
    async start(phones) {
      child = new Child(role, core);
      const targets = await child.call<StreamPorts[]>('setup', {
        phones,
        isRecording,
        datagramIo,
        gatherMicros,
      });
      return { targets, pid: child.process.pid ?? 0 };
    },
    ...(role === 'engine'
      ? {
          extra: async () => {
            if (child === undefined) throw new Error('not started');
            return child.call<EngineFigures>('statistics');
          },
        }
      : {}),
    async stop() {
      await child?.call('teardown');
      await child?.close();
    },
  };
}

function rtpengineRelay(core: number | undefined): RelayUnderTest {
  let daemon: ChildProcess | undefined;
  let control: RtpengineControl | undefined;
  return {
    name: 'rtpengine',
    threads: 'all',
    async start(phones) {
      const ngPort = await freeUdpPort();
      const args = [
        '--foreground',
        '--config-file=none',
        '--table=-1',
        '--interface=127.0.0.1',
        `--listen-ng=127.0.0.1:${ngPort}`,
        '--port-min=36000',
        '--port-max=39999',
        '--num-threads=1',
        '--log-level=3',
        '--log-stderr',
      ];
      daemon = spawn(
        core === undefined ? 'rtpengine' : 'taskset',
        core === undefined ? args : ['-c', String(core), 'rtpengine', ...args],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      control = await RtpengineControl.open(ngPort);
      // Wait for the control socket to answer (startup takes a moment).
      for (let attempt = 0; ; attempt++) {
        try {
          const pong = await control.command({ command: 'ping' });
          if (pong.result === 'pong') break;
        } catch (error) {
          if (attempt > 20) throw error;
        }
      }
      const targets: StreamPorts[] = [];
      for (const [c, phone] of phones.entries()) {
        const common = { 'call-id': `bench-${c}`, 'from-tag': `a-${c}`, ICE: 'remove' };
        const offer = await control.command({ command: 'offer', ...common, sdp: sdpFor(phone.a) });
        const answer = await control.command({
          command: 'answer',
          ...common,
          'to-tag': `b-${c}`,
          sdp: sdpFor(phone.b),
        });
        // B sends to the port in the offer rewritten for B; A to the port in the answer rewritten for A.
        targets.push({ a: mediaPort(answer), b: mediaPort(offer) });
      }
      return { targets, pid: daemon.pid ?? 0 };
    },
    async stop() {
      control?.close();
      if (daemon !== undefined && daemon.exitCode === null) {
        const exited = new Promise((resolve) => daemon?.once('exit', resolve));
        daemon.kill('SIGTERM');
        await exited;
      }
    },
  };
}

function percentileLimitsOk(loss: number, p99: number): boolean {
  return loss < LOSS_LIMIT_PERCENT && p99 < JITTER_LIMIT_MS;
}

async function measure(
  relay: RelayUnderTest,
  calls: number,
  cores: { relay: number | undefined; generator: number | undefined },
  warmupMs: number,
  measureMs: number,
  round: number,
): Promise<RunFigures> {
  const generator = new Child('generator', cores.generator);
  try {
    const phones = await generator.call<StreamPorts[]>('open', { calls });
    const { targets, pid } = await relay.start(phones);
    const relayNice = prioritizeRelay(pid, relay.threads);
    await generator.call('start', { targets });
    await new Promise((resolve) => setTimeout(resolve, warmupMs));
    const cpuBefore = await processCpuMs(pid);
    const extraBefore = await relay.extra?.();
    const waitedBefore = relayRunDelayMs(pid, relay.threads);
    await generator.call('mark');
    await new Promise((resolve) => setTimeout(resolve, measureMs));
    const cpuAfter = await processCpuMs(pid);
    const waitedAfter = relayRunDelayMs(pid, relay.threads);
    const extraAfter = await relay.extra?.();
    const report = await generator.call<GeneratorReport>('stop');
    await relay.stop();
    const cpuMs = cpuAfter - cpuBefore;
    // Packets relayed in the window: the generator's receive count is the same measure for every relay.
    const packetsRelayed = report.received;
    const usPerPacket = packetsRelayed === 0 ? Number.POSITIVE_INFINITY : (cpuMs * 1000) / packetsRelayed;
    const figures: RunFigures = {
      relay: relay.name,
      calls,
      round,
      packetsRelayed,
      cpuMs,
      usPerPacket,
      lossPercent: report.lossPercent,
      p50AddedJitterMs: report.p50AddedJitterMs,
      p99AddedJitterMs: report.p99AddedJitterMs,
      maxAddedJitterMs: report.maxAddedJitterMs,
      isWithinLimits: percentileLimitsOk(report.lossPercent, report.p99AddedJitterMs),
      callsPerCore: 1e6 / (usPerPacket * PACKETS_PER_CALL_SECOND),
      generatorSendsDropped: report.sendsDropped,
      relayNice,
      ...(waitedBefore === undefined || waitedAfter === undefined
        ? {}
        : { waitedMsPerSecond: ((waitedAfter - waitedBefore) * 1000) / measureMs }),
      ...(extraBefore !== undefined && extraAfter !== undefined
        ? {
            workerUsPerPacket:
              ((extraAfter.workerCpuMs - extraBefore.workerCpuMs) * 1000) / Math.max(1, packetsRelayed),
            tickP99LatenessMs: extraAfter.tickP99LatenessMs,
            tickP99DurationMs: extraAfter.tickP99DurationMs,
            ...(extraAfter.receiveBatches === null || extraBefore.receiveBatches === null
              ? {}
              : {
                  datagramsPerWakeUp:
                    (extraAfter.packetsReceived - extraBefore.packetsReceived) /
                    Math.max(1, extraAfter.receiveBatches - extraBefore.receiveBatches),
                  readInTicksPercent:
                    ((extraAfter.datagramsReadInTicks - extraBefore.datagramsReadInTicks) * 100) /
                    Math.max(1, extraAfter.packetsReceived - extraBefore.packetsReceived),
                }),
          }
        : {}),
    };
    return figures;
  } finally {
    await generator.close();
  }
}

/** The run with the most calls (the median CPU one when that level was repeated). */
function largestOf(runs: readonly RunFigures[]): RunFigures | undefined {
  const most = Math.max(...runs.map((r) => r.calls));
  const level = runs.filter((r) => r.calls === most).sort((x, y) => x.usPerPacket - y.usPerPacket);
  return level[Math.floor((level.length - 1) / 2)];
}

/**
 * Ours ÷ the reference in calls per core, compared level by level (same calls, same run) and
 * summarised by the median, so a noisy level on a shared machine does not decide the figure.
 */
function pairedRatio(ours: readonly RunFigures[], reference: readonly RunFigures[]): number | undefined {
  const ratios: number[] = [];
  for (const run of ours) {
    const other = reference.find((r) => r.calls === run.calls && r.round === run.round);
    if (other !== undefined && Number.isFinite(run.usPerPacket))
      ratios.push(other.usPerPacket / run.usPerPacket);
  }
  return median(ratios) ?? undefined;
}

/**
 * What recording every call costs, in % of the capacity without recording: the median over paired rounds of
 * 1 − (calls per core recording ÷ calls per core), at one level of calls, or pooled over all levels.
 */
function recordingCostPercent(runs: readonly RunFigures[], calls: number | undefined): number | null {
  const atLevel = (name: string): RunFigures[] =>
    runs.filter((r) => r.relay === name && (calls === undefined || r.calls === calls));
  return round((1 - (pairedRatio(atLevel('engine+rec'), atLevel('engine')) ?? Number.NaN)) * 100, 1);
}

/** Calls per core from the largest run within the limits, or null. */
function capacity(runs: readonly RunFigures[]): RunFigures | undefined {
  const passing = runs.filter((r) => r.isWithinLimits);
  return passing.sort((x, y) => y.calls - x.calls)[0];
}

function round(value: number | undefined, digits = 1): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function option(args: readonly string[], name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

/** The benchmark entry point (see the module comment). */
export async function run({
  args,
  progress,
}: {
  readonly args: readonly string[];
  readonly progress: (message: string) => void;
}): Promise<Record<string, unknown>> {
  const levels = option(args, 'calls', '50,100,200')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const measureMs = Number(option(args, 'seconds', '8')) * 1000;
  const warmupMs = Number(option(args, 'warmup', '2')) * 1000;
  const repeats = Math.max(1, Number(option(args, 'repeats', '1')));
  // The gathering window of `engine` and `engine+rec` (the engine's default when not given).
  const gatherOption = option(args, 'gather', '');
  const gatherMicros = gatherOption === '' ? undefined : Number(gatherOption);
  let isPinned = availableParallelism() >= 2;
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  } catch {
    isPinned = false;
  }
  const cores = { relay: isPinned ? 0 : undefined, generator: isPinned ? 1 : undefined };
  const withRtpengine = hasRtpengine();
  progress(
    `levels ${levels.join(', ')} calls, ${warmupMs / 1000} s warm-up + ${measureMs / 1000} s measured; ` +
      `${isPinned ? 'relay on core 0, generator on core 1' : 'NOT pinned (taskset or a second core missing)'}; ` +
      `rtpengine ${withRtpengine ? 'found' : 'not installed: reference is the bare Node relay'}; ` +
      `every relay's media threads at nice ${RELAY_NICE} (a run that could not says so)`,
  );

  const allRelays: RelayUnderTest[] = [
    nodeRelay(cores.relay, 'engine', false, 'engine', 'native', gatherMicros),
    nodeRelay(cores.relay, 'engine', true, 'engine+rec', 'native', gatherMicros),
    // The same engine on Node's dgram path (ADR 0009): what the native datagram path buys.
    nodeRelay(cores.relay, 'engine', false, 'engine-dgram', 'dgram'),
    // The native path reading each datagram as it arrives: what letting them gather buys.
    nodeRelay(cores.relay, 'engine', false, 'engine-eager', 'native', 0),
    nodeRelay(cores.relay, 'node-relay', false, 'node-relay'),
    ...(withRtpengine ? [rtpengineRelay(cores.relay)] : []),
  ];
  const relayNames = option(args, 'relays', '')
    .split(',')
    .filter((name) => name !== '');
  const relays = allRelays.filter((relay) => relayNames.length === 0 || relayNames.includes(relay.name));
  const runs: RunFigures[] = [];
  for (const calls of levels) {
    for (let round = 0; round < repeats; round++) {
      for (const relay of relays) {
        const figures = await measure(relay, calls, cores, warmupMs, measureMs, round);
        runs.push(figures);
        progress(
          `${relay.name.padEnd(12)} ${String(calls).padStart(4)} calls: ${figures.usPerPacket.toFixed(2)} µs/packet` +
            (figures.workerUsPerPacket === undefined
              ? ''
              : ` (worker thread ${figures.workerUsPerPacket.toFixed(2)})`) +
            `, loss ${figures.lossPercent.toFixed(4)} %, added jitter p50 ${figures.p50AddedJitterMs.toFixed(2)} / ` +
            `p99 ${figures.p99AddedJitterMs.toFixed(2)} ms` +
            (figures.tickP99LatenessMs === undefined
              ? ''
              : `, tick p99 lateness ${figures.tickP99LatenessMs.toFixed(1)} ms, ` +
                `p99 duration ${(figures.tickP99DurationMs ?? 0).toFixed(1)} ms`) +
            (figures.datagramsPerWakeUp === undefined
              ? ''
              : `, ${figures.datagramsPerWakeUp.toFixed(1)} datagrams per wake-up`) +
            (figures.readInTicksPercent === undefined || figures.readInTicksPercent === 0
              ? ''
              : `, ${figures.readInTicksPercent.toFixed(1)} % read during ticks`) +
            (figures.waitedMsPerSecond === undefined
              ? ''
              : `, waited ${figures.waitedMsPerSecond.toFixed(1)} ms/s for its core`) +
            (figures.relayNice === RELAY_NICE ? '' : `, media threads at nice ${figures.relayNice ?? '?'}`) +
            (figures.generatorSendsDropped === 0
              ? ''
              : `, ${figures.generatorSendsDropped} sends the generator could not make`) +
            (figures.isWithinLimits ? '' : ' (outside the limits)'),
        );
      }
    }
  }

  const of = (name: string): RunFigures[] => runs.filter((r) => r.relay === name);
  const referenceName = withRtpengine ? 'rtpengine' : 'node-relay';
  const ours = capacity(of('engine'));
  const largest = largestOf(of('engine'));
  return {
    calls_per_core: round(ours?.callsPerCore, 0),
    calls_per_core_recording: round(capacity(of('engine+rec'))?.callsPerCore, 0),
    us_per_packet: round((ours ?? largest)?.usPerPacket, 2),
    rtpengine_calls_per_core: round(capacity(of('rtpengine'))?.callsPerCore, 0),
    reference: referenceName,
    ratio: round(pairedRatio(of('engine'), of(referenceName)), 2),
    // CPU-only figures from the largest run, whether or not loss and jitter stayed within the limits.
    cpu_calls_per_core: round(largest?.callsPerCore, 0),
    cpu_calls_per_core_recording: round(largestOf(of('engine+rec'))?.callsPerCore, 0),
    cpu_rtpengine_calls_per_core: round(largestOf(of('rtpengine'))?.callsPerCore, 0),
    cpu_node_relay_calls_per_core: round(largestOf(of('node-relay'))?.callsPerCore, 0),
    ratio_to_node_relay: round(pairedRatio(of('engine'), of('node-relay')), 2),
    ratio_native_to_dgram: round(pairedRatio(of('engine'), of('engine-dgram')), 2),
    ratio_gather_to_eager: round(pairedRatio(of('engine'), of('engine-eager')), 2),
    // The "recording costs at most 20 % of that capacity": paired rounds at the level the capacity
    // comes from (the largest level when none qualified). All levels pooled, for comparison: the recording's
    // share of a packet's cost moves between levels (datagrams per wake-up, the tick's length).
    recording_cost_percent: recordingCostPercent(runs, (ours ?? largest)?.calls),
    recording_cost_percent_all_levels: recordingCostPercent(runs, undefined),
    limits_met: runs.some((r) => r.isWithinLimits),
    is_pinned: isPinned,
    runs: runs.map((r) => ({
      relay: r.relay,
      calls: r.calls,
      round: r.round,
      us_per_packet: round(r.usPerPacket, 2),
      worker_us_per_packet: round(r.workerUsPerPacket, 2),
      loss_percent: round(r.lossPercent, 4),
      p99_added_jitter_ms: round(r.p99AddedJitterMs, 2),
      tick_p99_lateness_ms: round(r.tickP99LatenessMs, 1),
      tick_p99_duration_ms: round(r.tickP99DurationMs, 1),
      datagrams_per_wake_up: round(r.datagramsPerWakeUp, 1),
      read_in_ticks_percent: round(r.readInTicksPercent, 1),
      waited_ms_per_s: round(r.waitedMsPerSecond, 1),
      relay_nice: r.relayNice ?? null,
      within_limits: r.isWithinLimits,
    })),
  };
}

// A child process of the benchmark runs one role and serves its parent until told to exit.
const role = process.env[ROLE_ENV];
if (import.meta.main && role !== undefined) {
  switch (role) {
    case 'generator':
      runGenerator();
      break;
    case 'engine':
      runEngineRelay();
      break;
    case 'node-relay':
      runNodeRelay();
      break;
    default:
      throw new Error(`unknown role ${role}`);
  }
}
