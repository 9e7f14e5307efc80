/** The times of a contact that handle time is measured from. */
export interface TimedContact {
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
  readonly wrapUpEndedAt: string | null;
}

/** What an agent handled: the answered contacts that have ended, and their average handle time. */
export interface HandleTimeSummary {
  readonly handledCount: number;
  /** Talk plus wrap-up from answer to the end of wrap-up (or of the call while wrap-up is open); null with none. */
  readonly averageHandleTimeMs: number | null;
}

/** Average handle time (AHT), the usual contact-center measure: over answered contacts that have ended. */
export function summariseHandleTime(contacts: readonly TimedContact[]): HandleTimeSummary {
  let handledCount = 0;
  let totalMs = 0;
  for (const contact of contacts) {
    if (contact.answeredAt === null || contact.endedAt === null) continue;
    const endMs = Date.parse(contact.wrapUpEndedAt ?? contact.endedAt);
    const handleMs = endMs - Date.parse(contact.answeredAt);
    if (!Number.isFinite(handleMs) || handleMs < 0) continue;
    handledCount++;
    totalMs += handleMs;
  }
  return { handledCount, averageHandleTimeMs: handledCount === 0 ? null : totalMs / handledCount };
}

/** A duration as m:ss (h:mm:ss from an hour), as wallboards show handle times. */
export function formatDuration(durationMs: number): string {
  const totalSeconds = Math.round(durationMs / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
