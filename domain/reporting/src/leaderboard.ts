import { figuresOf, ratio } from './figures.ts';
import { addValues, valuesOf } from './summary-row.ts';
import type { SummaryValues } from './summary-row.ts';

/** What the leaderboard ranks by. */
export const leaderboardOrders = ['handled', 'resolution', 'csat', 'quality'] as const;
export type LeaderboardOrder = (typeof leaderboardOrders)[number];

/** One agent's period: their summary values and their wrap-ups (given a disposition, and resolving ones). */
export interface LeaderboardAgentInput {
  readonly agentId: string;
  readonly agentName: string;
  readonly teamId: string | null;
  readonly teamName: string | null;
  readonly values: SummaryValues;
  readonly wrapUps: { readonly withDisposition: number; readonly resolving: number };
}

/** A ranked line: an agent or a team, with the figures the leaderboard shows. */
export interface LeaderboardLine {
  /** 1 for the best; equal figures share a rank (1, 2, 2, 4). */
  readonly rank: number;
  readonly id: string;
  readonly name: string;
  /** The agent's team (agents only). */
  readonly teamName: string | null;
  readonly handled: number;
  readonly averageHandleTimeMs: number | null;
  /** Contacts wrapped up with a resolving disposition ÷ contacts wrapped up with a disposition. */
  readonly resolution: number | null;
  readonly csat: number | null;
  readonly csatResponses: number;
  readonly qualityScore: number | null;
  readonly qualityScored: number;
}

export interface Leaderboard {
  readonly orderedBy: LeaderboardOrder;
  readonly agents: readonly LeaderboardLine[];
  readonly teams: readonly LeaderboardLine[];
}

function lineOf(
  id: string,
  name: string,
  teamName: string | null,
  values: SummaryValues,
  wrapUps: LeaderboardAgentInput['wrapUps'],
): Omit<LeaderboardLine, 'rank'> {
  const figures = figuresOf(values);
  return {
    id,
    name,
    teamName,
    handled: figures.handled,
    averageHandleTimeMs: figures.averageHandleTimeMs,
    resolution: ratio(wrapUps.resolving, wrapUps.withDisposition),
    csat: figures.csat,
    csatResponses: values.csatResponses,
    qualityScore: figures.qualityScore,
    qualityScored: values.qualityScored,
  };
}

function keyOf(line: Omit<LeaderboardLine, 'rank'>, order: LeaderboardOrder): number | null {
  switch (order) {
    case 'handled':
      return line.handled;
    case 'resolution':
      return line.resolution;
    case 'csat':
      return line.csat;
    case 'quality':
      return line.qualityScore;
  }
}

/**
 * Ranks lines by `order`, best first; lines without the figure (no surveys, no scored contacts) come last,
 * unranked by it but still ranked after the others. Ties share a rank and are listed by name.
 */
function ranked(lines: readonly Omit<LeaderboardLine, 'rank'>[], order: LeaderboardOrder): LeaderboardLine[] {
  const sorted = [...lines].sort((a, b) => {
    const ka = keyOf(a, order);
    const kb = keyOf(b, order);
    if (ka !== kb) {
      if (ka === null) return 1;
      if (kb === null) return -1;
      return kb - ka;
    }
    return a.name.localeCompare(b.name);
  });
  const result: LeaderboardLine[] = [];
  sorted.forEach((line, index) => {
    const previous = result[index - 1];
    const isTie = previous !== undefined && keyOf(previous, order) === keyOf(line, order);
    result.push({ ...line, rank: isTie ? previous.rank : index + 1 });
  });
  return result;
}

/**
 * The leaderboard of a period: agents ranked by `order`, and teams ranked the same way with their members'
 * contacts added up (a team's CSAT is its satisfied answers over its answers, never an average of agents).
 * Agents who handled nothing and gave no wrap-up are left out.
 */
export function leaderboard(inputs: readonly LeaderboardAgentInput[], order: LeaderboardOrder): Leaderboard {
  const active = inputs.filter((input) => input.values.handled > 0 || input.wrapUps.withDisposition > 0);
  const teams = new Map<
    string,
    { name: string; values: SummaryValues; withDisposition: number; resolving: number }
  >();
  for (const input of active) {
    if (input.teamId === null) continue;
    const team = teams.get(input.teamId) ?? {
      name: input.teamName ?? input.teamId,
      values: valuesOf({}),
      withDisposition: 0,
      resolving: 0,
    };
    team.values = addValues(team.values, input.values);
    team.withDisposition += input.wrapUps.withDisposition;
    team.resolving += input.wrapUps.resolving;
    teams.set(input.teamId, team);
  }
  return {
    orderedBy: order,
    agents: ranked(
      active.map((input) =>
        lineOf(input.agentId, input.agentName, input.teamName, input.values, input.wrapUps),
      ),
      order,
    ),
    teams: ranked(
      [...teams].map(([teamId, team]) =>
        lineOf(teamId, team.name, null, team.values, {
          withDisposition: team.withDisposition,
          resolving: team.resolving,
        }),
      ),
      order,
    ),
  };
}
