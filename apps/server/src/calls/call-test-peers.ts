import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { demoPassword, demoTenantSlug } from '../demo-seed.ts';

/** Test support for end-to-end calls: API sessions, SIPp customers, baresip agent phones, audio checks. */

/**
 * The text of a body-less SIP request as a scripted test phone sends it (REGISTER, OPTIONS...): one Via
 * over `transport` with a fresh branch, a fresh From tag, and the caller's own headers before
 * `Content-Length: 0`.
 */
export function bodilessSipRequest(request: {
  readonly method: string;
  readonly requestUri: string;
  readonly transport: 'UDP' | 'TCP';
  readonly localPort: number;
  readonly user: string;
  readonly realm: string;
  readonly callId: string;
  readonly cseq: string;
  readonly headers: readonly string[];
}): string {
  const { method, requestUri, transport, localPort, user, realm, callId, cseq, headers } = request;
  return [
    `${method} ${requestUri} SIP/2.0`,
    `Via: SIP/2.0/${transport} 127.0.0.1:${String(localPort)};branch=z9hG4bK${randomUUID()};rport`,
    `From: <sip:${user}@${realm}>;tag=${randomUUID().slice(0, 8)}`,
    `To: <sip:${user}@${realm}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
    'Max-Forwards: 70',
    ...headers,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

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
