import { describe, expect, it } from 'vitest';
import { MessageBatch } from './message-batch.ts';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('MessageBatch', () => {
  it('on setImmediate, posts what one turn of the event loop pushed together, in order, and later turns apart', async () => {
    const posted: (readonly number[])[] = [];
    const batch = new MessageBatch<number>((messages) => posted.push(messages), setImmediate);
    batch.push(1);
    batch.push(2);
    await new Promise((resolve) => {
      process.nextTick(resolve);
    });
    batch.push(3);
    expect(posted).toEqual([]);
    await nextTurn();
    expect(posted).toEqual([[1, 2, 3]]);
    batch.push(4);
    await nextTurn();
    expect(posted).toEqual([[1, 2, 3], [4]]);
    await nextTurn();
    expect(posted).toHaveLength(2);
  });

  it('on process.nextTick, posts once the promise chain in hand has run, before the next turn', async () => {
    const posted: (readonly string[])[] = [];
    const batch = new MessageBatch<string>(
      (messages) => posted.push(messages),
      (flush) => {
        process.nextTick(flush);
      },
    );
    batch.push('a');
    await Promise.resolve();
    batch.push('b');
    await new Promise((resolve) => {
      process.nextTick(resolve);
    });
    expect(posted).toEqual([['a', 'b']]);
    batch.push('c');
    await new Promise((resolve) => {
      process.nextTick(resolve);
    });
    expect(posted).toEqual([['a', 'b'], ['c']]);
  });
});
