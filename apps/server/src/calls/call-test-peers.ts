import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readWav, toneAmplitude } from '@centralita/media';
import { dtmfPcap, tonePcap } from '@centralita/testkit';

export { dtmfPcap, tonePcap };
import { demoPassword, demoTenantSlug } from '../demo-seed.ts';

/** Test support for end-to-end calls: API sessions, SIPp customers, baresip agent phones, audio checks. */

export interface ApiSession {
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  readonly userId: string;
}

/** Logs a demo user in (cookie and CSRF token). */
export async function login(baseUrl: string, email: string): Promise<ApiSession> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: demoTenantSlug, email, password: demoPassword }),
  });
  if (response.status !== 200) throw new Error(`login of ${email} failed: ${String(response.status)}`);
  const body = (await response.json()) as { csrfToken: string; user: { id: string } };
  return {
    baseUrl,
    headers: {
      cookie: response.headers.getSetCookie()[0]?.split(';')[0] ?? '',
      'x-csrf-token': body.csrfToken,
      'content-type': 'application/json',
    },
    userId: body.user.id,
  };
}

/** One API call; the type parameter is the test's claim about the JSON answer. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export async function api<T>(
  session: ApiSession,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${session.baseUrl}${route}`, {
    method,
    headers: session.headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

/** Polls `check` every 50 ms until it returns a value, or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---- pcap with a test tone, for SIPp's play_pcap_audio ----------------------------------------------

// ---- SIPp --------------------------------------------------------------------------------------------

export interface SippResult {
  readonly exitCode: number | null;
  readonly output: string;
}

/** Runs SIPp with a scenario (XML text) in its own directory; fails loudly when SIPp is not installed. */
export function runSippScenario(
  scenarioXml: string,
  args: readonly string[],
  timeoutMs: number,
  files: Readonly<Record<string, Buffer>> = {},
): { readonly dir: string; readonly done: Promise<SippResult>; stop(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'centralita-sipp-call-'));
  writeFileSync(path.join(dir, 'scenario.xml'), scenarioXml);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  const child = spawn('sipp', ['-sf', 'scenario.xml', '-trace_err', '-nostdin', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<SippResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sipp did not finish within ${String(timeoutMs)} ms\n${output}`));
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error('sipp is not installed: install the Debian package sip-tester (SIPp 3.6)')
          : error,
      );
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      let errors = '';
      try {
        errors = readFileSync(path.join(dir, 'scenario_' + String(child.pid) + '_errors.log'), 'utf8');
      } catch {
        // no error log: SIPp saw no unexpected message
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ exitCode: code, output: output + errors });
    });
  });
  return {
    dir,
    done,
    stop: () => {
      child.kill('SIGINT');
    },
  };
}

/**
 * The customer of an inbound call: INVITE to `number` with a G.711 A-law + telephone-event offer, ACK,
 * wait `beforeDigitsMs`, press the keys (RFC 4733 pcaps from SIPp), wait `beforeAudioMs`, play the
 * tone pcap (`tone.pcap` in the scenario directory), keep the call up `talkMs`, then hang up with BYE.
 * With `isHangingUpFirst` false it waits for the agent's BYE instead.
 */
export function customerScenario(options: {
  readonly number: string;
  readonly callerId: string;
  readonly callerName: string;
  readonly digits: readonly string[];
  readonly beforeDigitsMs: number;
  /** Pause between keys (default 400 ms): long enough for the prompt a key answers to start. */
  readonly digitGapMs?: number;
  readonly beforeAudioMs: number;
  readonly talkMs: number;
  readonly isHangingUpFirst?: boolean;
}): string {
  const digitPlays = options.digits
    // The pcaps `dtmf-<n>.pcap` (one per key, from `dtmfPcap`) must be in the scenario's directory.
    .map(
      (_digit, index) => `<nop><action><exec play_pcap_audio="dtmf-${String(index)}.pcap"/></action></nop>`,
    )
    .join(`\n  <pause milliseconds="${String(options.digitGapMs ?? 400)}"/>\n  `);
  // Waiting for the agent's BYE: it may come as soon as the keys are pressed, and SIPp aborts a call on a
  // BYE that arrives during a pause, so the wait for it follows the keys directly.
  const ending =
    options.isHangingUpFirst === false
      ? `<recv request="BYE" timeout="${String(options.talkMs)}"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>`
      : `<pause milliseconds="${String(options.beforeAudioMs)}"/>
  <nop><action><exec play_pcap_audio="tone.pcap"/></action></nop>
  <pause milliseconds="${String(options.talkMs)}"/>
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${options.callerName}" <sip:${options.callerId}@[local_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${options.number}@[remote_ip]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: <sip:${options.callerId}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="customer">
  <send retrans="500"><![CDATA[
INVITE sip:${options.number}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${options.callerName}" <sip:${options.callerId}@[local_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${options.number}@[remote_ip]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:${options.callerId}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=customer 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
ACK sip:${options.number}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${options.callerName}" <sip:${options.callerId}@[local_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${options.number}@[remote_ip]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:${options.callerId}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <pause milliseconds="${String(options.beforeDigitsMs)}"/>
  ${digitPlays}
  ${ending}
</scenario>
`;
}

// ---- baresip (an agent's phone) --------------------------------------------------------------------

/** A baresip softphone registered as a demo agent, answering every call and speaking a tone. */
export class Baresip {
  readonly #child: ChildProcess;
  readonly #dir: string;
  #output = '';

  private constructor(child: ChildProcess, dir: string) {
    this.#child = child;
    this.#dir = dir;
    child.stdout?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
  }

  /** What baresip printed (for failure messages). */
  get output(): string {
    return this.#output;
  }

  /**
   * Starts baresip for `extension`@`realm`, registering through `proxyPort` on loopback, answering
   * automatically (or after `answerDelayMs`, or never with `isAnswering` false), sending a `toneHz` sine.
   */
  static start(options: {
    readonly extension: string;
    readonly realm: string;
    readonly proxyPort: number;
    readonly toneHz: number;
    readonly isAnswering?: boolean;
  }): Baresip {
    const dir = mkdtempSync(path.join(tmpdir(), 'centralita-baresip-'));
    const tone = path.join(dir, 'tone.wav');
    writeFileSync(tone, sineWav(options.toneHz, 60_000));
    writeFileSync(
      path.join(dir, 'config'),
      [
        'poll_method epoll',
        'sip_listen 127.0.0.1:0',
        'audio_player alsa,null',
        `audio_source aufile,${tone}`,
        'audio_alert alsa,null',
        'ausrc_srate 8000',
        'auplay_srate 8000',
        'ausrc_channels 1',
        'auplay_channels 1',
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module aufile.so',
        'module alsa.so',
        'module_app account.so',
        'module_app menu.so',
        '',
      ].join('\n'),
    );
    const answer = options.isAnswering === false ? 'manual' : 'auto';
    writeFileSync(
      path.join(dir, 'accounts'),
      `<sip:${options.extension}@${options.realm};transport=udp>;auth_pass=${demoPassword};outbound="sip:127.0.0.1:${String(options.proxyPort)}";answermode=${answer};regint=600;audio_codecs=PCMU,PCMA\n`,
    );
    const child = spawn('baresip', ['-f', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const phone = new Baresip(child, dir);
    child.on('error', (error: NodeJS.ErrnoException) => {
      phone.#output += `\n${error.code === 'ENOENT' ? 'baresip is not installed: install the Debian package baresip' : error.message}`;
    });
    return phone;
  }

  async stop(): Promise<void> {
    await this.#exit();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #exit(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) =>
      this.#child.once('exit', () => {
        resolve();
      }),
    );
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}

/** An 8 kHz mono 16-bit WAV of a sine, for baresip's aufile source. */
export function sineWav(frequencyHz: number, durationMs: number): Buffer {
  const samples = Math.floor((8000 * durationMs) / 1000);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * frequencyHz * i) / 8000)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/**
 * The share of a recording channel's 20 ms frames in which `frequencyHz` carries most of the signal
 * (the tone's Goertzel amplitude against the frame's peak amplitude of a sine of the same RMS): near 0
 * when the tone is absent, large when it was heard for a while. Silent frames count as without tone.
 */
export function toneShare(wavFile: string, channel: number, frequencyHz: number): number {
  const wav = readWav(readFileSync(wavFile));
  if (!wav.ok) throw new Error(`not a WAV file: ${wavFile}`);
  const samples = wav.value.channels[channel];
  if (samples === undefined) throw new Error(`the recording has no channel ${String(channel)}`);
  const frame = 160;
  let frames = 0;
  let toneFrames = 0;
  for (let start = 0; start + frame <= samples.length; start += frame) {
    frames++;
    let energy = 0;
    for (let i = start; i < start + frame; i++) energy += (samples[i] ?? 0) ** 2;
    const rms = Math.sqrt(energy / frame);
    if (rms < 1e-3) continue;
    const amplitude = toneAmplitude(samples, frequencyHz, wav.value.info.sampleRateHz, start, frame);
    if (amplitude / (rms * Math.SQRT2) > 0.7) toneFrames++;
  }
  return frames === 0 ? 0 : toneFrames / frames;
}

/**
 * A carrier behind the outbound trunk, played by SIPp: answers an INVITE with 180 and 200 (SDP), echoes
 * the RTP it receives (`-rtp_echo`), and hangs up with BYE after `talkMs`.
 */
export function carrierScenario(talkMs: number): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="carrier">
  <recv request="INVITE">
    <action>
      <ereg regexp="tag=([^;> ]+)" search_in="hdr" header="From:" assign_to="whole,peertag"/>
      <ereg regexp="&lt;([^>]+)&gt;" search_in="hdr" header="From:" assign_to="whole2,peeruri"/>
      <ereg regexp="sip:[^>;]+" search_in="hdr" header="Contact:" assign_to="contacturi"/>
    </action>
  </recv>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:carrier@[local_ip]:[local_port]>
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:carrier@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=carrier 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
]]></send>
  <recv request="ACK"/>
  <pause milliseconds="${String(talkMs)}"/>
  <send retrans="500"><![CDATA[
BYE [$contacturi] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:carrier@[local_ip]>;tag=[pid]SIPpTag01[call_number]
To: <[$peeruri]>;tag=[$peertag]
X-Matched: [$whole] [$whole2]
[last_Call-ID:]
CSeq: 1 BYE
Contact: <sip:carrier@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
`;
}
