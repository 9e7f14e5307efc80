import { describe, expect, it } from 'vitest';
import { MessageBatch } from './message-batch.ts';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('MessageBatch', () => {
  it('posts the messages pushed while the work in hand runs together, in order, and later ones apart', async () => {
    const posted: (readonly number[])[] = [];
    const batch = new MessageBatch<number>((messages) => posted.push(messages));
    batch.push(1);
    batch.push(2);
    await Promise.resolve();
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
});
