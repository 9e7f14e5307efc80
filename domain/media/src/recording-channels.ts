/**
 * Channel layout helpers for recordings: a stereo file keeps the customer on the left and the
 * agent on the right, so a QA listener (or a test) can tell the parties apart; the optional mono
 * file is the two summed.
 */

/**
 * Interleaves two mono frames into L R L R... `target` needs 2 x count samples. Returns the
 * samples written.
 */
export function interleaveStereo(
  left: Int16Array,
  right: Int16Array,
  target: Int16Array,
  count: number = Math.min(left.length, right.length),
): number {
  const n = Math.min(count, left.length, right.length, target.length >> 1);
  for (let i = 0; i < n; i++) {
    target[2 * i] = left[i] ?? 0;
    target[2 * i + 1] = right[i] ?? 0;
  }
  return 2 * n;
}

/** Splits interleaved stereo back into two mono buffers; returns the frames written. */
export function deinterleaveStereo(interleaved: Int16Array, left: Int16Array, right: Int16Array): number {
  const n = Math.min(interleaved.length >> 1, left.length, right.length);
  for (let i = 0; i < n; i++) {
    left[i] = interleaved[2 * i] ?? 0;
    right[i] = interleaved[2 * i + 1] ?? 0;
  }
  return n;
}

/**
 * The mono mix of two parties: the plain sum, clamped to 16 bits, which is what a listener on the
 * line would have heard (averaging would make each voice 6 dB quieter than in the stereo file).
 */
export function mixToMono(
  a: Int16Array,
  b: Int16Array,
  target: Int16Array,
  count: number = Math.min(a.length, b.length),
): number {
  const n = Math.min(count, a.length, b.length, target.length);
  for (let i = 0; i < n; i++) {
    const v = (a[i] ?? 0) + (b[i] ?? 0);
    target[i] = v > 32_767 ? 32_767 : v < -32_768 ? -32_768 : v;
  }
  return n;
}
