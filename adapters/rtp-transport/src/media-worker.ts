import { parentPort, workerData } from 'node:worker_threads';
import { err } from '@centralita/kernel';
import type { WorkerMessage, WorkerRequestMessage, WorkerSetup } from './engine-protocol.ts';
import { mediaEngineError } from './errors.ts';
import { MessageBatch } from './message-batch.ts';
import { loadNativeMediaIo } from './native-media-io.ts';
import { WorkerEngine } from './worker-engine.ts';

/**
 * Entry point of a media worker thread: wires a WorkerEngine to the MessagePort. Everything
 * clocked or per-packet runs here, away from the main thread's HTTP, database work and garbage
 * collection.
 */
const port = parentPort;
if (port === null) throw new Error('media-worker.ts runs as a worker thread');

// Replies, events and logs leave in batches (MessageBatch), in the order they were made.
const outbox = new MessageBatch<WorkerMessage>(
  (messages) => {
    port.postMessage(messages);
  },
  (flush) => {
    process.nextTick(flush);
  },
);
const post = (message: WorkerMessage): void => {
  outbox.push(message);
};

const setup = workerData as WorkerSetup;

/**
 * Runs this thread at the configured nice value (see MediaEngineOptions.threadNice): the packets it
 * relays wait for nothing but itself. Refused (no CAP_SYS_NICE), it keeps the process's priority and says so.
 */
function applyThreadNice(): void {
  if (setup.threadNice === 0) return;
  // The addon sets it, on the dgram path too when it loads.
  const native = loadNativeMediaIo();
  if (!native.ok) {
    post({
      kind: 'log',
      level: 'info',
      message: 'media thread priority unchanged: it needs the native media addon',
      fields: { threadNice: setup.threadNice, reason: native.error },
    });
    return;
  }
  const code = native.value.setThreadNice(setup.threadNice);
  post(
    code === 0
      ? {
          kind: 'log',
          level: 'info',
          message: 'media thread priority set',
          fields: { threadNice: setup.threadNice },
        }
      : {
          kind: 'log',
          level: 'warn',
          message:
            'media thread priority unchanged: grant the server CAP_SYS_NICE (systemd: AmbientCapabilities=CAP_SYS_NICE) or set CENTRALITA_MEDIA_NICE=0',
          fields: { threadNice: setup.threadNice, reason: native.value.errorText(code) },
        },
  );
}

const engine = new WorkerEngine(
  setup,
  (event) => {
    post({ kind: 'event', event });
  },
  (level, message, fields) => {
    post({ kind: 'log', level, message, fields });
  },
);

const handle = (message: WorkerRequestMessage): void => {
  engine.handle(message.command).then(
    (result) => {
      post({ kind: 'reply', id: message.id, result });
    },
    (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      post({
        kind: 'log',
        level: 'error',
        message: 'media command failed',
        fields: { command: message.command.type, error: text },
      });
      post({
        kind: 'reply',
        id: message.id,
        result: err(mediaEngineError('MEDIA_ENGINE_INTERNAL', 'the media worker failed; see the log')),
      });
    },
  );
};

// The main thread sends its commands in batches too, each handled in order.
port.on('message', (messages: readonly WorkerRequestMessage[]) => {
  for (const message of messages) handle(message);
});

applyThreadNice();
engine.start();
post({ kind: 'ready' });
