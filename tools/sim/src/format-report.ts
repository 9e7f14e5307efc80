import type { SimulationReport } from './simulation-report.ts';

function percent(value: number | undefined, digits = 1): string {
  return value === undefined ? '-' : `${(value * 100).toFixed(digits)} %`;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

/** "08:30" from ms since the simulated day's 00:00 (days beyond the first show as +1d). */
function clockTime(ms: number): string {
  const totalMinutes = Math.floor(ms / 60_000);
  const days = Math.floor(totalMinutes / 1_440);
  const minutes = totalMinutes % 1_440;
  const text = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return days > 0 ? `${text} +${days}d` : text;
}

/** Lays rows out as a text table: first column left-aligned, the rest right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The report as readable text: a header, one row per queue (service level with its 95 % confidence
 * interval against the target, ASA, abandonment, occupancy) and one row per agent, busiest first, capped
 * at `maxAgents` rows.
 */
export function formatReport(
  report: SimulationReport,
  options: { readonly maxAgents?: number } = {},
): string {
  const maxAgents = options.maxAgents ?? 20;
  const lines: string[] = [
    `Scenario: ${report.scenario}  (seed ${report.seed}, router ${report.router})`,
    `Simulated ${clockTime(report.startMs)} to ${clockTime(report.endMs)}, measured from ${clockTime(report.measuredFromMs)}: ` +
      `${report.contacts} contacts, ${report.decisions} routing decisions in ${(report.wallClockMs / 1000).toFixed(2)} s` +
      (report.rejections > 0 ? `, ${report.rejections} refused events` : '') +
      (report.unfinished > 0 ? `, ${report.unfinished} contacts unfinished at the end` : ''),
    '',
    'Queues',
    table(
      [
        'queue',
        'offered',
        'answered',
        'abandoned',
        'overflow',
        'callback',
        'SL',
        '±95%',
        'target',
        'ASA',
        'abandon',
        'occupancy',
        'agents',
      ],
      report.queues.map((q) => [
        q.queueId,
        String(q.offered),
        String(q.answered),
        String(q.abandoned),
        String(q.overflowed + q.movedOut),
        String(q.calledBack),
        percent(q.serviceLevel),
        q.serviceLevelCi95 === undefined ? '-' : `${(q.serviceLevelCi95 * 100).toFixed(1)} pp`,
        `${percent(q.serviceLevelTarget, 0)}/${seconds(q.serviceLevelThresholdMs)}`,
        seconds(q.averageSpeedOfAnswerMs),
        percent(q.abandonmentRate),
        percent(q.occupancy),
        String(q.agents),
      ]),
    ),
  ];
  const agents = [...report.agents]
    .filter((a) => a.busyMs + a.idleMs > 0)
    .sort((a, b) => b.contactsHandled - a.contactsHandled || (a.agentId < b.agentId ? -1 : 1));
  lines.push(
    '',
    `Agents (${agents.length} worked${agents.length > maxAgents ? `, busiest ${maxAgents} shown` : ''})`,
    table(
      ['agent', 'handled', 'talk', 'avg talk', 'occupancy'],
      agents
        .slice(0, maxAgents)
        .map((a) => [
          a.agentId,
          String(a.contactsHandled),
          `${(a.talkMs / 60_000).toFixed(1)} min`,
          a.contactsHandled > 0 ? seconds(a.talkMs / a.contactsHandled) : '-',
          percent(a.occupancy),
        ]),
    ),
  );
  return lines.join('\n');
}
