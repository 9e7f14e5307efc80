import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav } from '@centralita/media';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WriteFiles } from './file-write-batcher.ts';
import { FileWriteBatcher, writeFilesWithNodeFs } from './file-write-batcher.ts';
import { loadNativeMediaIo } from './native-media-io.ts';
import { RecordingFile } from './recording-file.ts';

const native = loadNativeMediaIo();
const implementations: [string, WriteFiles | undefined][] = [
  ['the native addon', native.ok ? native.value.writeFiles : undefined],
  ['the fs.write fallback', writeFilesWithNodeFs],
];

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'centralita-recording-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** A mono frame whose samples count up from `from`. */
function frame(from: number): Int16Array {
  return Int16Array.from({ length: 160 }, (_, i) => (from + i) % 30000);
}

/** Resolves once every write queued so far is done (the batcher calls back through the owner). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('a recording file is created', () => {
  it('in its directory, made when missing and found by the next recording; a path under a file fails', async () => {
    const batcher = new FileWriteBatcher(writeFilesWithNodeFs);
    const first = await RecordingFile.create(join(directory, 'day', 'one.wav'), { channels: 1 }, batcher, 20);
    const second = await RecordingFile.create(
      join(directory, 'day', 'two.wav'),
      { channels: 1 },
      batcher,
      20,
    );
    await Promise.all([first.finish(), second.finish()]);
    for (const name of ['one.wav', 'two.wav']) {
      const wav = readWav(await readFile(join(directory, 'day', name)));
      expect(wav.ok && wav.value.info.isComplete).toBe(true);
    }
    await expect(
      RecordingFile.create(join(directory, 'day', 'one.wav', 'three.wav'), { channels: 1 }, batcher, 20),
    ).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

describe.each(implementations)('a recording file written through %s', (_name, writeFiles) => {
  it.skipIf(writeFiles === undefined)(
    'writes every chunk and its checkpoint, readable at each step, and the exact sizes at the end',
    async () => {
      const batcher = new FileWriteBatcher(writeFiles!);
      const path = join(directory, 'nested', 'call.wav');
      const file = await RecordingFile.create(path, { channels: 1 }, batcher, 100, 60);
      // 0.5 s in 20 ms ticks, submitting each tick as the worker does: chunks at 60, 160, 260, 360, 460 ms.
      for (let tick = 0; tick < 25; tick++) {
        file.append(frame(tick * 160));
        batcher.submit();
      }
      await settle();
      const midway = readWav(await readFile(path));
      if (!midway.ok) throw new Error(midway.error.code);
      // What a crash would leave: the written chunks, counted by the checkpoint, flagged incomplete.
      expect([midway.value.info.frames, midway.value.info.isComplete]).toEqual([23 * 160, false]);
      await file.finish();
      expect(file.failure).toBeUndefined();
      const done = readWav(await readFile(path));
      if (!done.ok) throw new Error(done.error.code);
      expect([done.value.info.frames, done.value.info.isComplete]).toEqual([25 * 160, true]);
      const samples = done.value.channels[0]!;
      expect(Math.round(samples[3 * 160 + 7]! * 32768)).toBe(3 * 160 + 7);
      expect(Math.round(samples[25 * 160 - 1]! * 32768)).toBe(25 * 160 - 1);
      // The loop does not wait between ticks, so the first chunk's job was still in flight while the
      // next four chunks came due: they went together in the second job, and the end in a third.
      expect(batcher.batches).toBe(3);
    },
  );

  it.skipIf(writeFiles === undefined)(
    'reports a failed write as its failure and writes nothing more',
    async () => {
      const path = join(directory, 'failing.wav');
      // Every write lands on a descriptor of the file open for reading only: the kernel refuses it.
      let readOnly = -1;
      const batcher = new FileWriteBatcher((fds, positions, buffers, results, count, onDone) => {
        fds.fill(readOnly, 0, count);
        writeFiles!(fds, positions, buffers, results, count, onDone);
      });
      const file = await RecordingFile.create(path, { channels: 1 }, batcher, 20);
      readOnly = openSync(path, 'r');
      try {
        file.append(frame(0));
        batcher.submit();
        await settle();
        expect(file.failure).toBe('EBADF: bad file descriptor');
        file.append(frame(160));
        batcher.submit();
        await file.finish();
        expect(file.failure).toBe('EBADF: bad file descriptor');
        // The header only: neither the chunk nor its patch reached the file, and nothing was sent after.
        expect((await readFile(path)).length).toBe(44);
        expect(batcher.batches).toBe(1);
      } finally {
        closeSync(readOnly);
      }
    },
  );
});
