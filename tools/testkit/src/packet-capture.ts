import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * tcpdump writing what it captures to a pcap file (read it with `readPcapUdpDatagrams`), for tests that check
 * what a peer received on the wire: SIPp, for one, discards the RTP it receives. Needs the Debian package
 * tcpdump and the right to capture (root, or CAP_NET_RAW); fails loudly without either.
 */
export class PacketCapture {
  readonly #child: ChildProcess;
  readonly #dir: string;
  readonly #file: string;
  readonly #exited: Promise<void>;
  #output = '';

  private constructor(child: ChildProcess, dir: string, file: string) {
    this.#child = child;
    this.#dir = dir;
    this.#file = file;
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    child.stderr?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
  }

  /**
   * Starts tcpdump on `networkInterface` with the capture `filter` (pcap-filter syntax) and resolves once it
   * says it is listening, so nothing sent after that is missed.
   */
  static async start(options: {
    readonly networkInterface: string;
    readonly filter: string;
    readonly timeoutMs?: number;
  }): Promise<PacketCapture> {
    const dir = mkdtempSync(path.join(tmpdir(), 'centralita-capture-'));
    // A name ending in .pcap: Debian's AppArmor profile for tcpdump lets it write such files anywhere.
    const file = path.join(dir, 'capture.pcap');
    // Immediate mode hands each packet to tcpdump as it arrives (not in blocks up to a second late), and -U
    // writes it to the file at once, so the file can be read while tcpdump runs.
    const child = spawn(
      'tcpdump',
      ['-i', options.networkInterface, '--immediate-mode', '-U', '-w', file, options.filter],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const capture = new PacketCapture(child, dir, file);
    const timeoutMs = options.timeoutMs ?? 10_000;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(`tcpdump did not start listening within ${String(timeoutMs)} ms\n${capture.#output}`),
          );
        }, timeoutMs);
        const settle = (error?: Error) => {
          clearTimeout(timer);
          child.stderr.off('data', onOutput);
          if (error === undefined) resolve();
          else reject(error);
        };
        const onOutput = () => {
          if (capture.#output.includes('listening on')) settle();
        };
        child.stderr.on('data', onOutput);
        child.once('error', (error: NodeJS.ErrnoException) => {
          settle(
            error.code === 'ENOENT'
              ? new Error('tcpdump is not installed: install the Debian package tcpdump')
              : error,
          );
        });
        child.once('exit', (code) => {
          settle(new Error(`tcpdump exited (${String(code)}) before listening\n${capture.#output}`));
        });
      });
    } catch (error) {
      await capture.#end('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return capture;
  }

  /** What has been captured so far. */
  captured(): Buffer {
    return existsSync(this.#file) ? readFileSync(this.#file) : Buffer.alloc(0);
  }

  /**
   * Stops tcpdump with SIGINT (it writes out what it holds and closes the file), waits for it to exit and
   * gives the whole capture; the file is removed.
   */
  async stop(): Promise<Buffer> {
    await this.#end('SIGINT');
    const capture = this.captured();
    rmSync(this.#dir, { recursive: true, force: true });
    return capture;
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null || this.#child.pid === undefined)
      return;
    this.#child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const isExited = await Promise.race([
      this.#exited.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, 5_000);
      }),
    ]);
    clearTimeout(timer);
    if (isExited) return;
    this.#child.kill('SIGKILL');
    await this.#exited;
    throw new Error(`tcpdump did not exit on ${signal} within 5 s\n${this.#output}`);
  }
}
