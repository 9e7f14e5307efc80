import type { AgentStatus } from '../presence/agent-state.ts';

/** One queue's live figures and today's service level (`GET /api/queue-stats`). */
export interface QueueStats {
  readonly queueId: string;
  readonly name: string;
  readonly waiting: number;
  readonly longestWaitMs: number;
  readonly agentsByStatus: Readonly<
    Partial<Record<string, { readonly count: number; readonly longestInStatusMs: number }>>
  >;
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  /** Share answered within the threshold, 0..1; null before any contact today. */
  readonly serviceLevel: number | null;
  readonly serviceLevelTarget: number;
  readonly serviceLevelThresholdMs: number;
  readonly averageSpeedOfAnswerMs: number | null;
  readonly abandonmentRate: number | null;
  readonly estimatedWaitMs: number | null;
}

/** Statuses in the order the wallboard lists them. */
export const wallboardStatuses: readonly AgentStatus[] = [
  'idle',
  'reserved',
  'ringing',
  'on-contact',
  'wrap-up',
  'break',
  'offline',
];

/** How today's service level compares with the queue's target, for its colour. */
export function serviceLevelGrade(stats: QueueStats): 'none' | 'met' | 'missed' {
  if (stats.serviceLevel === null) return 'none';
  return stats.serviceLevel >= stats.serviceLevelTarget ? 'met' : 'missed';
}
