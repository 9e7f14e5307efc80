import { leaderboard, valuesOf } from '@centralita/reporting';
import type { Leaderboard, LeaderboardAgentInput, LeaderboardOrder } from '@centralita/reporting';
import type { Tx } from './database.ts';
import { summaryReport } from './reports-queries.ts';

/**
 * The leaderboard of a period (docs/metrics.md, "Leaderboard"): each agent's handled contacts, handle time,
 * CSAT and quality from the summary tables (one line per agent over the whole range), their wrap-ups with a
 * resolving disposition from the interactions, and the teams they belong to now.
 */
export async function leaderboardOf(
  tx: Tx,
  query: { readonly from: Date; readonly to: Date; readonly orderBy: LeaderboardOrder },
): Promise<Leaderboard & { readonly from: Date; readonly to: Date }> {
  const report = await summaryReport(tx, {
    from: query.from,
    to: query.to,
    granularity: 'period',
    groupBy: ['agent'],
  });
  const wrapUps = await tx.query<{ agentId: string; withDisposition: number; resolving: number }>(
    `SELECT x.agent_id::text AS "agentId",
       count(*) FILTER (WHERE x.disposition IS NOT NULL)::int AS "withDisposition",
       count(*) FILTER (WHERE d.is_resolved)::int AS resolving
     FROM interactions x
     LEFT JOIN dispositions d ON d.tenant_id = x.tenant_id AND d.code = x.disposition
     WHERE x.agent_id IS NOT NULL AND x.started_at >= $1 AND x.started_at < $2
     GROUP BY x.agent_id`,
    [query.from, query.to],
  );
  const staff = await tx.query<{ id: string; name: string; teamId: string | null; teamName: string | null }>(
    `SELECT u.id::text, u.display_name AS name, u.team_id::text AS "teamId", t.name AS "teamName"
     FROM users u LEFT JOIN teams t ON t.id = u.team_id`,
  );
  const byId = new Map(staff.rows.map((row) => [row.id, row]));
  const wrapUpsOf = new Map(wrapUps.rows.map((row) => [row.agentId, row]));
  const inputs: LeaderboardAgentInput[] = [];
  const seen = new Set<string>();
  for (const line of report.lines) {
    if (line.agentId === null) continue;
    const user = byId.get(line.agentId);
    if (user === undefined) continue;
    seen.add(line.agentId);
    const wrapped = wrapUpsOf.get(line.agentId);
    inputs.push({
      agentId: user.id,
      agentName: user.name,
      teamId: user.teamId,
      teamName: user.teamName,
      values: line.values,
      wrapUps: { withDisposition: wrapped?.withDisposition ?? 0, resolving: wrapped?.resolving ?? 0 },
    });
  }
  // Agents with wrap-ups but nothing in the summaries yet (the projector is catching up) still appear.
  for (const wrapped of wrapUps.rows) {
    const user = byId.get(wrapped.agentId);
    if (seen.has(wrapped.agentId) || user === undefined) continue;
    inputs.push({
      agentId: user.id,
      agentName: user.name,
      teamId: user.teamId,
      teamName: user.teamName,
      values: valuesOf({}),
      wrapUps: { withDisposition: wrapped.withDisposition, resolving: wrapped.resolving },
    });
  }
  return { from: query.from, to: query.to, ...leaderboard(inputs, query.orderBy) };
}
