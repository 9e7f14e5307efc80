import { describe, expect, it } from 'vitest';
import { SymmetricRtpLatch } from './symmetric-rtp-latch.ts';

describe('SymmetricRtpLatch', () => {
  it('latches the first source to send two packets in sequence', () => {
    const latch = new SymmetricRtpLatch();
    expect(latch.offer('10.0.0.1', 4000, 7, 100)).toBe('probation');
    expect(latch.isLatched).toBe(false);
    expect(latch.offer('10.0.0.1', 4000, 7, 101)).toBe('latched');
    expect(latch.address).toBe('10.0.0.1');
    expect(latch.port).toBe(4000);
    expect(latch.offer('10.0.0.1', 4000, 7, 102)).toBe('accepted');
  });

  it('never latches a source with port 0, which cannot be answered, and takes the real one after it', () => {
    const latch = new SymmetricRtpLatch();
    // A sender that leaves the source port out (a raw-socket replay, say) sends a run in sequence first.
    for (let sequence = 100; sequence < 105; sequence++)
      expect(latch.offer('10.0.0.1', 0, 7, sequence)).toBe('ignored');
    expect(latch.isLatched).toBe(false);
    expect(latch.ignoredPackets).toBe(5);
    expect(latch.offer('10.0.0.1', 4000, 9, 1)).toBe('probation');
    expect(latch.offer('10.0.0.1', 4000, 9, 2)).toBe('latched');
    expect(latch.port).toBe(4000);
  });

  it('ignores and counts every other source once latched, even with the right SSRC and sequence', () => {
    const latch = new SymmetricRtpLatch();
    latch.offer('10.0.0.1', 4000, 7, 100);
    latch.offer('10.0.0.1', 4000, 7, 101);
    expect(latch.offer('10.0.0.66', 4000, 7, 102)).toBe('ignored');
    expect(latch.offer('10.0.0.1', 4001, 7, 102)).toBe('ignored');
    expect(latch.ignoredPackets).toBe(2);
    expect(latch.offer('10.0.0.1', 4000, 7, 102)).toBe('accepted');
  });

  it('does not let an interleaving attacker reset the genuine source probation', () => {
    const latch = new SymmetricRtpLatch();
    expect(latch.offer('10.0.0.1', 4000, 7, 100)).toBe('probation');
    expect(latch.offer('6.6.6.6', 9999, 1, 5)).toBe('probation');
    expect(latch.offer('6.6.6.6', 9999, 1, 50)).toBe('probation');
    expect(latch.offer('10.0.0.1', 4000, 7, 101)).toBe('latched');
    expect(latch.address).toBe('10.0.0.1');
  });

  it('restarts probation for a source whose sequence or SSRC does not follow', () => {
    const latch = new SymmetricRtpLatch();
    latch.offer('10.0.0.1', 4000, 7, 100);
    expect(latch.offer('10.0.0.1', 4000, 7, 105)).toBe('probation');
    expect(latch.offer('10.0.0.1', 4000, 8, 106)).toBe('probation');
    expect(latch.offer('10.0.0.1', 4000, 8, 107)).toBe('latched');
  });

  it('takes sequence numbers across the 16-bit wrap', () => {
    const latch = new SymmetricRtpLatch();
    latch.offer('10.0.0.1', 4000, 7, 0xffff);
    expect(latch.offer('10.0.0.1', 4000, 7, 0)).toBe('latched');
  });

  it('tracks a bounded number of candidates and ignores the rest', () => {
    const latch = new SymmetricRtpLatch({ maxCandidates: 2 });
    latch.offer('10.0.0.1', 1, 1, 1);
    latch.offer('10.0.0.2', 2, 2, 1);
    expect(latch.offer('10.0.0.3', 3, 3, 1)).toBe('ignored');
    expect(latch.offer('10.0.0.2', 2, 2, 2)).toBe('latched');
  });

  it('starts over when reopened for a signalled change of address', () => {
    const latch = new SymmetricRtpLatch({ probationPackets: 3 });
    for (let seq = 0; seq < 3; seq++) latch.offer('10.0.0.1', 4000, 7, seq);
    expect(latch.isLatched).toBe(true);
    latch.reopen();
    expect(latch.isLatched).toBe(false);
    expect(latch.offer('10.0.0.9', 5000, 7, 10)).toBe('probation');
    expect(latch.offer('10.0.0.9', 5000, 7, 11)).toBe('probation');
    expect(latch.offer('10.0.0.9', 5000, 7, 12)).toBe('latched');
  });
});
