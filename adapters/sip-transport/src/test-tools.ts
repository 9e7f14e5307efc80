import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { freeUdpPort } from '@centralita/testkit';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Test support (not exported): how a SIPp run ended. */
export interface SippRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `sipp` with `args` in a temporary directory and resolves with its exit code. Fails with a clear
 * message when SIPp is missing (Debian package sip-tester) and kills the run (by its pid) past `timeoutMs`.
 */
export async function runSipp(args: readonly string[], timeoutMs: number): Promise<SippRun> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'centralita-sipp-'));
  // SIPp's control socket defaults to UDP 8888: two runs at once (test files run in parallel) would collide.
  const controlPort = args.includes('-cp') ? [] : ['-cp', String(await freeUdpPort())];
  return new Promise<SippRun>((resolve, reject) => {
    const child = spawn('sipp', [...args, ...controlPort], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString('utf8')).slice(-20_000);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`sipp ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout.slice(-3000)}`),
      );
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error('sipp is not installed: install the Debian package sip-tester (SIPp 3.6)')
          : error,
      );
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** A self-signed certificate for 127.0.0.1, ::1 and localhost, made with openssl in a temporary directory. */
export function selfSignedCertificate(): {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'centralita-tls-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? 'openssl is not installed: the TLS tests need it'
        : `openssl failed: ${String(error)}`,
    );
  }
  return { certPath, keyPath, cert: readFileSync(certPath) };
}
