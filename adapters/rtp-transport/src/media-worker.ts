import { parentPort, workerData } from 'node:worker_threads';
import { err } from '@centralita/kernel';
import type { WorkerMessage, WorkerRequestMessage, WorkerSetup } from './engine-protocol.ts';
import { mediaEngineError } from './errors.ts';
import { WorkerEngine } from './worker-engine.ts';

/**
 * Entry point of a media worker thread: wires a WorkerEngine to the MessagePort. Everything
 * clocked or per-packet runs here, away from the main thread's HTTP, database work and garbage
 * collection.
 */
const port = parentPort;
if (port === null) throw new Error('media-worker.ts runs as a worker thread');

const post = (message: WorkerMessage): void => {
  port.postMessage(message);
};

const engine = new WorkerEngine(
  workerData as WorkerSetup,
  (event) => {
    post({ kind: 'event', event });
  },
  (level, message, fields) => {
    post({ kind: 'log', level, message, fields });
  },
);

port.on('message', (message: WorkerRequestMessage) => {
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
});

engine.start();
post({ kind: 'ready' });
