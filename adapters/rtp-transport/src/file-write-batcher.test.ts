import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileWriteOwner, WriteFiles } from './file-write-batcher.ts';
import { FileWriteBatcher, writeFilesWithNodeFs } from './file-write-batcher.ts';
import { loadNativeMediaIo } from './native-media-io.ts';

const native = loadNativeMediaIo();
const { EBADF, ECANCELED } = constants.errno;

/** Both ways to write: the addon's one job per batch and the fallback on Node's fs.write. */
const implementations: [string, WriteFiles | undefined][] = [
  ['the native addon', native.ok ? native.value.writeFiles : undefined],
  ['the fs.write fallback', writeFilesWithNodeFs],
];

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

function run(
  writeFiles: WriteFiles,
  writes: readonly { fd: number; position: number; bytes: Uint8Array }[],
): Promise<number[]> {
  const results = new Int32Array(writes.length).fill(1);
  return new Promise((resolve) => {
    writeFiles(
      Int32Array.from(writes, (w) => w.fd),
      Float64Array.from(writes, (w) => w.position),
      writes.map((w) => w.bytes),
      results,
      writes.length,
      () => {
        resolve([...results]);
      },
    );
  });
}

let directory: string;
const openFds: number[] = [];
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'centralita-writes-'));
});
afterEach(async () => {
  for (const fd of openFds.splice(0)) closeSync(fd);
  await rm(directory, { recursive: true, force: true });
});

function openFile(name: string, flags: string): number {
  const fd = openSync(join(directory, name), flags);
  openFds.push(fd);
  return fd;
}

describe.each(implementations)('batched file writes through %s', (_name, writeFiles) => {
  it.skipIf(writeFiles === undefined)('performs the writes in the order given', async () => {
    const fd = openFile('a.bin', 'w');
    const results = await run(writeFiles!, [
      { fd, position: 0, bytes: text('aaaa') },
      { fd, position: 2, bytes: text('bb') },
      { fd, position: 0, bytes: text('c') },
      { fd, position: 4, bytes: new Uint8Array(0) },
    ]);
    expect(results).toEqual([0, 0, 0, 0]);
    expect(readFileSync(join(directory, 'a.bin'), 'latin1')).toBe('cabb');
  });

  it.skipIf(writeFiles === undefined)(
    "reports each write's error and skips later writes to a file that failed",
    async () => {
      const good = openFile('good.bin', 'w');
      writeFileSync(join(directory, 'read-only.bin'), 'zz');
      const readOnly = openFile('read-only.bin', 'r');
      const results = await run(writeFiles!, [
        { fd: good, position: 0, bytes: text('one') },
        { fd: readOnly, position: 0, bytes: text('chunk') },
        { fd: readOnly, position: 0, bytes: text('patch') },
        { fd: good, position: 3, bytes: text('two') },
        { fd: -1, position: 0, bytes: text('x') },
      ]);
      expect(results).toEqual([0, -EBADF, -ECANCELED, 0, -EBADF]);
      expect(readFileSync(join(directory, 'good.bin'), 'latin1')).toBe('onetwo');
      expect(readFileSync(join(directory, 'read-only.bin'), 'latin1')).toBe('zz');
    },
  );

  it.skipIf(writeFiles === undefined)(
    'sends what was queued as one job, and what is queued meanwhile in the next, in order',
    async () => {
      const fd = openFile('b.bin', 'w');
      const heard: string[] = [];
      let onIdle: (() => void) | undefined;
      const owner: FileWriteOwner = {
        written(bytes, error) {
          heard.push(`${new TextDecoder().decode(bytes)}${error === undefined ? '' : ` ${error}`}`);
          if (heard.length === 4) onIdle?.();
        },
      };
      const batcher = new FileWriteBatcher(writeFiles!);
      batcher.write(owner, fd, text('11'), 0);
      batcher.write(owner, fd, text('22'), 2);
      batcher.submit();
      // A job is in flight: these wait for it, and submitting again sends nothing yet.
      batcher.write(owner, fd, text('33'), 2);
      batcher.submit();
      expect(batcher.batches).toBe(1);
      batcher.write(owner, -1, text('44'), 0);
      await new Promise<void>((resolve) => {
        onIdle = resolve;
      });
      expect(batcher.batches).toBe(2);
      expect(heard).toEqual(['11', '22', '33', '44 EBADF: bad file descriptor']);
      expect(readFileSync(join(directory, 'b.bin'), 'latin1')).toBe('1133');
    },
  );
});

describe('the native batched write', () => {
  it.skipIf(!native.ok)('refuses malformed batches before queueing anything', () => {
    const writeFiles = native.ok ? native.value.writeFiles : writeFilesWithNodeFs;
    const done = (): void => undefined;
    const one = (bytes: unknown, position = 0, count = 1): void => {
      writeFiles(
        Int32Array.of(0),
        Float64Array.of(position),
        [bytes as Uint8Array],
        new Int32Array(1),
        count,
        done,
      );
    };
    expect(() => {
      one('not bytes');
    }).toThrow(/Uint8Array/);
    expect(() => {
      one(text('x'), -1);
    }).toThrow(/position/);
    expect(() => {
      one(text('x'), 0, 2);
    }).toThrow(/writeFiles/);
  });
});
