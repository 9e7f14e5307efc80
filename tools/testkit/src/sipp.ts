import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// SIPp (Debian's sip-tester) as the far end of end-to-end call tests and benchmarks: customers calling a number,
// agents' phones answering, a carrier behind a trunk. Scenarios are XML texts; pcaps come from rtp-pcap.ts.

export interface SippResult {
  readonly exitCode: number | null;
  readonly output: string;
}

/**
 * SIPp's arguments for one phone on loopback: its SIP port, one call, its RTP at `mediaPort` (0: any free
 * port) and a bound on the run in seconds. Add the far end (for a caller) and scenario-specific options.
 */
export function sippPhoneArguments(options: {
  sipPort: number;
  mediaPort: number;
  timeoutS: number;
}): string[] {
  return [
    '-p',
    String(options.sipPort),
    '-i',
    '127.0.0.1',
    '-m',
    '1',
    '-mi',
    '127.0.0.1',
    '-mp',
    String(options.mediaPort),
    '-timeout',
    `${String(options.timeoutS)}s`,
  ];
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
 * With `isHangingUpFirst` false it waits up to `talkMs` for the far end's BYE instead: from the last key on,
 * or with `isTalkingUntilBye` while the tone plays (started after `beforeAudioMs`, as above).
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
  readonly isTalkingUntilBye?: boolean;
}): string {
  const digitPlays = options.digits
    // The pcaps `dtmf-<n>.pcap` (one per key, from `dtmfPcap`) must be in the scenario's directory.
    .map(
      (_digit, index) => `<nop><action><exec play_pcap_audio="dtmf-${String(index)}.pcap"/></action></nop>`,
    )
    .join(`\n  <pause milliseconds="${String(options.digitGapMs ?? 400)}"/>\n  `);
  const tone = `<pause milliseconds="${String(options.beforeAudioMs)}"/>
  <nop><action><exec play_pcap_audio="tone.pcap"/></action></nop>`;
  const answeringBye = `<recv request="BYE" timeout="${String(options.talkMs)}"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>`;
  // Waiting for the far end's BYE: it may come as soon as the keys are pressed, and SIPp aborts a call on a
  // BYE that arrives during a pause, so the wait for it follows the keys directly unless the caller talks
  // (then the far end must not hang up during `beforeAudioMs`). Playing the tone needs no wait: SIPp plays
  // a pcap on a thread of its own, until the pcap ends or the call does.
  const ending =
    options.isHangingUpFirst === false
      ? options.isTalkingUntilBye === true
        ? `${tone}\n  ${answeringBye}`
        : answeringBye
      : `${tone}
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

/**
 * Agents' phones played by one SIPp: each INVITE gets 180, then 200 with SDP (G.711 µ-law) after
 * `answerAfterMs` (0 answers at once); the phone then waits for the BYE. Run with `-rtp_echo` for two-way
 * audio, or with `isPlayingTone` the phone plays `tone.pcap` (in the scenario directory) once answered.
 */
export function agentPhoneScenario(
  answerAfterMs: number,
  options: { readonly isPlayingTone?: boolean } = {},
): string {
  const tone =
    options.isPlayingTone === true
      ? '\n  <nop><action><exec play_pcap_audio="tone.pcap"/></action></nop>'
      : '';
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="agent phones">
  <recv request="INVITE"/>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]a[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <pause milliseconds="${String(answerAfterMs)}"/>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]a[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:agent@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=a 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
]]></send>
  <recv request="ACK"/>${tone}
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
</scenario>
`;
}
