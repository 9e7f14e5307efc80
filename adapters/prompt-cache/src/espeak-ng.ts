import { spawn } from 'node:child_process';
import type { Result } from '@centralita/kernel';
import { err, ok } from '@centralita/kernel';
import type { PromptCacheError } from './errors.ts';
import { promptCacheError } from './errors.ts';

/** One run of the speech synthesizer. */
export interface SpeechSynthesis {
  readonly text: string;
  /** An espeak-ng voice name (`es`, `en`, `en-us`, `es+f3`...). */
  readonly voice: string;
  /** The program to run; `espeak-ng` from the PATH by default. */
  readonly command: string;
  readonly timeoutMs: number;
}

/** At most this much of espeak-ng's error output is kept for the message. */
const maxStderrChars = 2_000;

/**
 * Speaks `text` with espeak-ng and returns the WAV file it writes (mono, 22.05 kHz for its standard
 * voices). The text goes in on stdin as UTF-8 (`-b 1`), so no text can be mistaken for an option.
 * Every failure is a value whose message says what to install or change.
 */
export function synthesizeWithEspeakNg(
  synthesis: SpeechSynthesis,
): Promise<Result<Uint8Array, PromptCacheError>> {
  return new Promise((resolve) => {
    let isSettled = false;
    const settle = (result: Result<Uint8Array, PromptCacheError>): void => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const child = spawn(synthesis.command, ['-v', synthesis.voice, '-b', '1', '--stdout'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(
        err(
          promptCacheError(
            'PROMPT_TTS_FAILED',
            `espeak-ng did not finish within ${synthesis.timeoutMs} ms (voice '${synthesis.voice}', ${synthesis.text.length} characters)`,
          ),
        ),
      );
    }, synthesis.timeoutMs);
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < maxStderrChars) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      settle(
        err(
          error.code === 'ENOENT' || error.code === 'EACCES'
            ? promptCacheError(
                'PROMPT_TTS_NOT_INSTALLED',
                `cannot run '${synthesis.command}' (${error.code}): install espeak-ng (Debian/Ubuntu: apt-get install espeak-ng)`,
              )
            : promptCacheError('PROMPT_TTS_FAILED', `cannot run '${synthesis.command}': ${error.message}`),
        ),
      );
    });
    child.on('close', (code, signal) => {
      const bytes = Buffer.concat(chunks);
      if (code === 0 && bytes.length > 0) {
        settle(ok(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)));
        return;
      }
      if (/voice does not exist/i.test(stderr)) {
        settle(
          err(
            promptCacheError(
              'PROMPT_VOICE_UNKNOWN',
              `espeak-ng has no voice '${synthesis.voice}': 'espeak-ng --voices' lists the installed ones; Spanish (es) and English (en) come with Debian's espeak-ng-data package`,
            ),
          ),
        );
        return;
      }
      const why = signal !== null ? `was stopped by ${signal}` : `exited with status ${code ?? 'unknown'}`;
      settle(
        err(
          promptCacheError(
            'PROMPT_TTS_FAILED',
            code === 0
              ? `espeak-ng produced no audio for voice '${synthesis.voice}'`
              : `espeak-ng ${why}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`,
          ),
        ),
      );
    });
    // espeak-ng may exit before reading everything (an unknown voice): that EPIPE is reported by 'close'.
    child.stdin.on('error', () => undefined);
    child.stdin.end(synthesis.text, 'utf8');
  });
}
