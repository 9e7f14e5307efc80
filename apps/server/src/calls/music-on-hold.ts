import type { PlaybackItem } from '@centralita/rtp-transport';

/** One note of the hold melody: a soft two-partial chord so it sounds like music, not a call-progress tone. */
function note(rootHz: number, durationMs: number): PlaybackItem {
  return {
    kind: 'tone',
    tone: { frequenciesHz: [rootHz, rootHz * 1.5], levelDbm0: -22, cadenceMs: [], isRepeating: true },
    durationMs,
  };
}

/**
 * The built-in music on hold, looped while a caller waits: a slow arpeggio in C major, quiet (-22 dBm0
 * per partial) so announcements stand out. Its frequencies avoid the DTMF groups (697-941 Hz with
 * 1209-1633 Hz partners), so the in-band detector never hears a key in it. A tenant's own music file is
 * later work (docs/call-flow.md).
 */
export const musicOnHold: readonly PlaybackItem[] = [
  note(261.63, 600),
  { kind: 'silence', durationMs: 80 },
  note(329.63, 600),
  { kind: 'silence', durationMs: 80 },
  note(392, 600),
  { kind: 'silence', durationMs: 80 },
  note(329.63, 600),
  { kind: 'silence', durationMs: 400 },
  note(293.66, 600),
  { kind: 'silence', durationMs: 80 },
  note(349.23, 600),
  { kind: 'silence', durationMs: 80 },
  note(440, 600),
  { kind: 'silence', durationMs: 80 },
  note(349.23, 600),
  { kind: 'silence', durationMs: 400 },
];
