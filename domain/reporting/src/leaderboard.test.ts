import { describe, expect, it } from 'vitest';
import { leaderboard } from './leaderboard.ts';
import type { LeaderboardAgentInput } from './leaderboard.ts';
import { valuesOf } from './summary-row.ts';

function agent(
  name: string,
  team: string | null,
  handled: number,
  extra: { csat?: [number, number]; quality?: [number, number]; wrapUps?: [number, number] } = {},
): LeaderboardAgentInput {
  return {
    agentId: `id-${name}`,
    agentName: name,
    teamId: team === null ? null : `team-${team}`,
    teamName: team,
    values: valuesOf({
      handled,
      talkMs: handled * 200_000,
      csatResponses: extra.csat?.[1] ?? 0,
      csatSatisfied: extra.csat?.[0] ?? 0,
      qualityScored: extra.quality?.[1] ?? 0,
      qualityPctSum: extra.quality?.[0] ?? 0,
    }),
    wrapUps: { resolving: extra.wrapUps?.[0] ?? 0, withDisposition: extra.wrapUps?.[1] ?? 0 },
  };
}

const center = [
  agent('Lucía', 'Ventas', 40, { csat: [9, 10], quality: [170, 2], wrapUps: [30, 40] }),
  agent('Carlos', 'Ventas', 25, { csat: [3, 6], wrapUps: [20, 25] }),
  agent('Ana', 'Soporte', 40, { csat: [1, 1], quality: [95, 1], wrapUps: [10, 40] }),
  agent('Pedro', 'Soporte', 10),
  agent('Sin equipo', null, 5, { wrapUps: [5, 5] }),
  agent('Inactiva', 'Soporte', 0),
];

describe('the leaderboard', () => {
  it('ranks agents by contacts handled, ties sharing a rank and listed by name, and leaves out agents who did nothing', () => {
    const board = leaderboard(center, 'handled');
    expect(board.agents.map((line) => [line.rank, line.name, line.handled])).toEqual([
      [1, 'Ana', 40],
      [1, 'Lucía', 40],
      [3, 'Carlos', 25],
      [4, 'Pedro', 10],
      [5, 'Sin equipo', 5],
    ]);
    expect(board.agents[1]).toMatchObject({
      teamName: 'Ventas',
      averageHandleTimeMs: 200_000,
      resolution: 0.75,
    });
  });

  it('ranks by resolution, CSAT or quality with agents lacking the figure last', () => {
    expect(leaderboard(center, 'resolution').agents.map((line) => line.name)).toEqual([
      'Sin equipo',
      'Carlos',
      'Lucía',
      'Ana',
      'Pedro',
    ]);
    const byCsat = leaderboard(center, 'csat').agents;
    expect(byCsat.map((line) => [line.name, line.csat])).toEqual([
      ['Ana', 1],
      ['Lucía', 0.9],
      ['Carlos', 0.5],
      ['Pedro', null],
      ['Sin equipo', null],
    ]);
    expect(
      leaderboard(center, 'quality')
        .agents.slice(0, 2)
        .map((line) => [line.name, line.qualityScore]),
    ).toEqual([
      ['Ana', 95],
      ['Lucía', 85],
    ]);
  });

  it('adds a team’s contacts up instead of averaging its agents', () => {
    const teams = leaderboard(center, 'csat').teams;
    // Soporte: 1 satisfied answer of 1; Ventas: 12 of 16 (an average of its agents would say 0.7).
    expect(teams.map((line) => [line.rank, line.name, line.handled, line.csat, line.resolution])).toEqual([
      [1, 'Soporte', 50, 1, 10 / 40],
      [2, 'Ventas', 65, 0.75, 50 / 65],
    ]);
  });
});
